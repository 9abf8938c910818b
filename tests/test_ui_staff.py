"""Handoff and assisted mode on the live kiosk, by real taps on the headless window.

The full handoff: a resident fails a field three times -> a ticket -> the help screen shows its
number -> staff enter the PIN -> open the ticket -> finish the form with the answer widgets ->
submit -> the receipt prints on the memory printer -> the audit log holds every staff action.
Also: PIN lockout, staff idle logout, resident idle and printer tickets, the handoff slip and
its QR, the print queue, the day summary, staff exit, and anonymous feedback on the Done screen.
"""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import datetime as dt

import pytest
from ui_support import open_staff_entry, pick_date, press, submit_review, touch

from kiosk.dialogue.events import EventType
from kiosk.dialogue.sample import SAMPLE_PHONE, sample_transcript
from kiosk.ui import harness
from kiosk.voices import say

PIN = "482913"


@pytest.fixture
def app():
    app = harness.kiosk_app()
    mode = app.staff_mode
    assert mode is not None, "assisted mode must be on in the harness (SQLite store)"
    if "S01" not in mode.pins.staff_ids():
        mode.pins.set_pin("S01", PIN)
    harness.fresh(app)
    printer = app.print_service.printer
    printer.heal()
    printer.jobs.clear()
    yield app
    if app.staff.session is not None:
        app.staff.logout()
    printer.heal()
    with mode.db.transaction("test reset pin state") as conn:
        conn.execute("UPDATE staff_pin_state SET failures = 0, locked_until = 0 WHERE id = 1")
    harness.fresh(app)


def press_starting(app, prefix: str) -> None:
    """Tap the visible button whose text starts with `prefix` (list rows)."""
    from kiosk.ui.touch import buttons

    screen = app.screens.current_screen
    if hasattr(screen, "turn") and screen.page:
        screen.turn(-screen.page)         # lists are paged: look from the first page on
        harness.frames(2)
    for _ in range(10):
        hits = [b for b in buttons(screen) if getattr(b, "text", "").startswith(prefix)]
        if hits:
            touch(hits[0])
            return
        if not hasattr(screen, "pages") or screen.page >= screen.pages - 1:
            break
        press(app, say("ui.review_next_page"))
    pytest.fail(f"no button starting {prefix!r} on {app.screens.current}")


def prompt(app) -> dict:
    return app.screens.get_screen("question").prompt_data


def start(app, form_id: str) -> None:
    harness.frames(3)
    home = app.screens.get_screen("home")
    touch(next(t for t in home.ids.tiles.children if t.form_id == form_id))
    assert app.screens.current == "question"


def answer_by_voice_until(app, field_type: str) -> None:
    """Earlier questions through the speech path (fast), until a field of this type is asked."""
    ctl = app.controller
    for _ in range(20):
        if app.screens.current == "question" and app.screens.current_screen.mode == "ask" \
                and prompt(app)["field_type"] == field_type:
            return
        if app.screens.current_screen.mode == "ask":
            ctl.voice.hear(sample_transcript(ctl.session.field, ctl.visit.site), 1.0)
            harness.frames(2)
        press(app, say("ui.readback_yes"))
    pytest.fail(f"never reached a {field_type} question")


def fail_three_times_on_address(app) -> None:
    start(app, "repair_request")
    answer_by_voice_until(app, "address")
    for _ in range(3):
        press(app, say("ui.ok"))          # nothing chosen: refused each time


def login(app) -> None:
    if app.screens.current != "help":
        press(app, say("ui.staff"))
    open_staff_entry(app)
    assert app.screens.current == "staff_pin"
    for k in PIN:
        press(app, k)
    press(app, say("ui.pin_ok"))
    assert app.screens.current == "staff_menu", app.screens.get_screen("staff_pin").notice_text


