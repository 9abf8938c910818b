"""Assisted mode without UI: the full handoff, takeover, overrides, races, purged drafts."""
from __future__ import annotations

from datetime import timedelta

import pytest
from staff_support import FAST_KDF, FORM, FORMS, PIN, SITE, Kiosk, fill_prelude, say_all

from kiosk.dialogue.engine import Stage
from kiosk.dialogue.events import EventType
from kiosk.staff.case import ASSISTED_KEY
from kiosk.staff.errors import DraftGone, NeedsReason, StaffError, StaleDraft
from kiosk.staff.mode import AssistedMode
from kiosk.staff.tickets import ATTEMPTS, DONE, DRAFT_GONE


@pytest.fixture
def kiosk(tmp_path):
    k = Kiosk(tmp_path)
    yield k
    k.close()


def _stuck_on_phone(kiosk):
    visit = kiosk.visit()
    s = visit.start(FORM)
    fill_prelude(s)
    say_all(s, "张 三", "对", "不 知 道", "不 知 道", "不 知 道")
    return visit, s


def test_full_handoff_from_three_failures_to_printed_receipt_and_audit(kiosk):
    visit, s = _stuck_on_phone(kiosk)
    ticket = kiosk.mode.tickets.list()[0]
    assert (ticket.reason, ticket.field_id) == (ATTEMPTS, "phone")

    staff = kiosk.mode.login(PIN)
    case = staff.open_ticket(ticket.number)
    assert case.live is s and case.answers is s.answers      # the resident's own answers, nothing lost
    assert case.missing() == ["phone", "kind", "visit"]
    assert case.set("phone", "138 1234 5678") == "13812345678"
    case.set("kind", "water")
    case.set("visit", False)
    result = case.submit()

    receipt = result.submission.receipt_no
    assert result.printed.ok and receipt.encode() in kiosk.printer.output
    stored = kiosk.store.get_submission(receipt)
    assert stored.answers["name"] == "张三" and stored.answers["phone"] == "13812345678"
    assert stored.answers[ASSISTED_KEY] == {"staff": ["S01"], "overrides": []}
    assert kiosk.mode.tickets.get(ticket.id).outcome == DONE
    assert visit.session is None and kiosk.events[-1].data["reason"] == "staff_submitted"

    log = kiosk.mode.audit.entries()
    assert [(e.action, e.field) for e in log] == [
        ("login", ""), ("draft_open", ""), ("ticket_take", ""),
        ("edit", "phone"), ("edit", "kind"), ("edit", "visit"), ("submit", "")]
    assert log[3].new == "138****5678" and log[-1].new == receipt
    assert all(e.staff == "S01" for e in log)
    summary = staff.day_summary()
    assert summary.activity.services["repair"].staff_submitted == 1
    assert summary.activity.stuck[0].field_id == "phone"


def test_staff_finish_a_stored_draft_after_the_resident_walked_away(kiosk):
    visit, s = _stuck_on_phone(kiosk)
    kiosk.mode.desk.resident_idle(s)
    visit.end("timeout")
    staff = kiosk.mode.login(PIN)
    assert [d.draft_id for d in staff.drafts()] == [s.draft_id]
    case = staff.open_draft(s.draft_id)
    assert case.live is None and case.answers["name"] == "张三"
    for field_id, value in (("phone", "13812345678"), ("kind", "light"), ("visit", True), ("people", 2)):
        case.set(field_id, value)
    receipt = case.submit().submission.receipt_no
    assert kiosk.store.load_draft(s.draft_id) is None
    assert kiosk.store.get_submission(receipt).answers["people"] == 2


def test_pin_during_a_resident_session_takes_it_over_without_losing_state(kiosk):
    visit = kiosk.visit()
    s = visit.start(FORM)
    fill_prelude(s)
    say_all(s, "张 三", "对")
    staff = kiosk.mode.login(PIN)
    assert visit.session is s and s.answers["name"] == "张三"     # unlocking changed nothing
    case = staff.take_over()
    assert s.stage is Stage.HANDOFF and kiosk.mode.tickets.list() == []   # no ticket for a takeover
    case.set("phone", "13812345678")
    case.hand_back()
    assert s.stage is Stage.ASK and s.answers["phone"] == "13812345678"
    say_all(s, "漏水", "对", "不", "对")              # the resident carries on by voice
    assert s.answers["kind"] == "water" and s.answers["visit"] is False
    actions = [e.action for e in kiosk.mode.audit.entries()]
    assert actions == ["login", "takeover", "edit", "hand_back"]


def test_invalid_value_needs_a_written_reason_and_the_override_is_audited(kiosk):
    _, s = _stuck_on_phone(kiosk)
    case = kiosk.mode.login(PIN).open_draft(s.draft_id)
    with pytest.raises(NeedsReason) as err:
        case.set("phone", "8812345")
    assert "原因" in err.value.message()
    assert "phone" not in case.answers
    with pytest.raises(NeedsReason):
        case.set("phone", "8812345", reason="  ")
    case.set("phone", "8812345", reason="老人只有座机，已核对")
    assert case.answers["phone"] == "8812345" and case.overrides == ["phone"]
    entry = kiosk.mode.audit.entries()[-1]
    assert (entry.action, entry.field, entry.new, entry.reason) == ("override", "phone", "*****45", "老人只有座机，已核对")
    assert [i.overridden for i in case.items() if i.field_id == "phone"] == [True]


def test_consent_cannot_be_given_by_staff(kiosk):
    s = kiosk.visit().start(FORM)
    say_all(s, "本人", "对", "不 同意")
    case = kiosk.mode.login(PIN).open_ticket("A001")
    with pytest.raises(StaffError, match="consent_is_residents"):
        case.set("consent", False, reason="居民口头同意了的")


