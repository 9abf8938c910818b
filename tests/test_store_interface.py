"""The whole store interface on both stores: staff mode, print queue and sync run on the in-memory
twin; extra rows join the submission's transaction; receipts nobody saw are listed for staff."""
from __future__ import annotations

import inspect
import json
import uuid

import httpx
import pytest
from staff_support import (
    FAST_KDF,
    FORM,
    FORMS,
    PIN,
    SITE,
    TODAY,
    FakeClock,
    fill_prelude,
    say_all,
)

from kiosk.config import PrinterSettings, StaffSettings
from kiosk.dialogue.engine import Visit
from kiosk.printing.printers import MemoryPrinter
from kiosk.printing.queue import PrintQueue
from kiosk.printing.receipt import Receipt
from kiosk.printing.service import PrintService
from kiosk.staff.mode import AssistedMode
from kiosk.store import (
    Draft,
    MemoryStore,
    ScryptParams,
    SqliteStore,
    StoreError,
    SubmissionStore,
)
from kiosk.sync.client import SyncClient
from kiosk.voices import say


@pytest.fixture(params=["sqlite", "memory"])
def store(request, tmp_path):
    clock = FakeClock()
    if request.param == "sqlite":
        s = SqliteStore(tmp_path / "kiosk.db", "K01", secret="staff-secret", kdf=ScryptParams(n=2 ** 10),
                        clock=clock)
    else:
        s = MemoryStore("K01", clock=clock)
    yield s
    s.close()


def a_draft(**answers) -> Draft:
    answers = answers or {"name": "王建国", "phone": "13900001111", "kind": "water", "visit": False}
    return Draft(uuid.uuid4().hex, "repair", answers, {"name", "phone"} & set(answers), step="visit")


def receipt_for(sub) -> Receipt:
    return Receipt(centre_name="测试社区服务中心", title="报事报修", receipt_no=sub.receipt_no,
                   created_at=sub.created_at, qr_data=f"{sub.receipt_no} {sub.check_code}", help_line="12345")


def test_every_protocol_member_exists_with_the_same_signature_on_both_stores():
    members = [n for n in dir(SubmissionStore) if not n.startswith("_")]
    assert {"submit", "db", "outbox", "keyring", "unlocked", "draft_ids", "unshown_receipts"} <= set(members) | set(
        SubmissionStore.__annotations__)
    for name in members:
        proto = getattr(SubmissionStore, name)
        if callable(proto):
            assert inspect.signature(getattr(MemoryStore, name)).parameters.keys() >= \
                inspect.signature(proto).parameters.keys() - {"secret"}, name


def test_memory_store_is_sqlite_on_memory_and_satisfies_the_protocol():
    s = MemoryStore("K09")
    assert isinstance(s, SubmissionStore) and s.db.in_memory and s.unlocked
    sub = s.submit(a_draft())
    # Personal values are sealed in the twin too, and open while it is unlocked.
    with s.db.read() as conn:
        payload = conn.execute("SELECT payload FROM submissions").fetchone()[0]
    assert "王建国" not in payload and "13900001111" not in payload
    s.lock()
    assert not s.unlocked
    with pytest.raises(StoreError) as err:
        s.get_submission(sub.receipt_no)
    assert err.value.code == "locked"
    assert s.get_submission(sub.receipt_no, reveal=False).answers == {"kind": "water", "visit": False}
    s.unlock()
    assert s.get_submission(sub.receipt_no).answers["name"] == "王建国"


def test_print_job_written_in_the_submission_transaction(store):
    queue = PrintQueue(store.db)
    sub = store.submit(a_draft(), in_transaction=lambda s: queue.enqueue(receipt_for(s)))
    jobs = queue.pending()
    assert [j.receipt_no for j in jobs] == [sub.receipt_no]


def test_a_failing_callback_stores_nothing(store):
    queue = PrintQueue(store.db)
    d = a_draft()
    store.save_draft(d)

    def enqueue_then_fail(s):
        queue.enqueue(receipt_for(s))
        raise RuntimeError("printer queue broke")

    with pytest.raises(RuntimeError):
        store.submit(d, in_transaction=enqueue_then_fail)
    assert store.receipt_numbers() == [] and queue.pending() == []
    assert store.outbox.count_pending() == 0
    assert store.load_draft(d.draft_id) is not None          # the resident's answers are kept
    # The retry gets receipt 0001 (the failed attempt used no number) and exactly one job.
    sub = store.submit(d, in_transaction=lambda s: queue.enqueue(receipt_for(s)))
    assert sub.receipt_no.endswith("-0001") and len(queue.pending()) == 1


def test_repeated_submit_does_not_queue_a_second_job(store):
    queue = PrintQueue(store.db)
    d = a_draft()
    first = store.submit(d, in_transaction=lambda s: queue.enqueue(receipt_for(s)))
    again = store.submit(d, in_transaction=lambda s: queue.enqueue(receipt_for(s)))
    assert again.receipt_no == first.receipt_no and len(queue.pending()) == 1


def test_receipts_nobody_saw_are_listed_until_marked(store):
    a, b = store.submit(a_draft()), store.submit(a_draft())
    assert [r[0] for r in store.unshown_receipts()] == [a.receipt_no, b.receipt_no]
    store.mark_receipt_shown(a.receipt_no)
    assert [(r[0], r[1]) for r in store.unshown_receipts()] == [(b.receipt_no, "repair")]


