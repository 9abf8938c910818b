"""The card reader panel on the live kiosk window, driven by real taps (twin reader)."""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import datetime as dt
import shutil

import pytest
import ui_support
from ui_support import open_staff_entry, press, tile, touch

from kiosk.dialogue.events import EventType
from kiosk.dialogue.sample import SAMPLE_PHONE
from kiosk.idcard.card import card_fields
from kiosk.idcard.reader import Ga467Reader
from kiosk.idcard.simulator import simulated_reader
from kiosk.idcard.twin import TwinReader, demo_card
from kiosk.ui import harness
from kiosk.ui.idcard_prompt import SCREEN, install, uninstall
from kiosk.voices import say

HELPER = demo_card(name="李建国", birth=dt.date(1985, 4, 2), sex="male")


@pytest.fixture
def kiosk_with_reader(app):
    reader = TwinReader()
    prompt = install(app, reader)
    yield app, reader, prompt
    uninstall(app, prompt)


def question(app):
    return app.screens.get_screen("question")


def until_panel(app, mode: str) -> None:
    assert harness.wait_until(lambda: app.screens.current == SCREEN
                              and app.screens.current_screen.mode == mode), app.screens.current


def answer_by_taps(app, *, stop_at: str | None = None, card_taps: int = 10) -> None:
    """Tap through the question screens (readbacks 对, choices, keypad) up to the review."""
    for _ in range(60):
        current = app.screens.current
        if current == SCREEN:
            return
        if current != "question":
            return
        screen = question(app)
        d = screen.prompt_data
        if stop_at and screen.mode == "ask" and d.get("field_id") == stop_at:
            return
        if screen.mode == "readback":
            press(app, say("ui.readback_yes"))
        elif screen.mode == "reuse":
            press(app, say("ui.reuse_yes"))
        elif d["field_type"] == "choice":
            press(app, d["choices"][0]["label"])
        elif d["field_type"] == "consent":
            press(app, say("ui.consent_yes"))
        elif d["field_type"] == "yes_no":
            press(app, say("ui.yes"))
        elif d["field_type"] == "phone":
            for k in SAMPLE_PHONE:
                press(app, k)
            press(app, say("ui.ok"))
        else:
            raise AssertionError(f"unexpected question {d['field_id']}")


def test_senior_card_filled_from_a_card_by_taps_and_submitted(kiosk_with_reader, events):
    app, reader, _prompt = kiosk_with_reader
    reader.hold()                 # the resident takes a moment to put the card down
    touch(tile(app, "senior_card"))
    answer_by_taps(app)
    consent = [e for e in events if e.type is EventType.PROMPT and e.data["field_id"] == "consent"][0]
    assert "身份证" in consent.data["text"]                     # the consent says the card is read
    until_panel(app, "wait")
    assert app.controller.voice.speaker.said[-1] == "请把身份证放在读卡区，放好不要动。"
    reader.release()
    until_panel(app, "confirm")
    panel = app.screens.current_screen
    rows = {r.label: r.value for r in panel.ids.rows.children}
    assert rows["姓名"] == "张秀英" and "1955" in rows["出生日期"]
    assert demo_card().id_number[-4:] in rows["身份证号"].replace(" ", "")
    said = app.controller.voice.speaker.said[-1]
    assert said.startswith("已读到身份证，尾号" + " ".join(demo_card().tail)) and "张秀英" in said
    assert demo_card().id_number not in said and demo_card().id_number[:6] not in said.replace(" ", "")
    press(app, say("idcard.confirm_yes"))
    assert app.screens.current == "question" and question(app).prompt_data["field_id"] == "kind"
    answer_by_taps(app)
    assert app.screens.current == "review"
    submit_review = getattr(ui_support, "submit_review", None)   # pages must be seen first, where the screen asks it
    if submit_review is not None:
        submit_review(app)
    else:
        press(app, say("ui.review_submit"))
    submitted = [e for e in events if e.type is EventType.SUBMITTED][0]
    answers = app.runtime.store.get_submission(submitted.data["receipt_no"]).answers
    assert answers["name"] == "张秀英"
    assert answers["id_number"] == demo_card().id_number
    assert answers["birth_date"] == "1955-08-10"
    assert not {"ethnicity", "authority", "photo", "sex"} & set(answers)
    assert reader.reads == 1