def finish_with_widgets(app) -> None:
    """On the case screen: open each missing answer and give it with that field type's widget."""
    case = app.staff.case
    for _ in range(12):
        missing = case.missing()
        if not missing:
            return
        f = case.field(missing[0])
        press_starting(app, f"{f.label}：")
        assert app.screens.current == "staff_edit"
        t = f.type.value
        if t == "address":
            site = app.staff.mode.site
            press(app, site.buildings[2])
            press(app, site.units[1])
            for k in "502":
                press(app, k)
            press(app, say("ui.ok"))
        elif t == "yes_no":
            press(app, say("ui.yes"))
        elif t == "choice":
            press(app, f.choices[-1].label)
        elif t == "date":
            pick_date(app)            # decade, year, month, day: the day tap answers
        elif t == "phone":
            for k in SAMPLE_PHONE:
                press(app, k)
            press(app, say("ui.ok"))
        else:
            pytest.fail(f"no widget plan for {t}")
        assert app.screens.current == "staff_case", app.screens.current_screen.notice_text
        assert app.screens.current_screen.notice_text == say("staff.ui.saved", label=f.label)
    pytest.fail("form never completed")


def test_full_handoff_three_failures_to_staff_submission_printed_and_audited(app, events):
    fail_three_times_on_address(app)
    assert [e for e in events if e.type is EventType.ASSISTANCE_OFFERED]
    mode = app.staff_mode
    ticket = [t for t in mode.tickets.list() if t.draft_id == app.controller.session.draft_id][0]
    assert (ticket.reason, ticket.field_id) == ("attempts", "address")

    press(app, say("ui.staff"))
    help_screen = app.screens.current_screen
    assert app.screens.current == "help"
    assert help_screen.ids.ticket.text == ticket.number          # same ticket, shown huge
    assert help_screen.ids.ticket.font_size > app.theme.digits_size
    spoken = app.controller.voice.speaker.said[-1]
    assert spoken.startswith("工作人员马上就来帮您") and ticket.number[0] in spoken
    assert app.controller.chime.rung >= 1

    login(app)
    since = mode.audit.entries()[-1].id            # the login
    resident = app.controller.session
    press_starting(app, say("staff.ui.menu_tickets", n=len(mode.tickets.list()))[:5])
    assert app.screens.current == "staff_tickets"
    press_starting(app, ticket.number)
    assert app.screens.current == "staff_case"
    case = app.staff.case
    assert case.live is resident and case.answers is resident.answers   # nothing the resident said is lost
    finish_with_widgets(app)

    press(app, say("staff.ui.submit"))
    assert app.screens.current == "staff_case"
    receipt = case.submitted.receipt_no
    assert receipt in app.screens.current_screen.notice_text and say("staff.ui.receipt_printed") in app.screens.current_screen.notice_text
    assert receipt.encode() in app.print_service.printer.output
    stored = app.runtime.store.get_submission(receipt)
    assert stored.answers["phone"] == SAMPLE_PHONE
    assert stored.answers["address"] == {"building": "3号楼", "unit": "2单元", "room": "502"}
    assert stored.answers["_assisted"]["staff"] == ["S01"]
    assert mode.tickets.get(ticket.id).outcome == "submitted"

    log = [e for e in mode.audit.entries() if e.id >= since]
    actions = [e.action for e in log]
    assert actions[:3] == ["login", "draft_open", "ticket_take"] and actions[-1] == "submit"
    assert log[2].target == ticket.number and log[-1].new == receipt
    edited = [e.field for e in log if e.action == "edit"]
    assert set(edited) == {"address", "urgent", "needs_visit", "visit_date", "visit_time", "phone"}
    assert len(edited) == len(set(edited))                       # each change exactly once
    assert all(e.staff == "S01" for e in log)
    phone_row = next(e for e in log if e.field == "phone")
    assert SAMPLE_PHONE not in phone_row.new and phone_row.new.endswith(SAMPLE_PHONE[-4:])


def test_refused_value_is_kept_only_with_a_reason_and_audited(app):
    fail_three_times_on_address(app)
    login(app)
    press(app, say("staff.ui.menu_take_over"))
    assert app.screens.current == "staff_case"
    press_starting(app, "联系电话：")
    for k in "138":
        press(app, k)
    press(app, say("ui.ok"))
    edit = app.screens.current_screen
    assert app.screens.current == "staff_edit" and edit.notice_text      # why it was refused
    press(app, say("staff.ui.reason_checked"))
    assert app.screens.current == "staff_case"
    entry = [e for e in app.staff_mode.audit.entries(target=app.staff.case.draft_id) if e.action == "override"]
    assert len(entry) == 1 and entry[0].field == "phone" and entry[0].reason == say("staff.ui.reason_checked")
    assert app.staff.case.answers["phone"] == "138"
    press(app, say("staff.ui.hand_back"))
    assert app.screens.current == "question" and prompt(app)["field_type"] == "address"


