"""Receipt numbers never repeat after data loss, using what the central has seen; items the
central refuses for good are kept aside in the outbox (schema v3), shown and resent only by staff.

Real SQLite files for the kiosk, a real throwaway PostgreSQL and `kiosk central serve`'s app.
"""
from __future__ import annotations

import datetime as dt
import json
import sqlite3
from pathlib import Path

import httpx
import psycopg
import pytest
from central_support import (
    FAST_SCRYPT,
    SECRET,
    ServerThread,
    SetClock,
    central_app,
    cluster,
    rows,
    submit_allowance,
)

from kiosk.central.schema import MIGRATIONS, migrate, schema_version
from kiosk.central.store import CentralStore
from kiosk.cli import main as cli_main
from kiosk.config import load_settings
from kiosk.store.backup import backup, restore
from kiosk.store.sqlite import SqliteStore
from kiosk.sync.client import SyncClient
from kiosk.sync.worker import start_sync

DAY = dt.datetime(2027, 3, 5, 10, 0).astimezone()       # a fixed local time, not today's


@pytest.fixture
def central():
    dsn = cluster().new_database()
    server = ServerThread(central_app(dsn)).start()
    token = CentralStore(dsn).add_kiosk("K01")
    yield dsn, server, token
    server.stop()


def seq(receipt: str) -> int:
    return int(receipt.rsplit("-", 1)[1])


def wipe(db: Path) -> None:
    """The disk is wiped: the database, its -wal/-shm and the receipt guard beside it."""
    for p in db.parent.iterdir():
        if p.name.startswith(db.name):
            p.unlink()


def sequence_value(db: Path) -> int:
    raw = sqlite3.connect(db)
    try:
        row = raw.execute("SELECT max(value) FROM sequences").fetchone()
    finally:
        raw.close()
    return row[0] or 0


def repeated_receipts(dsn: str) -> list[tuple]:
    return rows(dsn, "SELECT receipt_no, count(*) FROM submissions GROUP BY receipt_no HAVING count(*) > 1")


def test_a_wiped_kiosk_restored_from_an_older_backup_numbers_above_the_central(tmp_path, central):
    dsn, server, token = central
    db = tmp_path / "data" / "kiosk.db"
    store = SqliteStore(db, "K01", secret=SECRET, kdf=FAST_SCRYPT, clock=lambda: DAY)
    first = submit_allowance(store)
    info = backup(store, tmp_path / "bk" / "old.db")                     # holds receipt 0001 only
    later = [submit_allowance(store) for _ in range(2)]
    with SyncClient(store, server.url, token, "K01") as client:
        assert client.sync_once().sent == 3
    synced = [first.receipt_no] + [s.receipt_no for s in later]
    assert CentralStore(dsn).receipt_high("K01") == synced[-1]
    store.close()

    wipe(db)                                                             # guard file gone too
    restored, _aside, _floor = restore(info.path, db, "K01")
    assert restored.receipts == 1
    assert sequence_value(db) == 1          # left alone, the next number would be 0002 again
    with SqliteStore(db, "K01", clock=lambda: DAY) as again:
        with SyncClient(again, server.url, token, "K01") as client:
            report = client.sync_once()
        assert report.ok and client.numbering_checked
        nxt = submit_allowance(again)
        assert seq(nxt.receipt_no) == seq(synced[-1]) + 1 and nxt.receipt_no not in synced
        with SyncClient(again, server.url, token, "K01") as client:
            assert client.sync_once().sent == 1
    assert repeated_receipts(dsn) == [] and rows(dsn, "SELECT count(*) FROM submissions") == [(4,)]


def test_a_fresh_store_with_a_new_key_numbers_above_the_central(tmp_path, central):
    dsn, server, token = central
    with SqliteStore(tmp_path / "a" / "kiosk.db", "K01", secret=SECRET, kdf=FAST_SCRYPT,
                     clock=lambda: DAY) as old:
        synced = [submit_allowance(old).receipt_no for _ in range(3)]
        with SyncClient(old, server.url, token, "K01") as client:
            client.sync_once()
    # A new disk, the same kiosk id and token, a new key: nothing local remembers 0001..0003.
    with SqliteStore(tmp_path / "b" / "kiosk.db", "K01", secret=SECRET, kdf=FAST_SCRYPT,
                     clock=lambda: DAY) as fresh:
        assert fresh.key_id != old.key_id
        with SyncClient(fresh, server.url, token, "K01") as client:
            assert client.resume_numbering() == synced[-1]
        assert seq(submit_allowance(fresh).receipt_no) == 4
        with SyncClient(fresh, server.url, token, "K01") as client:
            assert client.sync_once().sent == 1
    assert repeated_receipts(dsn) == []
    assert rows(dsn, "SELECT count(DISTINCT key_id) FROM kiosk_keys WHERE kiosk_id = 'K01'") == [(2,)]