def test_unshown_receipts_survive_a_restart(tmp_path):
    path = tmp_path / "kiosk.db"
    with SqliteStore(path, "K01", secret="staff-secret", kdf=ScryptParams(n=2 ** 10)) as s:
        seen, lost = s.submit(a_draft()), s.submit(a_draft())
        s.mark_receipt_shown(seen.receipt_no)
    with SqliteStore(path, "K01") as again:
        assert [r[0] for r in again.unshown_receipts()] == [lost.receipt_no]


def test_staff_mode_and_print_service_run_on_the_memory_store():
    clock = FakeClock()
    store = MemoryStore(SITE.kiosk_id, clock=clock)
    printer = MemoryPrinter()
    printing = PrintService(printer, PrintQueue(store.db, clock), PrinterSettings(type="memory"))
    mode = AssistedMode(store, SITE, FORMS, StaffSettings(), printing=printing, clock=clock, kdf=FAST_KDF)
    mode.pins.set_pin("S01", PIN)
    visit = Visit(SITE, store, TODAY)
    mode.desk.attach(visit)
    s = visit.start(FORM)
    fill_prelude(s)
    say_all(s, "张 三", "对", "不 知 道", "不 知 道", "不 知 道")     # stuck on the phone number
    visit.end("timeout")
    staff = mode.login(PIN)
    assert [i.draft_id for i in staff.drafts()] == [s.draft_id]
    case = staff.open_draft(s.draft_id)
    for field_id, value in (("phone", "13812345678"), ("kind", "light"), ("visit", False)):
        case.set(field_id, value)
    result = case.submit()
    assert store.receipt_numbers() == [result.submission.receipt_no]
    assert store.get_submission(result.submission.receipt_no).answers["name"] == "张三"
    assert printer.jobs and mode.audit.verify() == []


def test_sync_client_sends_from_the_memory_store():
    store = MemoryStore("K01")
    sub = store.submit(a_draft())
    bodies: list[dict] = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "GET":                      # the central's audit anchor: none yet
            return httpx.Response(200, json={})
        body = json.loads(request.content)
        bodies.append(body)
        if request.method == "PUT":
            return httpx.Response(200, json={"ok": True})
        return httpx.Response(200, json={"accepted": [i["uuid"] for i in body["items"]], "rejected": []})

    with SyncClient(store, "https://central.invalid", "t", "K01", transport=httpx.MockTransport(handler)) as c:
        report = c.sync_once()
    assert report.sent == 1 and store.outbox.count_pending() == 0
    sent = json.dumps(bodies, ensure_ascii=False)
    assert sub.uuid in sent and "王建国" not in sent


def test_a_restart_gives_staff_a_ticket_for_each_receipt_nobody_saw(tmp_path):
    path = tmp_path / "kiosk.db"
    with SqliteStore(path, "K01", secret="staff-secret", kdf=ScryptParams(n=2 ** 10)) as s:
        seen = s.submit(a_draft())
        s.mark_receipt_shown(seen.receipt_no)
        lost = s.submit(a_draft())          # the kiosk died before the Done screen
    clock = FakeClock()
    with SqliteStore(path, "K01", clock=clock) as again:
        mode = AssistedMode(again, SITE, FORMS, StaffSettings(), clock=clock, kdf=FAST_KDF)
        tickets = mode.tickets_for_unseen_receipts()
        assert [(t.reason, t.receipt_no) for t in tickets] == [("unseen_receipt", lost.receipt_no)]
        assert mode.tickets_for_unseen_receipts() == []          # once, not at every start
        assert [t.receipt_no for t in mode.tickets.list()] == [lost.receipt_no]


def test_console_marks_the_printed_receipt_seen():
    import io

    from test_console import FORMS as REAL_FORMS
    from test_console import script_for

    from kiosk.console import run_console

    form = next(iter(REAL_FORMS.values()))
    store = MemoryStore("K01")
    receipt = run_console(Visit(SITE, store), form, iter(script_for(form)), io.StringIO(), as_json=True)
    assert receipt is not None and store.receipt_numbers() == [receipt]
    assert store.unshown_receipts() == []


class BrokenDraftStore(MemoryStore):
    """Draft saves fail as on a full disk; submit still works (the answers were kept in memory)."""

    def save_draft(self, draft):
        raise StoreError("io", "disk full (test)")


def test_a_failed_draft_save_tells_the_resident_once_and_opens_a_staff_ticket():
    from kiosk.dialogue.events import EventType

    clock = FakeClock()
    store = BrokenDraftStore(SITE.kiosk_id, clock=clock)
    mode = AssistedMode(store, SITE, FORMS, StaffSettings(), clock=clock, kdf=FAST_KDF)
    visit = Visit(SITE, store, TODAY)
    mode.desk.attach(visit)
    events = []
    visit.subscribe(events.append)
    s = visit.start(FORM)
    fill_prelude(s)
    say_all(s, "张 三", "对", "一 三 八 一 二 三 四 五 六 七 八", "对")
    failed = [e for e in events if e.type is EventType.DRAFT_SAVE_FAILED]
    assert len(failed) == 1 and failed[0].to_dict()["code"] == "io"
    assert "找工作人员" in say("draft_save_failed") and "还在" in say("draft_save_failed")   # what the UI shows
    assert [t.reason for t in mode.tickets.list()] == ["store_failed"]
    assert s.answers["name"] == "张三"           # kept in memory
