"""Retention at the central service: submissions past their form's retention_days leave PostgreSQL.

The store's clock is set by hand (no test depends on today's date): the same rows are kept at
+100 days and gone at +800 days, with only anonymous counts left for the day summary.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import httpx
from central_support import (
    FAST_KDF,
    FORMS,
    ServerThread,
    SetClock,
    central_app,
    cluster,
    kiosk_store,
    rows,
    submit_allowance,
)

from kiosk.central.retention import DEFAULT_RETENTION_DAYS, purge
from kiosk.central.store import CentralStore
from kiosk.sync.client import SyncClient


def _synced(tmp_path, dsn: str, n: int = 2) -> list:
    server = ServerThread(central_app(dsn)).start()
    kiosk = kiosk_store(tmp_path)
    subs = [submit_allowance(kiosk) for _ in range(n)]
    try:
        with SyncClient(kiosk, server.url, CentralStore(dsn).add_kiosk("K01"), "K01") as client:
            assert client.sync_once().sent == n
    finally:
        server.stop()
        kiosk.close()
    return subs


def test_an_800_day_old_submission_is_gone_from_postgresql_and_counted(tmp_path):
    dsn = cluster().new_database()
    subs = _synced(tmp_path, dsn)
    created = rows(dsn, "SELECT created_at FROM submissions ORDER BY receipt_no")[0][0]
    days = FORMS["elderly_allowance"].retention_days
    clock = SetClock(created + dt.timedelta(days=days - 1))
    store = CentralStore(dsn, kdf=FAST_KDF, clock=clock)
    assert purge(store, FORMS) == {}                                      # within retention: kept
    assert rows(dsn, "SELECT count(*) FROM submissions") == [(2,)]
    clock.advance(days=800 - days + 1)                                    # 800 days after submitting
    assert purge(store, FORMS) == {"elderly_allowance": 2}
    for sub in subs:
        assert rows(dsn, "SELECT count(*) FROM submissions WHERE uuid = %s OR receipt_no = %s",
                    sub.uuid, sub.receipt_no) == [(0,)]
    # statistics keep a count, nothing else: no receipt, no uuid, no answers
    day = created.astimezone().date()
    assert rows(dsn, "SELECT form_id, kiosk_id, day, status, n FROM submission_counts") == [
        ("elderly_allowance", "K01", day, "received", 2)]
    summary = store.day_summary(*[dt.datetime.combine(d, dt.time.min).astimezone()
                                  for d in (day, day + dt.timedelta(days=1))])
    assert [(r["form_id"], r["total"], r["received"]) for r in summary] == [("elderly_allowance", 2, 2)]
    audit = rows(dsn, "SELECT actor, action, target, new FROM central_audit WHERE action = 'retention.purge'")
    assert audit == [("retention", "retention.purge", "elderly_allowance", "2")]
    assert purge(store, FORMS) == {}                                       # nothing twice


def test_forms_the_service_does_not_know_keep_the_default_retention(tmp_path):
    dsn = cluster().new_database()
    _synced(tmp_path, dsn, 1)
    created = rows(dsn, "SELECT created_at FROM submissions")[0][0]
    store = CentralStore(dsn, clock=SetClock(created + dt.timedelta(days=DEFAULT_RETENTION_DAYS - 1)))
    assert purge(store, {}) == {}
    store.clock = SetClock(created + dt.timedelta(days=DEFAULT_RETENTION_DAYS + 1))
    assert purge(store, {}) == {"elderly_allowance": 1}


def test_the_running_service_purges_on_start_and_on_schedule(tmp_path):
    dsn = cluster().new_database()
    subs = _synced(tmp_path, dsn, 1)
    created = rows(dsn, "SELECT created_at FROM submissions")[0][0]
    app = central_app(dsn, clock=SetClock(created + dt.timedelta(days=800)), purge_every_s=3600)
    server = ServerThread(app, lifespan=True).start()       # start/stop hooks run, as under `kiosk central serve`
    try:
        assert app.state.retention.round_done.wait(60)
        assert app.state.retention.last == {"elderly_allowance": 1}
        assert httpx.get(f"{server.url}/r/{subs[0].receipt_no}", params={"c": subs[0].check_code}).status_code == 404
    finally:
        server.stop()
    assert rows(dsn, "SELECT count(*) FROM submissions") == [(0,)]


def test_cli_purge(tmp_path):
    dsn = cluster().new_database()
    store = CentralStore(dsn)
    store.migrate()
    token = store.add_kiosk("K02")
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=800)).isoformat()
    new = dt.datetime.now(dt.UTC).isoformat()
    items = [{"v": 1, "uuid": c * 32, "receipt_no": f"20200101-K02-000{i}", "kiosk_id": "K02", "form_id": "complaint",
              "created_at": when, "check_code": "ABC123", "key_id": "0" * 16, "answers": {}, "sealed": {},
              "personal": []} for i, (c, when) in enumerate((("a", old), ("b", new)), 1)]
    server = ServerThread(central_app(dsn)).start()
    try:
        answer = httpx.post(f"{server.url}/api/v1/submissions", headers={"Authorization": f"Bearer {token}"},
                            json={"v": 1, "kiosk_id": "K02", "items": items})
        assert len(answer.json()["accepted"]) == 2
    finally:
        server.stop()
    done = subprocess.run([sys.executable, "-m", "kiosk.cli", "central", "purge", "--dsn", dsn],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "deleted 1 submission(s)" in done.stdout and "complaint: 1" in done.stdout
    assert rows(dsn, "SELECT uuid FROM submissions") == [("b" * 32,)]