def test_wrong_pin_five_times_locks_entry_with_the_minutes(app):
    press(app, say("ui.staff"))
    open_staff_entry(app)
    screen = app.screens.current_screen
    for attempt in range(1, 6):
        for k in "999999":
            press(app, k)
        press(app, say("ui.pin_ok"))
        if attempt < 5:
            assert screen.notice_text == say("staff.pin_wrong", attempts_left=5 - attempt)
    assert screen.notice_text == say("staff.pin_locked", minutes=5)
    for k in PIN:                       # even the right PIN is refused while locked
        press(app, k)
    press(app, say("ui.pin_ok"))
    assert app.screens.current == "staff_pin" and screen.notice_text == say("staff.pin_locked", minutes=5)
    assert any(e.action == "pin_lockout" for e in app.staff_mode.audit.entries())
    press(app, say("ui.pin_back"))
    press(app, say("ui.staff"))
    open_staff_entry(app)
    assert screen.notice_text == say("staff.pin_locked", minutes=5)   # said before typing, too


def test_staff_idle_logout_returns_home(app):
    login(app)
    press(app, say("staff.ui.menu_day"))
    assert app.screens.current == "staff_day"
    session = app.staff.session
    session.last_active -= dt.timedelta(seconds=app.settings.staff.idle_logout_s + 1)
    assert harness.wait_until(lambda: app.screens.current == "home", timeout=3)
    assert session.ended == "idle" and app.staff.session is None
    last = app.staff_mode.audit.entries()[-1]
    assert (last.action, last.reason) == ("logout", "idle")


def test_resident_who_stops_mid_form_gets_a_ticket_before_the_wipe(app):
    start(app, "repair_request")
    answer_by_voice_until(app, "address")
    session = app.controller.session
    app.controller.timeout.expire()       # what the idle watch calls after the last extension
    harness.frames(2)
    assert app.screens.current == "home" and app.controller.session is None
    ticket = [t for t in app.staff_mode.tickets.list() if t.draft_id == session.draft_id]
    assert ticket and ticket[0].reason == "idle" and ticket[0].field_id == "address"
    assert app.runtime.store.load_draft(session.draft_id) is not None   # kept for staff
    login(app)
    press_starting(app, say("staff.ui.menu_tickets", n=0)[:5])
    press_starting(app, ticket[0].number)
    assert app.screens.current == "staff_case" and app.staff.case.live is None
    assert app.staff.case.answers.get("problem")


def submit_repair_by_voice(app) -> str:
    start(app, "repair_request")
    ctl = app.controller
    for _ in range(30):
        if app.screens.current != "question":
            break
        if app.screens.current_screen.mode == "ask":
            ctl.voice.hear(sample_transcript(ctl.session.field, ctl.visit.site), 1.0)
            harness.frames(2)
        press(app, say("ui.readback_yes"))
    submit_review(app)            # 确认提交 is offered once every review page was seen
    assert app.screens.current == "done"
    return app.screens.current_screen.receipt_no


def test_printer_failure_opens_a_ticket_and_staff_reprint_from_the_queue(app):
    app.print_service.printer.fail_with("paper_out", times=1)
    receipt = submit_repair_by_voice(app)
    assert harness.wait_until(lambda: any(t.receipt_no == receipt for t in app.staff_mode.tickets.list()))
    press(app, say("ui.done_finished"))
    press(app, say("feedback.skip"))
    login(app)
    press_starting(app, say("staff.ui.menu_print", n=0)[:4])
    assert app.screens.current == "staff_print"
    press_starting(app, receipt)
    press(app, say("staff.ui.reprint"))
    assert app.screens.current_screen.notice_text == say("print_done")
    assert receipt.encode() in app.print_service.printer.output
    assert not any(t.receipt_no == receipt for t in app.staff_mode.tickets.list())
    assert [e.action for e in app.staff_mode.audit.entries(target=receipt)] == ["reprint"]