@pytest.mark.parametrize("code", ["no_card", "removed", "unreadable", "check_digit", "expired", "sam_fault"])
def test_a_failed_read_falls_back_to_voice_and_keypad_kindly(kiosk_with_reader, code):
    app, reader, _prompt = kiosk_with_reader
    reader.script(code)
    touch(tile(app, "senior_card"))
    answer_by_taps(app, stop_at="name")
    assert harness.wait_until(lambda: app.screens.current == "question" and question(app).notice_text)
    screen = question(app)
    assert screen.prompt_data["field_id"] == "name"
    assert screen.notice_text == say(f"idcard.fail.{code}")
    assert app.controller.voice.speaker.said[-1] == say(f"idcard.fail.{code}")
    assert "按" in screen.notice_text


def test_other_way_closes_the_panel_and_speech_still_answers(kiosk_with_reader, events):
    app, reader, _prompt = kiosk_with_reader
    reader.hold()                 # the card never comes: the resident chooses another way
    touch(tile(app, "senior_card"))
    answer_by_taps(app)
    until_panel(app, "wait")
    press(app, say("idcard.other_way"))
    assert app.screens.current == "question" and question(app).prompt_data["field_id"] == "name"
    app.controller.voice.hear("张 秀英", 0.9)   # what the listening loop delivers
    harness.frames(2)
    assert question(app).mode == "readback"


def test_speech_while_the_panel_waits_is_answered(kiosk_with_reader):
    app, reader, _prompt = kiosk_with_reader
    reader.hold()
    touch(tile(app, "senior_card"))
    answer_by_taps(app)
    until_panel(app, "wait")
    app.controller.voice.hear("张 秀英", 0.9)
    harness.frames(2)
    assert app.screens.current == "question" and question(app).mode == "readback"


def test_wrong_values_read_again(kiosk_with_reader):
    app, reader, _prompt = kiosk_with_reader
    other = demo_card(name="王桂芳", birth=dt.date(1950, 1, 2))
    reader.script(other, demo_card())
    touch(tile(app, "senior_card"))
    answer_by_taps(app)
    until_panel(app, "confirm")
    assert "王桂芳" in [r.value for r in app.screens.current_screen.ids.rows.children]
    press(app, say("idcard.confirm_no"))
    until_panel(app, "confirm")
    assert "张秀英" in [r.value for r in app.screens.current_screen.ids.rows.children]
    assert reader.reads == 2


def test_family_helper_card_fills_only_the_helpers_name(kiosk_with_reader):
    app, reader, _prompt = kiosk_with_reader
    reader.script(HELPER, demo_card())
    reader.hold()
    touch(tile(app, "senior_card"))
    press(app, say("applicant.proxy"))
    answer_by_taps(app)            # the read-back, if the choice has one
    until_panel(app, "wait")
    panel = app.screens.current_screen
    assert panel.whose_text == say("idcard.whose.helper")
    reader.release()
    until_panel(app, "confirm")
    assert [r.label for r in panel.ids.rows.children] == [say("helper_name.label")]
    press(app, say("idcard.confirm_yes"))
    session = app.controller.session
    assert session.answers["helper_name"] == "李建国" and "name" not in session.answers
    reader.hold()
    answer_by_taps(app)
    until_panel(app, "wait")
    assert app.screens.current_screen.whose_text == say("idcard.whose.elder")
    assert app.controller.voice.speaker.said[-1] == say("idcard.place.elder")
    reader.release()
    until_panel(app, "confirm")
    press(app, say("idcard.confirm_yes"))
    assert session.answers["name"] == "张秀英" and session.answers["helper_name"] == "李建国"


def test_the_app_installs_the_reader_from_settings(app):
    before = list(app.controller.core_listeners)
    app.settings.idcard.type = "twin"
    try:
        app._install_idcard()
        prompt = app.idcard_prompt
        assert prompt is not None and prompt.reader.description == "twin"
        assert prompt.wait_s == app.settings.idcard.wait_s
        assert app.screens.current != SCREEN          # the panel's screen never shows by itself
    finally:
        app.settings.idcard.type = "none"
        if getattr(app, "idcard_prompt", None) is not None:
            uninstall(app, app.idcard_prompt)
    assert app.controller.core_listeners == before


