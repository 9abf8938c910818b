"""`kiosk staff audit --verify --anchor ID:HASH:COUNT` with the output of `kiosk central audit-anchor`.

The anchor comes from a real central (PostgreSQL, the served app, a sync round); the kiosk's
log is then tampered with as someone with the disk would: the whole log redone with a fresh
first key (the keyed check alone passes, as k_0 is sealed with the public key), or the rows
around the anchor cut off and new ones written.
"""
from __future__ import annotations

import pytest
from central_support import FAST_SCRYPT, SECRET, ServerThread, central_app, cluster

from kiosk.central.store import CentralStore
from kiosk.cli import main
from kiosk.staff.audit import AuditLog
from kiosk.staff.commands import parse_anchor
from kiosk.store.sqlite import SqliteStore
from kiosk.sync.client import SyncClient


@pytest.fixture
def kiosk(tmp_path, monkeypatch):
    """A synced kiosk whose store is where `kiosk staff` looks; yields (dsn, store, log)."""
    dsn = cluster().new_database()
    server = ServerThread(central_app(dsn)).start()
    token = CentralStore(dsn).add_kiosk("K01")
    for key, value in {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_STORE__DB_FILE": "K01.db",
                       "KIOSK_STAFF_SECRET": SECRET}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    store = SqliteStore(tmp_path / "K01.db", "K01", secret=SECRET, kdf=FAST_SCRYPT)
    log = AuditLog(store.db)
    for i in range(5):
        log.record("S01", "case.status", f"R{i}", old="received", new="done")
    with SyncClient(store, server.url, token, "K01") as client:
        assert client.sync_once().audit == "ok"
    yield dsn, store, log
    store.close()
    server.stop()


def central_anchor(dsn: str, capsys) -> str:
    capsys.readouterr()
    assert main(["central", "audit-anchor", "K01", "--dsn", dsn]) == 0
    return capsys.readouterr().out.strip()


def verify(capsys, *extra: str) -> tuple[int, str]:
    capsys.readouterr()
    code = main(["staff", "audit", "--verify", *extra])
    return code, capsys.readouterr().out.splitlines()[-1]


def tamper(store: SqliteStore, *statements: str) -> None:
    with store.db.transaction("tamper") as conn:
        conn.execute("DROP TRIGGER IF EXISTS staff_audit_no_delete")
        conn.execute("DROP TRIGGER IF EXISTS staff_audit_no_update")
        for sql in statements:
            conn.execute(sql)


def test_the_central_anchor_is_accepted_and_an_intact_log_passes_through_it(kiosk, capsys):
    dsn, store, log = kiosk
    anchor = central_anchor(dsn, capsys)
    assert parse_anchor(anchor) == log.head()
    code, line = verify(capsys, "--anchor", anchor)
    assert code == 0 and "intact" in line and "passes through the central's anchor row 5" in line
    log.record("S01", "login")                          # the log went on after the anchor: still fine
    assert verify(capsys, "--anchor", anchor)[0] == 0


def test_a_redone_log_passes_alone_but_not_through_the_anchor(kiosk, capsys):
    dsn, store, log = kiosk
    anchor = central_anchor(dsn, capsys)
    tamper(store, "DELETE FROM staff_audit", "DELETE FROM meta WHERE key LIKE 'audit.%'",
           "DELETE FROM sqlite_sequence WHERE name = 'staff_audit'")
    for i in range(6):
        log.record("S01", "case.status", f"R{i}", old="received", new="in_progress")
    code, line = verify(capsys)                         # keyed check with the secret: consistent
    assert code == 0 and "intact" in line
    code, line = verify(capsys, "--anchor", anchor)
    assert code == 1 and "BROKEN at rows [5]" in line and "does NOT pass through" in line


def test_rows_cut_before_the_anchor_fail(kiosk, capsys):
    dsn, store, log = kiosk
    anchor = central_anchor(dsn, capsys)
    tamper(store, "DELETE FROM staff_audit WHERE id > 3", "UPDATE meta SET value = '3' WHERE key = 'audit.count'")
    assert verify(capsys, "--anchor", anchor)[0] == 1


@pytest.mark.parametrize("bad", ["5:abc:5", "5:" + "0" * 64, "x:" + "0" * 64 + ":5", "-1:" + "0" * 64 + ":5"])
def test_a_malformed_anchor_is_refused(kiosk, capsys, bad):
    assert main(["staff", "audit", "--verify", f"--anchor={bad}"]) == 2
    assert main(["staff", "audit", "--anchor", "5:" + "0" * 64 + ":5"]) == 2      # --anchor needs --verify
