"""Retention on the kiosk: records past their form's retention_days go, with their outbox rows,
print jobs and tickets; audit values are blanked; the purge is counted in the audit log."""
from __future__ import annotations

import datetime as dt
import uuid

from staff_support import FakeClock

from kiosk.cli import main
from kiosk.printing.queue import PrintQueue
from kiosk.printing.receipt import Receipt
from kiosk.staff.audit import AuditLog
from kiosk.staff.tickets import TicketBook
from kiosk.store import Draft, ScryptParams, SqliteStore
from kiosk.store.retention import purge_all

SECRET = "retention-tests-Hq2Xv9Lp"
RETENTION = {"repair": 365, "meal": 30}


def a_draft(form_id: str, name: str = "王建国") -> Draft:
    return Draft(uuid.uuid4().hex, form_id, {"name": name, "note": "楼上漏水"}, {"name", "note"})


def receipt_for(sub) -> Receipt:
    return Receipt(centre_name="测试社区服务中心", title="报事报修", receipt_no=sub.receipt_no,
                   created_at=sub.created_at, qr_data=sub.receipt_no, help_line="12345")


def kiosk_with_history(tmp_path, clock):
    store = SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET, kdf=ScryptParams(n=2 ** 10), clock=clock)
    queue, tickets, audit = PrintQueue(store.db, clock), TicketBook(store.db, "K01", clock), AuditLog(store.db, clock)
    old_repair = store.submit(a_draft("repair"), in_transaction=lambda s: queue.enqueue(receipt_for(s)))
    old_meal = store.submit(a_draft("meal"), in_transaction=lambda s: queue.enqueue(receipt_for(s)))
    tickets.open("printer", form_id="repair", receipt_no=old_repair.receipt_no)
    audit.record("S01", "edit", "D1", "name", "王*国", "李*")
    return store, queue, tickets, audit, old_repair, old_meal


def test_an_800_day_old_submission_is_gone_with_everything_hanging_off_it(tmp_path):
    clock = FakeClock()
    store, queue, tickets, audit, old_repair, old_meal = kiosk_with_history(tmp_path, clock)
    clock.advance(40 * 86400)                      # meal (30 days) expired, repair (365) not yet
    report = purge_all(store, RETENTION, draft_hours=72, clock=clock)
    assert report.counts["submissions"] == 1 and report.counts["outbox"] == 1 and report.counts["print_jobs"] == 1
    assert store.receipt_numbers() == [old_repair.receipt_no]
    clock.advance(760 * 86400)                     # 800 days after the first submissions
    young = store.submit(a_draft("repair"))
    report = purge_all(store, RETENTION, draft_hours=72, clock=clock)
    assert report.counts == {"drafts": 0, "outbox": 1, "print_jobs": 1, "tickets": 1, "submissions": 1,
                             "audit_values": 1}
    assert store.receipt_numbers() == [young.receipt_no]
    assert store.get_submission(old_repair.receipt_no) is None and store.get_submission(old_meal.receipt_no) is None
    assert [i.submission_uuid for i in store.outbox.pending()] == [young.uuid]
    assert queue.latest_for(old_repair.receipt_no) is None and tickets.list(open_only=False) == []
    entries = audit.entries()
    assert entries[0].old == "" and entries[0].new == ""              # values blanked, row kept
    purges = [e for e in entries if e.action == "retention_purge"]
    assert [e.new for e in purges] == [
        "drafts=0 outbox=1 print_jobs=1 tickets=0 submissions=1 audit_values=0",
        "drafts=0 outbox=1 print_jobs=1 tickets=1 submissions=1 audit_values=1"]
    assert audit.verify(store.keyring) == []                          # the chain still proves
    assert purge_all(store, RETENTION, draft_hours=72, clock=clock).total == 0
    store.close()


def test_kiosk_store_purge_command_applies_the_forms_retention(tmp_path, monkeypatch, capsys):
    from kiosk.catalogue.loader import load_catalogue
    from kiosk.config import REPO_DIR

    form = next(iter(load_catalogue(REPO_DIR / "forms").forms.values()))
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_STAFF_SECRET", SECRET)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    past = FakeClock(dt.datetime.now().astimezone() - dt.timedelta(days=800))
    with SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET, kdf=ScryptParams(n=2 ** 10), clock=past) as s:
        s.mark_demo(False)
        old = s.submit(a_draft(form.id))
    with SqliteStore(tmp_path / "kiosk.db", "K01") as s:
        recent = s.submit(a_draft(form.id))
    assert main(["store", "purge"]) == 0
    out = capsys.readouterr().out
    assert "submissions=1" in out and "outbox=1" in out and "王建国" not in out
    with SqliteStore(tmp_path / "kiosk.db", "K01") as s:
        assert s.receipt_numbers() == [recent.receipt_no] and old.receipt_no not in s.receipt_numbers()


def test_the_running_kiosk_purges_with_its_runtime(tmp_path, monkeypatch):
    from kiosk.config import load_settings
    from kiosk.runtime import open_runtime

    monkeypatch.setenv("KIOSK_STAFF_SECRET", SECRET)
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path)})
    runtime = open_runtime(settings)
    form = next(iter(runtime.catalogue.forms.values()))
    sub = runtime.store.submit(a_draft(form.id))
    later = FakeClock(sub.created_at + dt.timedelta(days=form.retention_days + 1))
    assert runtime.purge_old_drafts(clock=later) >= 2          # the submission and its outbox row
    assert runtime.store.receipt_numbers() == []
    runtime.store.close()