def test_changing_an_answer_drops_answers_that_no_longer_apply_and_audits_each(kiosk):
    _, s = _stuck_on_phone(kiosk)
    case = kiosk.mode.login(PIN).open_draft(s.draft_id)
    case.set("visit", True)
    case.set("people", 3)
    case.set("visit", False)
    assert "people" not in case.answers
    tail = [(e.action, e.field, e.old) for e in kiosk.mode.audit.entries()[-2:]]
    assert tail == [("edit", "visit", "true"), ("clear_dependent", "people", "3")]


def test_two_staff_racing_on_one_draft_second_save_fails_and_nothing_is_overwritten(kiosk):
    _, s = _stuck_on_phone(kiosk)
    kiosk.mode.desk.resident_idle(s)
    s.visit.end("timeout")
    desk_pc = AssistedMode(kiosk.store, SITE, FORMS, printing=None, clock=kiosk.clock, kdf=FAST_KDF)
    first = kiosk.mode.login(PIN).open_draft(s.draft_id)
    second = desk_pc.login(PIN).open_draft(s.draft_id)          # another staff session, same draft
    first.set("phone", "13812345678")
    with pytest.raises(StaleDraft) as err:
        second.set("phone", "13900000000")
    assert "重新打开" in err.value.message()
    assert second.answers.get("phone") is None
    assert kiosk.store.load_draft(s.draft_id).answers["phone"] == "13812345678"
    with pytest.raises(StaleDraft):
        second.submit()
    assert kiosk.store.load_draft(s.draft_id) is not None
    third = desk_pc.login(PIN).open_draft(s.draft_id)     # reopened: sees the first change
    assert third.answers["phone"] == "13812345678"
    assert [e.action for e in kiosk.mode.audit.entries()].count("edit") == 1   # the refused save left no trace


def test_ticket_for_a_purged_draft_is_closed_with_a_clear_message(kiosk):
    visit, s = _stuck_on_phone(kiosk)
    visit.end("timeout")
    kiosk.clock.advance(73 * 3600)
    assert kiosk.store.purge_drafts(timedelta(hours=72)) == 1
    staff = kiosk.mode.login(PIN)
    with pytest.raises(DraftGone) as err:
        staff.open_ticket("A001")
    assert "过期" in err.value.message()
    assert kiosk.mode.tickets.list(open_only=False)[0].outcome == DRAFT_GONE


def test_submit_refuses_while_required_answers_are_missing(kiosk):
    _, s = _stuck_on_phone(kiosk)
    case = kiosk.mode.login(PIN).open_draft(s.draft_id)
    with pytest.raises(StaffError) as err:
        case.submit()
    assert "电话" in err.value.message() and "报修类型" in err.value.message()


def test_locked_store_shows_sealed_values_and_refuses_changes(kiosk, tmp_path):
    visit, s = _stuck_on_phone(kiosk)
    visit.end("timeout")
    kiosk.store.lock()
    case = kiosk.mode.login(PIN).open_draft(s.draft_id)
    assert case.locked
    name = [i for i in case.items() if i.field_id == "name"][0]
    assert name.display == "（已加密）" and "张" not in name.masked
    with pytest.raises(StaffError, match="store_locked"):
        case.set("kind", "water")
    kiosk.store.unlock("staff-secret")
    assert kiosk.store.load_draft(s.draft_id).answers["name"] == "张三"


def test_printer_fault_on_a_staff_submission_keeps_the_receipt_queued_and_calls_staff(kiosk):
    _, s = _stuck_on_phone(kiosk)
    kiosk.printer.fail_with("paper_out")
    staff = kiosk.mode.login(PIN)
    case = staff.open_draft(s.draft_id)
    for field_id, value in (("phone", "13812345678"), ("kind", "water"), ("visit", False)):
        case.set(field_id, value)
    result = case.submit()
    receipt = result.submission.receipt_no
    assert not result.printed.ok
    printer_ticket = [t for t in staff.tickets() if t.receipt_no == receipt][0]
    job = staff.print_jobs()[0]
    assert job.receipt_no == receipt and "张三" not in str(job.receipt)
    kiosk.printer.heal()
    assert staff.reprint(job.id).ok and receipt.encode() in kiosk.printer.output
    assert kiosk.mode.tickets.get(printer_ticket.id).outcome == "reprinted"
    assert staff.day_summary().print_pending == 0


def test_staff_can_dismiss_a_queued_receipt(kiosk):
    kiosk.printer.fail_with("offline")
    sub = kiosk.store.submit(__import__("kiosk.store.model", fromlist=["Draft"]).Draft("d1", "repair", {"kind": "water"}))
    outcome = kiosk.printing.print_submission(sub, FORM, SITE)
    kiosk.mode.desk.printer_failed(sub.receipt_no)
    staff = kiosk.mode.login(PIN)
    staff.dismiss_print(outcome.job_id)
    assert staff.print_jobs() == [] and staff.tickets() == []
    assert kiosk.mode.audit.entries()[-1].action == "print_dismiss"


def test_a_live_session_that_submits_itself_while_staff_look_is_not_submitted_twice(kiosk):
    visit = kiosk.visit()
    s = visit.start(FORM)
    fill_prelude(s)
    case = kiosk.mode.login(PIN).take_over()
    case.hand_back()
    say_all(s, "张 三", "对", "幺 三 八 一 二 三 四 五 六 七 八", "对", "漏水", "对", "不", "对", "没有", "对", "提交")
    assert s.stage is Stage.DONE
    assert any(e.type is EventType.SUBMITTED for e in kiosk.events)
    with pytest.raises(StaffError):
        case.submit()     # stage DONE: the store already has it; staff get a clear refusal
