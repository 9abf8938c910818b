"""The touchscreen driven by real taps on the headless window: whole forms, back, help, done.

One Kivy window per process: every UI test module shares the app from kiosk.ui.harness and
starts each test from a fresh visit. Taps are kivy.tests UnitTestTouch events through the
window, so the widget hit is the one a finger would hit.
"""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest
from ui_support import open_staff_entry, press, submit_review, tile, touch

from kiosk.dialogue.events import EventType
from kiosk.dialogue.sample import SAMPLE_ID, SAMPLE_NAME, SAMPLE_PHONE, sample_transcript
from kiosk.ui import harness
from kiosk.ui.touch import walk
from kiosk.voices import say


def prompt(app) -> dict:
    return app.screens.get_screen("question").prompt_data


def types_of(events, etype):
    return [e for e in events if e.type is etype]


def test_home_shows_every_service_without_scrolling(app):
    home = app.screens.get_screen("home")
    tiles = list(home.ids.tiles.children)
    assert {t.form_id for t in tiles} == set(app.runtime.catalogue.forms)
    w, h = app.root_window.size
    for t in tiles:
        x, y = t.to_window(*t.pos)
        assert 0 <= x and x + t.width <= w and 0 <= y and y + t.height <= h, t.text
        assert 2 <= len(t.text) <= 6
    assert app.controller.voice.speaker.said[-1] == say("welcome")


def test_repair_request_completed_by_touch_alone(app, events):
    touch(tile(app, "repair_request"))
    assert app.screens.current == "question"
    taps = {"choice": 0, "yes_no": 0}
    for _ in range(30):
        if app.screens.current != "question":
            break
        screen = app.screens.current_screen
        if screen.mode == "readback":
            press(app, say("ui.readback_yes"))
            continue
        d = prompt(app)
        kind = d["field_type"]
        if kind == "choice":
            press(app, d["choices"][0]["label"])
        elif kind == "consent":
            press(app, say("ui.consent_yes"))
        elif kind == "yes_no":
            press(app, say("ui.yes"))
        elif kind == "address":
            press(app, d["bounds"]["buildings"][1])
            press(app, d["bounds"]["units"][0])
            for k in "302":
                press(app, k)
            press(app, say("ui.ok"))
        elif kind == "date":
            picker = app.screens.current_screen.area.picker
            while getattr(app.screens.current_screen.area, "picker", None) is picker:   # month, then a day
                stage = picker.stage
                press(app, picker.label(stage, picker.options(stage)[-1 if stage == "day" else 0]))
                taps["date"] = taps.get("date", 0) + 1
        elif kind == "phone":
            for k in SAMPLE_PHONE:
                press(app, k)
            press(app, say("ui.ok"))
        elif kind == "text":
            assert d["optional"]
            press(app, say("ui.skip"))
        else:
            pytest.fail(f"unexpected field type {kind}")
        taps[kind] = taps.get(kind, 0) + 1
    assert app.screens.current == "review"
    submit_review(app)
    submitted = types_of(events, EventType.SUBMITTED)
    assert len(submitted) == 1
    assert app.screens.current == "done"
    receipt = submitted[0].data["receipt_no"]
    assert app.screens.get_screen("done").ids.receipt.text == receipt
    answers = app.runtime.store.get_submission(receipt).answers
    assert answers["phone"] == SAMPLE_PHONE
    address = next(v for v in answers.values() if isinstance(v, dict))
    assert address == {"building": "2号楼", "unit": "1单元", "room": "302"}
    confirmed = {e.data["field_id"] for e in types_of(events, EventType.CONFIRMED)}
    assert "phone" in confirmed and "consent" in confirmed
    assert harness.wait_until(lambda: "打印" in app.screens.get_screen("done").print_status
                              or "回执" in app.screens.get_screen("done").print_status)


def test_senior_card_with_spoken_name_and_id_keypad(app, events):
    touch(tile(app, "senior_card"))
    ctl = app.controller
    for _ in range(40):
        if app.screens.current != "question":
            break
        screen = app.screens.current_screen
        if screen.mode == "readback":
            press(app, say("ui.readback_yes"))
            continue
        if screen.mode == "reuse":               # birth date offered from the ID number
            press(app, say("ui.reuse_yes"))
            continue
        d = prompt(app)
        kind = d["field_type"]
        if kind == "name":
            ctl.voice.hear(SAMPLE_NAME, 0.9)     # what the listening loop delivers
            harness.frames(2)
        elif kind == "id_number":
            for k in SAMPLE_ID:
                press(app, k)
            press(app, say("ui.ok"))
        elif kind == "date":
            press(app, say("ui.ok"))
        elif kind == "phone":
            for k in SAMPLE_PHONE:
                press(app, k)
            press(app, say("ui.ok"))
        elif kind == "choice":
            press(app, d["choices"][-1]["label"])
        elif kind == "consent":
            press(app, say("ui.consent_yes"))
        elif kind == "yes_no":
            press(app, say("ui.no"))
    assert app.screens.current == "review"
    review = app.screens.current_screen
    shown = " ".join(w.text for w in walk(review.ids.rows) if hasattr(w, "field_id"))
    assert "张秀英" in shown
    submit_review(app)
    receipt = types_of(events, EventType.SUBMITTED)[0].data["receipt_no"]
    answers = app.runtime.store.get_submission(receipt).answers
    assert answers["id_number"] == SAMPLE_ID
    assert answers["birth_date"] == f"{SAMPLE_ID[6:10]}-{SAMPLE_ID[10:12]}-{SAMPLE_ID[12:14]}"
    assert answers["name"] == SAMPLE_NAME.replace(" ", "")
    assert answers["local_hukou"] is False and answers["has_photo"] is False
    assert answers["kind"] == "renew"


