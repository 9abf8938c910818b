"""The kiosk's audit chain head rides with every sync batch; the central anchors it.

A kiosk whose audit history no longer passes through the head the central already holds is
flagged (console banner, central audit row, CLI exit 1). Tampering is done as someone with the
disk would: triggers dropped, rows deleted or the whole log redone, the counters kept consistent.
"""
from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys

import httpx
import pytest
from central_support import (
    FAST_KDF,
    STAFF_PASSWORD,
    STAFF_USER,
    ServerThread,
    SetClock,
    central_app,
    cluster,
    kiosk_store,
    rows,
    submit_allowance,
)

from kiosk.central.store import CentralStore
from kiosk.staff.audit import AuditHead, AuditLog
from kiosk.sync.client import SyncClient


@pytest.fixture
def setup(tmp_path):
    dsn = cluster().new_database()
    server = ServerThread(central_app(dsn)).start()
    store = CentralStore(dsn, kdf=FAST_KDF)
    store.set_password(STAFF_USER, STAFF_PASSWORD)
    token = store.add_kiosk("K01")
    kiosk = kiosk_store(tmp_path)
    log = AuditLog(kiosk.db)
    yield dsn, server, store, kiosk, log, SyncClient(kiosk, server.url, token, "K01")
    server.stop()
    kiosk.close()


def _record(log: AuditLog, n: int) -> None:
    for i in range(n):
        log.record("S01", "case.status", f"R{i}", old="received", new="done")


def _anchor(store: CentralStore) -> tuple:
    a = store.audit_anchor("K01")
    return a["id"], a["hash"], a["count"], a["alarm"]


def test_heads_are_anchored_with_batches_and_alone(setup):
    dsn, server, store, kiosk, log, client = setup
    _record(log, 4)
    submit_allowance(kiosk)
    report = client.sync_once()
    assert report.sent == 1 and report.audit == "ok"
    head = log.head()
    assert _anchor(store) == (head.id, head.hash, head.count, "")
    # staff work without submissions: an empty batch carries the moved head
    _record(log, 2)
    assert client.sync_once().audit == "ok"
    assert _anchor(store)[:3] == (log.head().id, log.head().hash, log.head().count)
    # nothing moved: nothing sent
    client.sync_once()
    assert rows(dsn, "SELECT head_id, verdict FROM kiosk_audit_heads ORDER BY id") == [(4, "ok"), (6, "ok")]
    # the history of accepted heads goes after 400 days; the anchor stays
    anchored = _anchor(store)
    CentralStore(dsn, clock=SetClock(dt.datetime.now(dt.UTC) + dt.timedelta(days=401))).purge_expired({}, 365)
    assert rows(dsn, "SELECT count(*) FROM kiosk_audit_heads") == [(0,)] and _anchor(store) == anchored


def _drop_triggers(kiosk) -> None:
    with kiosk.db.transaction("tamper") as conn:
        conn.execute("DROP TRIGGER IF EXISTS staff_audit_no_delete")
        conn.execute("DROP TRIGGER IF EXISTS staff_audit_no_update")


def test_a_redone_history_is_detected_at_the_next_sync(setup):
    dsn, server, store, kiosk, log, client = setup
    _record(log, 5)
    assert client.sync_once().audit == "ok"
    anchored = _anchor(store)
    # The whole log deleted and written again (new first key, same ids, counters consistent).
    _drop_triggers(kiosk)
    with kiosk.db.transaction("tamper") as conn:
        conn.execute("DELETE FROM staff_audit")
        conn.execute("DELETE FROM meta WHERE key LIKE 'audit.%'")
        conn.execute("DELETE FROM sqlite_sequence WHERE name = 'staff_audit'")
    _record(log, 6)
    assert log.verify() == []                       # the kiosk alone cannot tell without the anchor
    assert client.sync_once().audit == "rewritten"
    assert _anchor(store) == (*anchored[:3], "rewritten")       # the old anchor is kept as evidence
    assert rows(dsn, "SELECT actor, action FROM central_audit WHERE action LIKE 'kiosk.audit%%'") == [
        ("K01", "kiosk.audit_rewritten")]
    # staff see it on the console; the CLI prints the anchor and exits 1
    web = httpx.Client(base_url=server.url, follow_redirects=True)
    page = web.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    page = web.post("/console/login", data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrf": csrf})
    assert 'class="error audit-alarm" data-kiosk="K01"' in page.text
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "central", "audit-anchor", "K01", "--dsn", dsn],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and done.stdout.strip() == f"{anchored[0]}:{anchored[1]}:{anchored[2]}"
    assert "rewritten" in done.stderr
    # the kiosk's own check agrees when given the central's anchor
    assert log.verify(anchor=AuditHead(*anchored[:3])) != []


def test_cut_off_newest_rows_are_detected(setup):
    dsn, server, store, kiosk, log, client = setup
    _record(log, 5)
    assert client.sync_once().audit == "ok"
    _drop_triggers(kiosk)
    with kiosk.db.transaction("tamper") as conn:
        conn.execute("DELETE FROM staff_audit WHERE id > 3")
        conn.execute("UPDATE meta SET value = '3' WHERE key = 'audit.count'")
    _record(log, 4)                                 # new rows after the cut: the head moves on
    assert client.sync_once().audit == "rewound"
    assert _anchor(store)[3] == "rewound"
