"""Handoff triggers: each one opens a ticket with references only, never personal data."""
from __future__ import annotations

import json
from dataclasses import asdict
from types import SimpleNamespace

import pytest
from staff_support import FORM, Kiosk, fill_prelude, say_all

from kiosk.dialogue.engine import Stage
from kiosk.dialogue.events import EventType
from kiosk.staff import tickets as tk
from kiosk.staff.tickets import HandoffTicket, ticket_number


@pytest.fixture
def kiosk(tmp_path):
    k = Kiosk(tmp_path)
    yield k
    k.close()


def _only_ticket(kiosk) -> HandoffTicket:
    tickets = kiosk.mode.tickets.list()
    assert len(tickets) == 1, tickets
    return tickets[0]


def _no_personal(ticket: HandoffTicket) -> None:
    text = json.dumps(asdict(ticket), ensure_ascii=False, default=str)
    for secret in ("张三", "13812345678", "1381234"):
        assert secret not in text


def test_spoken_help_words_open_a_ticket_in_any_field(kiosk):
    for word in ("人工", "帮忙", "工作人员", "找人"):
        visit = kiosk.visit()
        s = visit.start(FORM)
        fill_prelude(s)
        say_all(s, "张 三", "对")
        s.hear(word)
        assert s.stage is Stage.HANDOFF
    tickets = kiosk.mode.tickets.list()
    assert [t.reason for t in tickets] == [tk.ASKED] * 4
    assert [t.number for t in tickets] == ["A001", "A002", "A003", "A004"]
    for t in tickets:
        assert (t.form_id, t.field_id, t.kiosk_id) == ("repair", "phone", "K01")
        assert t.draft_id and kiosk.store.load_draft(t.draft_id).answers["name"] == "张三"
        _no_personal(t)


def test_button_opens_a_ticket_with_the_ui_reason(kiosk):
    s = kiosk.visit().start(FORM)
    s.request_help(tk.BUTTON)
    t = _only_ticket(kiosk)
    assert (t.reason, t.field_id, t.draft_id) == (tk.BUTTON, "applicant", s.draft_id)
    assert t.reason_text() == "居民点了“找工作人员”"


def test_three_failures_on_one_field_open_a_ticket_and_keep_the_draft(kiosk):
    s = kiosk.visit().start(FORM)
    fill_prelude(s)
    say_all(s, "张 三", "对", "不 知 道", "不 知 道")
    assert kiosk.mode.tickets.list() == []
    s.hear("不 知 道")
    t = _only_ticket(kiosk)
    assert (t.reason, t.field_id) == (tk.ATTEMPTS, "phone")
    assert kiosk.store.load_draft(t.draft_id).answers["name"] == "张三"
    _no_personal(t)


def test_failures_on_the_very_first_field_still_leave_a_draft_for_staff(kiosk):
    s = kiosk.visit().start(FORM)
    say_all(s, "嗯", "嗯", "嗯")
    t = _only_ticket(kiosk)
    assert t.field_id == "applicant" and kiosk.store.load_draft(t.draft_id) is not None


def test_resident_who_stops_answering_gets_a_ticket_before_the_wipe(kiosk):
    visit = kiosk.visit()
    s = visit.start(FORM)
    fill_prelude(s)
    say_all(s, "张 三", "对")
    t = kiosk.mode.desk.resident_idle(s)
    visit.end("timeout")
    assert (t.reason, t.field_id, t.draft_id) == (tk.IDLE, "phone", s.draft_id)
    assert kiosk.store.load_draft(s.draft_id).answers["name"] == "张三"


def test_idle_after_submitting_opens_no_ticket(kiosk):
    s = kiosk.visit().start(FORM)
    s.stage = Stage.DONE
    assert kiosk.mode.desk.resident_idle(s) is None
    assert kiosk.mode.tickets.list() == []


def test_printer_failure_opens_a_ticket_about_the_receipt(kiosk):
    t = kiosk.mode.desk.printer_failed("20261123-K01-0007", "repair")
    assert (t.reason, t.receipt_no, t.draft_id) == (tk.PRINTER, "20261123-K01-0007", None)
    assert kiosk.mode.desk.printer_failed("20261123-K01-0007").id == t.id   # one ticket per receipt