def test_read_back_no_asks_again_and_back_goes_to_previous_question(app, events):
    touch(tile(app, "repair_request"))
    first = prompt(app)["field_id"]
    # A spoken answer is read back; 不对 asks again. A tap on a choice is kept at once.
    app.controller.voice.hear(prompt(app)["choices"][0]["label"], 1.0)
    harness.frames(2)
    assert app.screens.current_screen.mode == "readback"
    press(app, say("ui.readback_no"))
    assert prompt(app)["field_id"] == first and app.screens.current_screen.mode == "ask"
    press(app, prompt(app)["choices"][0]["label"])
    assert app.screens.current_screen.mode == "ask"
    second = prompt(app)["field_id"]
    assert second != first
    press(app, say("ui.back"))
    assert prompt(app)["field_id"] == first
    press(app, say("ui.repeat"))
    # 重听 says the question, then the answers on screen (EZ Access style).
    labels = "、".join(c["label"] for c in prompt(app)["choices"])
    assert app.controller.voice.speaker.said[-1] == prompt(app)["speech"] + say("ui.read_choices", choices=labels)


def test_rejected_answer_shows_why_and_keeps_the_question(app, events):
    touch(tile(app, "repair_request"))
    while prompt(app)["field_type"] != "phone":
        d = prompt(app)
        if d["field_type"] == "text":
            press(app, say("ui.skip"))
            continue
        # Earlier questions answered through the speech path, to reach the phone question fast.
        app.controller.voice.hear(sample_transcript(app.controller.session.field, app.controller.visit.site), 1.0)
        harness.frames(2)
        press(app, say("ui.readback_yes"))
    for k in "138":
        press(app, k)
    press(app, say("ui.ok"))
    rejected = types_of(events, EventType.REJECTED)
    assert rejected and rejected[-1].data["field_id"] == "phone"
    screen = app.screens.current_screen
    assert screen.notice_text == rejected[-1].data["text"]
    assert screen.ids.notice.height > 0
    assert prompt(app)["field_type"] == "phone"


def test_staff_button_opens_help_and_resume_returns(app, events):
    touch(tile(app, "meal_booking"))
    field = prompt(app)["field_id"]
    press(app, say("ui.staff"))
    assert app.screens.current == "help"
    assert types_of(events, EventType.HANDOFF_REQUESTED)
    press(app, say("ui.help_resume"))
    assert app.screens.current == "question" and prompt(app)["field_id"] == field


def test_staff_pin_goes_to_the_hook(app):
    got = []
    app.controller.staff_entry.handler = lambda pin: got.append(pin) or False
    try:
        press(app, say("ui.staff"))
        open_staff_entry(app)
        assert app.screens.current == "staff_pin"
        for k in "2468":
            press(app, k)
        press(app, say("ui.pin_ok"))
        assert got == ["2468"]
        assert app.screens.current_screen.notice_text == say("ui.pin_wrong")
        assert app.screens.current_screen.pin == ""
    finally:
        app.controller.staff_entry.handler = None


def test_done_returns_home_by_itself_and_forgets_answers(app, events):
    touch(tile(app, "repair_request"))
    ctl = app.controller
    for _ in range(30):
        if app.screens.current != "question":
            break
        if app.screens.current_screen.mode == "ask":
            ctl.voice.hear(sample_transcript(ctl.session.field, ctl.visit.site), 1.0)
            harness.frames(2)
        press(app, say("ui.readback_yes"))
    submit_review(app)
    assert app.screens.current == "done"
    app.screen("done").seconds_left = 1   # the countdown from [ui] done_return_s, shortened
    assert harness.wait_until(lambda: app.screens.current == "home", timeout=3)
    ended = types_of(events, EventType.ENDED)
    assert ended and ended[-1].data["reason"] == "done"
    assert ctl.visit.memory == {} and ctl.session is None


def test_escape_and_close_requests_do_not_quit(app):
    from kivy.core.window import Window

    assert Window.dispatch("on_keyboard", 27, 0, "", []) is True
    assert Window.dispatch("on_request_close") is True
    assert app.screens.current == "home"