def test_handoff_slip_qr_opens_the_same_draft_at_the_desk(app):
    from kivy.core.window import Window

    from kiosk.ui.staff_slip import parse_slip

    start(app, "repair_request")
    answer_by_voice_until(app, "address")
    draft_id = app.controller.session.draft_id
    press(app, say("ui.staff"))
    number = app.screens.current_screen.ticket
    press(app, say("ui.help_print_slip"))
    assert harness.wait_until(lambda: app.screens.current_screen.slip_status == say("ui.help_slip_done"))
    slip = app.print_service.printer.output
    assert number.encode() in slip
    payload = slip[slip.index(b"KIOSK-HANDOFF"):].split(b"\x1d", 1)[0].decode()
    ref = parse_slip(payload)
    assert (ref.number, ref.draft_id) == (number, draft_id)
    assert "张" not in payload and SAMPLE_PHONE not in payload       # references only
    login(app)
    press_starting(app, say("staff.ui.menu_tickets", n=0)[:5])
    for ch in payload:                   # the desk scanner types the QR and Enter
        Window.dispatch("on_textinput", ch)
    Window.dispatch("on_key_down", 13, 0, "\r", [])
    harness.frames(2)
    assert app.screens.current == "staff_case" and app.staff.case.draft_id == draft_id


def test_day_summary_and_exit_only_through_the_staff_menu(app, monkeypatch):
    login(app)
    press(app, say("staff.ui.menu_day"))
    day = app.screens.current_screen
    assert app.staff_mode.today().isoformat() in day.intro_text
    press(app, say("staff.ui.to_menu"))
    stopped = []
    monkeypatch.setattr(app, "stop", lambda *a: stopped.append(True))
    press(app, say("staff.ui.menu_exit"))
    assert not stopped and app.screens.current_screen.notice_text == say("staff.ui.exit_confirm")
    press(app, say("staff.ui.exit_really"))
    assert stopped and app.exiting
    assert app.staff_mode.audit.entries()[-2].action == "kiosk_exit"
    app.exiting = False


def test_feedback_tap_is_stored_with_no_link_to_the_applicant(app):
    receipt = submit_repair_by_voice(app)
    with app.staff_mode.db.read("test drafts") as conn:
        draft_ids = {r[0] for r in conn.execute("SELECT draft_id FROM submissions")}
    before = app.staff_mode.feedback.summary(app.staff_mode.today()).total("good")
    press(app, say("ui.done_finished"))               # 办完了: one question before Home
    assert app.screens.current == "feedback"
    press(app, say("feedback.good"))
    assert app.screens.current_screen.message == say("feedback.thanks")
    summary = app.staff_mode.feedback.summary(app.staff_mode.today())
    assert summary.total("good") == before + 1 and summary.ratings["repair_request"]["good"] >= 1
    assert harness.wait_until(lambda: app.screens.current == "home", timeout=5)
    assert app.controller.session is None and app.controller.visit.memory == {}
    with app.staff_mode.db.read("test feedback") as conn:
        cols = [r[1] for r in conn.execute("PRAGMA table_info(staff_feedback)")]
        rows = conn.execute("SELECT * FROM staff_feedback").fetchall()
    assert set(cols) == {"id", "day", "form_id", "rating", "comment"}
    flat = " ".join(str(v) for r in rows for v in r)
    assert receipt not in flat and not any(d and d in flat for d in draft_ids)


def test_feedback_can_be_skipped_and_is_not_asked_when_nobody_tapped(app):
    submit_repair_by_voice(app)
    before = app.staff_mode.feedback.summary(app.staff_mode.today()).total()
    press(app, say("ui.done_finished"))
    press(app, say("feedback.skip"))
    assert app.screens.current == "home"
    submit_repair_by_voice(app)
    app.screen("done").seconds_left = 1              # the Done countdown runs out
    assert harness.wait_until(lambda: app.screens.current == "home", timeout=3)
    assert app.staff_mode.feedback.summary(app.staff_mode.today()).total() == before