def test_consent_refused_opens_a_ticket(kiosk):
    s = kiosk.visit().start(FORM)
    say_all(s, "本人", "对", "不 同意")
    t = _only_ticket(kiosk)
    assert (t.reason, t.field_id, t.draft_id) == (tk.NO_CONSENT, "consent", s.draft_id)
    assert kiosk.store.load_draft(s.draft_id).answers["applicant"] == "self"


def test_consent_refusal_reported_by_the_engine_as_a_handoff_opens_a_ticket(kiosk):
    s = kiosk.visit().start(FORM)
    s.request_help(tk.NO_CONSENT)
    assert _only_ticket(kiosk).reason == tk.NO_CONSENT


def test_one_open_ticket_per_draft_and_the_chime_hook_fires(kiosk):
    heard = []
    kiosk.mode.desk.on_ticket.append(heard.append)
    s = kiosk.visit().start(FORM)
    say_all(s, "嗯", "嗯", "嗯")
    s.hear("找人")
    assert len(kiosk.mode.tickets.list()) == 1
    assert [t.number for t in heard] == ["A001", "A001"]


def test_resident_finishing_or_cancelling_closes_their_ticket(kiosk):
    s = kiosk.visit().start(FORM)
    s.hear("帮忙")
    s.request_cancel()
    s.confirm(True)
    assert kiosk.mode.tickets.list() == []
    assert kiosk.mode.tickets.list(open_only=False)[0].outcome == tk.RESIDENT_CANCELLED


def test_ticket_numbers_restart_each_day_and_are_speakable(kiosk):
    kiosk.mode.desk.printer_failed("R1")
    kiosk.clock.advance(24 * 3600)
    t = kiosk.mode.desk.printer_failed("R2")
    assert t.number == "A001" and t.spoken() == "A 零 零 一"
    assert [ticket_number(n) for n in (1, 12, 999, 1000)] == ["A001", "A012", "A999", "B001"]


def test_a_broken_ticket_table_never_stops_the_resident(kiosk):
    s = kiosk.visit().start(FORM)
    kiosk.store.db.close()                          # every ticket write now fails
    s.hear("帮忙")
    assert s.stage is Stage.HANDOFF
    assert any(e.type is EventType.HANDOFF_REQUESTED for e in kiosk.events)


class _Controller:
    """The attributes of kiosk.ui.controller.KioskController that the staff wiring uses."""

    def __init__(self, kiosk):
        self.listeners = []
        self.staff_call = SimpleNamespace(handler=None)    # kiosk.ui.staff_call.StaffCall's hook
        self.staff_entry = SimpleNamespace(handler=None)   # kiosk.ui.staff_entry.StaffEntry's hook
        self.visit = None
        self._kiosk = kiosk

    def begin(self):
        from staff_support import SITE, TODAY

        from kiosk.dialogue.engine import Visit
        self.visit = Visit(SITE, self._kiosk.store, TODAY)
        self.visit.subscribe(lambda e: self.staff_call.handler(e.data) if e.type is EventType.HANDOFF_REQUESTED else None)
        for listener in self.listeners:
            self.visit.subscribe(listener)


def test_wiring_gives_the_help_screen_the_same_ticket_the_desk_keeps(kiosk):
    from kiosk.staff.wiring import install
    unlocked = []
    controller = _Controller(kiosk)
    install(controller, kiosk.mode, unlocked.append)
    controller.begin()
    s = controller.visit.start(FORM)
    say_all(s, "嗯", "嗯", "嗯")                     # 3 failures: the desk's listener opens A001
    assert controller.staff_call.handler({"reason": "button", "form_id": "repair", "field_id": "applicant",
                                       "draft_id": s.draft_id}) == "A001"
    s.hear("找人")
    assert len(kiosk.mode.tickets.list()) == 1
    assert kiosk.mode.desk.live_session(s.draft_id) is s
    assert controller.staff_entry.handler("000000") is False and "还可以再试 4 次" in kiosk.mode.last_pin_message
    from staff_support import PIN
    assert controller.staff_entry.handler(PIN) is True and unlocked[0].staff_id == "S01"