def test_the_batch_answer_carries_the_highest_number_and_it_outlives_retention(tmp_path, central):
    dsn, server, token = central
    store = SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET, kdf=FAST_SCRYPT, clock=lambda: DAY)
    receipts = [submit_allowance(store).receipt_no for _ in range(2)]
    answers = []

    class Spy(SyncClient):
        def _request(self, method, path, body, timeout_s=None):
            answer = super()._request(method, path, body, timeout_s)
            answers.append((method, path, answer))
            return answer

    with Spy(store, server.url, token, "K01") as client:
        client.sync_once()
    posts = [a for m, p, a in answers if m == "POST"]
    assert posts and posts[-1]["receipt_high"] == receipts[-1]
    assert [a for m, p, a in answers if p.endswith("/receipts")] == [{"receipt_high": ""}]   # before the 1st batch
    # The central deletes the submissions at retention; the kiosk's highest number stays.
    later = CentralStore(dsn, clock=SetClock(DAY.astimezone(dt.UTC) + dt.timedelta(days=800)))
    later.purge_expired({}, 365)
    assert rows(dsn, "SELECT count(*) FROM submissions") == [(0,)]
    assert later.receipt_high("K01") == receipts[-1]
    # another kiosk's token never learns it
    other = CentralStore(dsn).add_kiosk("K02")
    with SyncClient(store, server.url, other, "K01") as client:
        with pytest.raises(Exception, match="403|refused"):
            client.resume_numbering()
    store.close()


def test_the_running_kiosk_checks_numbering_before_its_first_receipt(tmp_path, central):
    dsn, server, token = central
    with SqliteStore(tmp_path / "old.db", "K01", secret=SECRET, kdf=FAST_SCRYPT, clock=lambda: DAY) as old:
        synced = [submit_allowance(old).receipt_no for _ in range(5)]
        with SyncClient(old, server.url, token, "K01") as client:
            client.sync_once()
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_SYNC__URL": server.url,
                                      "KIOSK_SYNC__TOKEN": token, "KIOSK_SYNC__INTERVAL_S": "3600"})
    store = SqliteStore(tmp_path / "new.db", "K01", secret=SECRET, kdf=FAST_SCRYPT, clock=lambda: DAY)
    worker = start_sync(settings, store, startup_timeout_s=30)    # returns as soon as answered
    try:
        assert worker.client.numbering_checked          # asked before start_sync returned
        assert seq(submit_allowance(store).receipt_no) == seq(synced[-1]) + 1
        assert worker.first_round.wait(60) and worker.last.ok
    finally:
        worker.stop()
        store.close()


def test_an_unreachable_central_at_start_up_is_asked_again_by_the_first_round(tmp_path, central, monkeypatch):
    dsn, server, token = central
    with SqliteStore(tmp_path / "old.db", "K01", secret=SECRET, kdf=FAST_SCRYPT, clock=lambda: DAY) as old:
        synced = [submit_allowance(old).receipt_no for _ in range(2)]
        with SyncClient(old, server.url, token, "K01") as client:
            client.sync_once()
    store = SqliteStore(tmp_path / "new.db", "K01", secret=SECRET, kdf=FAST_SCRYPT, clock=lambda: DAY)
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_SYNC__URL": server.url,
                                      "KIOSK_SYNC__TOKEN": token, "KIOSK_SYNC__INTERVAL_S": "3600"})

    class Down(httpx.BaseTransport):
        """The network is down for the first request only."""

        def __init__(self) -> None:
            self.inner, self.calls = httpx.HTTPTransport(), 0

        def handle_request(self, request):
            self.calls += 1
            if self.calls == 1:
                raise httpx.ConnectError("network unreachable", request=request)
            return self.inner.handle_request(request)

    down = Down()
    real_init = SyncClient.__init__

    def with_transport(self, *args, **kwargs):
        real_init(self, *args, transport=down, **kwargs)

    monkeypatch.setattr(SyncClient, "__init__", with_transport)
    worker = start_sync(settings, store)                # went on without the answer
    try:
        assert worker.first_round.wait(60) and worker.client.numbering_checked and down.calls > 1
        assert seq(submit_allowance(store).receipt_no) == seq(synced[-1]) + 1
    finally:
        worker.stop()
        store.close()


def test_migration_fills_the_highest_number_from_existing_submissions():
    dsn = cluster().new_database()
    with psycopg.connect(dsn) as conn:
        schema_version(conn)
        for version, step in enumerate(MIGRATIONS[:4], start=1):
            conn.execute(step)
            conn.execute("INSERT INTO central_schema (version) VALUES (%s)", (version,))
        conn.execute("INSERT INTO kiosks (kiosk_id, token_hash) VALUES ('K01', 'a'), ('K-2', 'b'), ('K03', 'c')")
        for n, (kiosk, receipt) in enumerate([("K01", "20270305-K01-0009"), ("K01", "20270305-K01-0010"),
                                              ("K01", "20270304-K01-0042"), ("K-2", "20270301-K-2-0003")]):
            conn.execute("INSERT INTO submissions (uuid, kiosk_id, receipt_no, form_id, created_at, check_code, "
                         "key_id, payload) VALUES (%s, %s, %s, 'repair', now(), 'x', 'k', '{\"v\": 1}')",
                         (f"{n:032x}", kiosk, receipt))
    assert migrate(dsn) == len(MIGRATIONS)
    store = CentralStore(dsn)
    assert store.receipt_high("K01") == "20270305-K01-0010"     # by day, then by number (not as text)
    assert store.receipt_high("K-2") == "20270301-K-2-0003"
    assert store.receipt_high("K03") == ""