def test_staff_fill_the_case_from_the_card(kiosk_with_reader):
    app, reader, _prompt = kiosk_with_reader
    mode = app.staff_mode
    if "S01" not in mode.pins.staff_ids():
        mode.pins.set_pin("S01", "482913")
    reader.hold()
    touch(tile(app, "senior_card"))
    answer_by_taps(app)
    until_panel(app, "wait")
    press(app, say("ui.staff"))                      # the resident asks for help from the panel
    assert app.screens.current == "help"
    open_staff_entry(app)
    for k in "482913":
        press(app, k)
    press(app, say("ui.pin_ok"))
    try:
        press(app, say("staff.ui.menu_take_over"))
        assert app.screens.current == "staff_case"
        reader.release()
        press(app, say("idcard.staff.read"))
        screen = app.screens.get_screen("staff_case")
        assert harness.wait_until(lambda: screen.notice_text.startswith(say("idcard.staff.filled", labels="")[:6]))
        case = app.staff.case
        assert case.answers["name"] == "张秀英" and case.answers["id_number"] == demo_card().id_number
        edits = [e.field for e in mode.audit.entries(target=case.draft_id) if e.action == "edit"]
        assert edits == ["name", "id_number", "birth_date"]
    finally:
        if app.staff.session is not None:
            app.staff.logout()


def test_panel_meets_elder_mode_sizes(kiosk_with_reader):
    from kivy.metrics import dp, sp
    from kivy.uix.behaviors import ButtonBehavior

    from kiosk.ui.theme import MIN_QUESTION_SP, MIN_TARGET_DP, MIN_TEXT_SP
    from kiosk.ui.touch import walk
    from kiosk.ui.widgets import KLabel, QuestionLabel

    app, reader, _prompt = kiosk_with_reader
    reader.hold()
    touch(tile(app, "senior_card"))
    answer_by_taps(app)
    until_panel(app, "wait")
    panel = app.screens.current_screen
    harness.frames(3)
    assert panel.ids.question.font_size >= sp(MIN_QUESTION_SP) - 0.01
    reader.release()
    until_panel(app, "confirm")
    harness.frames(3)
    for w in walk(panel):
        if isinstance(w, ButtonBehavior) and w.opacity and w.height:
            assert w.width >= dp(MIN_TARGET_DP) - 0.5 and w.height >= dp(MIN_TARGET_DP) - 0.5, w.text
        if isinstance(w, KLabel) and not isinstance(w, QuestionLabel) and w.text and w.opacity:
            assert w.font_size >= sp(MIN_TEXT_SP) - 0.01, w.text


def test_a_broken_reader_is_not_offered_again_for_a_while(kiosk_with_reader):
    app, reader, prompt = kiosk_with_reader
    reader.script("no_reader")
    now = [1000.0]
    prompt.clock = lambda: now[0]
    touch(tile(app, "senior_card"))
    answer_by_taps(app, stop_at="name")
    assert harness.wait_until(lambda: question(app).notice_text == say("idcard.fail.no_reader"))
    harness.fresh(app)
    touch(tile(app, "senior_card"))
    answer_by_taps(app, stop_at="name")
    assert app.screens.current == "question" and reader.reads == 1     # straight to the question
    harness.fresh(app)
    now[0] += 301                                                       # later: offered again
    touch(tile(app, "senior_card"))
    answer_by_taps(app)
    until_panel(app, "confirm")
    assert reader.reads == 2


class PollClock:
    """The card wait's clock: each poll's sleep moves it on, so 15 s pass in a few round trips."""

    def __init__(self):
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.now += s


@pytest.mark.skipif(shutil.which("socat") is None, reason="Debian socat is not installed")
def test_the_real_serial_reader_behind_the_panel(app, events):
    """GA 467 reader on a socat pty answered by the simulator: a card fills the form; then no card in 15 s."""
    with simulated_reader(card_fields(demo_card()), "valid") as (host, sim):
        clock = PollClock()
        prompt = install(app, Ga467Reader(host, 115200, clock=clock, sleep=clock.sleep))
        try:
            touch(tile(app, "senior_card"))
            answer_by_taps(app)
            until_panel(app, "confirm")
            press(app, say("idcard.confirm_yes"))
            assert app.controller.session.answers["id_number"] == demo_card().id_number
            harness.fresh(app)
            sim.card = None                       # nobody puts a card down
            touch(tile(app, "senior_card"))
            answer_by_taps(app, stop_at="name")
            assert harness.wait_until(lambda: question(app).notice_text == say("idcard.fail.no_card"))
            assert clock.now >= 15
        finally:
            uninstall(app, prompt)