# --- items refused for good ------------------------------------------------------------------

def test_outbox_rows_from_before_the_refused_state_are_still_pending(tmp_path):
    db = tmp_path / "kiosk.db"
    with SqliteStore(db, "K01", secret=SECRET, kdf=FAST_SCRYPT) as store:
        subs = [submit_allowance(store) for _ in range(2)]
        assert store.db.schema_version("store") == 3
    raw = sqlite3.connect(db)                         # the file as a kiosk of schema v2 left it
    raw.execute("ALTER TABLE outbox DROP COLUMN refused_at")
    raw.execute("ALTER TABLE outbox DROP COLUMN refused_reason")
    raw.execute("UPDATE meta SET value = '2' WHERE key = 'schema.store'")
    raw.commit()
    raw.close()
    with SqliteStore(db, "K01") as store:
        assert store.db.schema_version("store") == 3
        assert [i.submission_uuid for i in store.outbox.pending()] == [s.uuid for s in subs]
        assert store.outbox.count_refused() == 0 and store.outbox.refused() == []


def test_cli_shows_refused_items_and_staff_resend_them(tmp_path, central, monkeypatch, capsys):
    dsn, server, token = central
    with SqliteStore(tmp_path / "K01.db", "K01", secret=SECRET, kdf=FAST_SCRYPT) as store:
        bad, good = submit_allowance(store), submit_allowance(store)
        with store.db.transaction("tamper") as conn:   # an item the central refuses for good
            payload = json.loads(conn.execute("SELECT payload FROM outbox WHERE submission_uuid = ?",
                                              (bad.uuid,)).fetchone()[0])
            conn.execute("UPDATE outbox SET payload = ? WHERE submission_uuid = ?",
                         (json.dumps(dict(payload, kiosk_id="K99")), bad.uuid))
    for key, value in {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_STORE__DB_FILE": "K01.db",
                       "KIOSK_STAFF_SECRET": SECRET, "KIOSK_SYNC__URL": server.url,
                       "KIOSK_SYNC__TOKEN": token}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli_main(["sync", "now"]) == 1
    assert "sent 1" in capsys.readouterr().out
    assert cli_main(["sync", "status"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["pending"] == 0
    assert [(r["receipt_no"], r["reason"]) for r in status["refused"]] == [(bad.receipt_no, "wrong_kiosk")]
    assert cli_main(["sync", "now"]) == 1                # not resent by itself, still reported
    assert "refused for good 1" in capsys.readouterr().out
    assert rows(dsn, "SELECT receipt_no FROM submissions") == [(good.receipt_no,)]
    from kiosk.doctor import check_sync
    line = check_sync(load_settings())                  # staff see it in `kiosk doctor` too
    assert line.status == "WARN" and "1 item(s) refused for good" in line.detail and "resend" in line.fix
    with pytest.raises(SystemExit):
        cli_main(["sync", "resend"])                     # which ones: receipt numbers or --all
    assert cli_main(["sync", "resend", "--all"]) == 0
    capsys.readouterr()
    assert cli_main(["sync", "status"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["pending"] == 1 and status["refused"] == []
    assert check_sync(load_settings()).status == "OK"
    with SqliteStore(tmp_path / "K01.db", "K01") as store:
        from kiosk.staff.audit import AuditLog
        assert [e.action for e in AuditLog(store.db).entries()] == ["sync_resend"]


def test_a_number_repeated_offline_is_kept_twice_and_flagged(tmp_path, central):
    """The remaining risk: data lost AND the central unreachable until after a submit."""
    dsn, server, token = central
    db = tmp_path / "data" / "kiosk.db"
    store = SqliteStore(db, "K01", secret=SECRET, kdf=FAST_SCRYPT, clock=lambda: DAY)
    submit_allowance(store)
    info = backup(store, tmp_path / "bk" / "old.db")
    later = [submit_allowance(store) for _ in range(2)]
    with SyncClient(store, server.url, token, "K01") as client:
        client.sync_once()
    store.close()
    wipe(db)
    restore(info.path, db, "K01")
    with SqliteStore(db, "K01", clock=lambda: DAY) as again:
        repeat = submit_allowance(again)                   # offline: 0002 again
        assert repeat.receipt_no == later[0].receipt_no
        with SyncClient(again, server.url, token, "K01") as client:
            assert client.sync_once().sent == 2           # 0001 (same uuid: one copy) and the repeat
        assert seq(submit_allowance(again).receipt_no) == 4
    assert repeated_receipts(dsn) == [(repeat.receipt_no, 2)]
    assert rows(dsn, "SELECT actor, action, target FROM central_audit WHERE action = 'kiosk.receipt_repeated'") == [
        ("K01", "kiosk.receipt_repeated", repeat.receipt_no)]
