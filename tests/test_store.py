"""Store behaviour: drafts, submissions, receipts, check codes, outbox, purge, migrations, CLI."""
from __future__ import annotations

import json
import re
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from kiosk.store import Database, Draft, MemoryStore, ScryptParams, SqliteStore, StoreError, SubmissionStore, open_store
from kiosk.voices import catalogue

FAST = ScryptParams(n=2 ** 10)
SECRET = "staff-secret-for-tests"
STRONG = "Vq3-pL9x_Tz2Rk7mWb4sNc8h"
TZ = timezone(timedelta(hours=8))


class Clock:
    """A settable clock (aware, UTC+8 like the kiosks)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 11, 23, 9, 30, tzinfo=TZ)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture(params=["sqlite", "memory"])
def store(request, tmp_path, clock):
    if request.param == "sqlite":
        s = SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET, kdf=FAST, clock=clock)
    else:
        s = MemoryStore("K01", clock=clock)
    yield s
    s.close()


@pytest.fixture
def sql(tmp_path, clock):
    s = SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET, kdf=FAST, clock=clock)
    yield s
    s.close()


def draft(**answers) -> Draft:
    answers = answers or {"name": "王建国", "phone": "13900001111", "service": "助餐", "age": 81}
    return Draft(uuid.uuid4().hex, "meal_service", answers, {"name", "phone"} & set(answers), step="age")


def test_both_stores_implement_the_protocol(store):
    assert isinstance(store, SubmissionStore)


def test_draft_round_trip_and_replace(store, clock):
    d = draft()
    store.save_draft(d)
    assert d.updated_at == clock.now
    loaded = store.load_draft(d.draft_id)
    assert (loaded.form_id, loaded.answers, loaded.personal, loaded.step) == (
        "meal_service", d.answers, {"name", "phone"}, "age")
    d.answers["needs"] = ["助餐", "助浴"]
    d.step = "needs"
    store.save_draft(d)
    again = store.load_draft(d.draft_id)
    assert again.answers["needs"] == ["助餐", "助浴"] and again.step == "needs"
    store.discard_draft(d.draft_id)
    assert store.load_draft(d.draft_id) is None
    store.discard_draft(d.draft_id)   # absent: no error
    assert store.load_draft("nope") is None


def test_submit_makes_receipt_and_removes_draft(store, clock):
    d = draft()
    store.save_draft(d)
    sub = store.submit(d)
    assert re.fullmatch(r"20261123-K01-0001", sub.receipt_no)
    assert sub.created_at == clock.now and sub.created_at.tzinfo is not None
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{6}", sub.check_code)
    assert store.load_draft(d.draft_id) is None
    got = store.get_submission(sub.receipt_no)
    assert (got.uuid, got.form_id, got.answers, got.personal, got.check_code) == (
        sub.uuid, "meal_service", d.answers, {"name", "phone"}, sub.check_code)
    assert got.created_at == clock.now
    assert store.get_submission("20261123-K01-9999") is None


def test_receipt_sequence_per_day(store, clock):
    first = [store.submit(draft()).receipt_no for _ in range(3)]
    assert first == ["20261123-K01-0001", "20261123-K01-0002", "20261123-K01-0003"]
    clock.now += timedelta(days=1)
    assert store.submit(draft()).receipt_no == "20261124-K01-0001"


def test_receipt_day_is_local_day(store, clock):
    clock.now = datetime(2026, 11, 23, 23, 59, tzinfo=TZ)   # 15:59 UTC: still the 23rd locally
    assert store.submit(draft()).receipt_no.startswith("20261123-")


def test_submitting_same_draft_twice_gives_one_receipt(store):
    d = draft()
    a = store.submit(d)
    b = store.submit(d)
    assert a.receipt_no == b.receipt_no and a.uuid == b.uuid
    assert store.outbox.count_pending() == 1


def test_check_code_verifies_and_depends_on_store_key(store, clock):
    a, b = store.submit(draft()), store.submit(draft())
    assert a.check_code != b.check_code
    assert store.verify_check_code(a.receipt_no, a.check_code)
    assert store.verify_check_code(a.receipt_no, a.check_code.lower())
    assert not store.verify_check_code(a.receipt_no, b.check_code)
    # Another kiosk database (another random key) gives another code for the same receipt number.
    other = MemoryStore("K01", clock=clock)
    assert other.submit(draft()).receipt_no == a.receipt_no
    assert not other.verify_check_code(a.receipt_no, a.check_code)


def test_check_code_survives_reopen(sql, tmp_path):
    sub = sql.submit(draft())
    sql.close()
    again = SqliteStore(tmp_path / "kiosk.db", "K01")
    assert again.verify_check_code(sub.receipt_no, sub.check_code)
    again.close()


def test_submission_returns_copies(store):
    d = draft()
    sub = store.submit(d)
    d.answers["name"] = "改掉"
    sub.answers["service"] = "改掉"
    got = store.get_submission(sub.receipt_no)
    assert got.answers["name"] == "王建国" and got.answers["service"] == "助餐"


def test_not_json_answer_is_refused_without_value_in_message(store):
    d = draft(name={"张三丰"}, age=3)
    d.personal = {"name"}
    with pytest.raises(StoreError) as info:
        store.save_draft(d)
    assert info.value.code == "bad_answer"
    assert "张三丰" not in str(info.value) and "张三丰" not in info.value.detail


def test_purge_drops_only_old_drafts(store, clock):
    old, fresh = draft(), draft()
    store.save_draft(old)
    clock.now += timedelta(hours=70)
    store.save_draft(fresh)
    clock.now += timedelta(hours=3)     # old: 73 h, fresh: 3 h
    assert store.purge_drafts(timedelta(hours=72)) == 1
    assert store.load_draft(old.draft_id) is None
    assert store.load_draft(fresh.draft_id) is not None
    assert store.purge_drafts(timedelta(hours=72)) == 0


def test_outbox_pending_and_mark_sent(store):
    subs = [store.submit(draft()) for _ in range(3)]
    pending = store.outbox.pending(limit=2)
    assert [p.submission_uuid for p in pending] == [s.uuid for s in subs[:2]]
    assert pending[0].payload["receipt_no"] == subs[0].receipt_no
    assert pending[0].payload["check_code"] == subs[0].check_code
    assert store.outbox.mark_sent([pending[0].id]) == 1
    assert store.outbox.mark_sent([pending[0].id]) == 0
    assert [p.submission_uuid for p in store.outbox.pending()] == [s.uuid for s in subs[1:]]
    assert store.outbox.count_pending() == 2
    assert store.outbox.mark_sent([]) == 0


def test_sqlite_outbox_payload_keeps_personal_values_sealed(sql):
    sub = sql.submit(draft())
    payload = sql.outbox.pending()[0].payload
    text = json.dumps(payload, ensure_ascii=False)
    assert "王建国" not in text and "13900001111" not in text
    assert payload["answers"] == {"service": "助餐", "age": 81}
    assert set(payload["sealed"]) == {"name", "phone"}
    assert payload["uuid"] == sub.uuid and payload["v"] == 1 and payload["key_id"] == sql.keyring.key_id


def test_submit_is_one_transaction(sql, monkeypatch):
    """A failure after the submission insert leaves no submission, no outbox row, the draft kept."""
    d = draft()
    sql.save_draft(d)
    sql.db.register_schema("test_fault", [
        "CREATE TRIGGER outbox_fails BEFORE INSERT ON outbox BEGIN SELECT RAISE(ABORT, 'outbox down'); END",
    ])
    with pytest.raises(StoreError):
        sql.submit(d)
    assert sql.receipt_numbers() == []
    assert sql.load_draft(d.draft_id) is not None
    with sql.db.read() as conn:
        assert conn.execute("SELECT COUNT(*) FROM outbox").fetchone()[0] == 0
        assert conn.execute("SELECT COUNT(*) FROM sequences").fetchone()[0] == 0


# --- migrations --------------------------------------------------------------------------

def test_register_schema_applies_steps_once_and_records_version(tmp_path):
    db = Database(tmp_path / "k.db")
    steps = ["CREATE TABLE print_jobs (id INTEGER PRIMARY KEY, receipt_no TEXT NOT NULL);"
             "CREATE INDEX print_jobs_receipt ON print_jobs (receipt_no)"]
    assert db.register_schema("printing", steps) == 1
    assert db.register_schema("printing", steps) == 1          # no-op, no "already exists"
    steps.append("ALTER TABLE print_jobs ADD COLUMN tries INTEGER NOT NULL DEFAULT 0")
    assert db.register_schema("printing", steps) == 2
    with db.transaction() as conn:
        conn.execute("INSERT INTO print_jobs (receipt_no) VALUES ('x')")
    with db.read() as conn:
        assert conn.execute("SELECT tries FROM print_jobs").fetchone()[0] == 0
    assert db.schema_version("printing") == 2 and db.schema_version("staff") == 0
    db.close()


def test_failed_migration_step_leaves_previous_version(tmp_path):
    db = Database(tmp_path / "k.db")
    good = "CREATE TABLE staff_audit (id INTEGER PRIMARY KEY)"
    bad = "CREATE TABLE staff_half (id INTEGER); INSERT INTO no_such_table VALUES (1)"
    with pytest.raises(StoreError) as info:
        db.register_schema("staff", [good, bad])
    assert info.value.code == "schema"
    assert db.schema_version("staff") == 1
    with db.read() as conn:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    assert "staff_audit" in tables and "staff_half" not in tables
    db.close()


def test_callable_migration_and_newer_schema_refused(tmp_path):
    db = Database(tmp_path / "k.db")
    db.register_schema("x", ["CREATE TABLE x_t (a TEXT)", lambda conn: conn.execute("INSERT INTO x_t VALUES ('m')")])
    with db.read() as conn:
        assert conn.execute("SELECT a FROM x_t").fetchall() == [("m",)]
    with pytest.raises(StoreError) as info:
        db.register_schema("x", ["CREATE TABLE x_t (a TEXT)"])   # an older kiosk opening newer data
    assert info.value.code == "newer_data"
    db.close()


def test_store_schema_version_recorded(sql):
    from kiosk.store.sqlite import MIGRATIONS
    assert sql.db.schema_version("store") == len(MIGRATIONS) >= 2
    assert sql.health()["integrity"] == ["ok"]


def test_older_payload_rows_are_read(sql):
    """A v0 row (bare answers dict, from before sealing) still loads."""
    with sql.db.transaction() as conn:
        conn.execute("INSERT INTO submissions (uuid, receipt_no, draft_id, form_id, created_at, check_code, payload) "
                     "VALUES ('u0', '20250101-K01-0001', NULL, 'old_form', '2025-01-01T10:00:00+08:00', 'AAAAAA', ?)",
                     (json.dumps({"service": "助餐"}),))
    got = sql.get_submission("20250101-K01-0001")
    assert got.answers == {"service": "助餐"} and got.personal == set()


def test_newer_payload_rows_are_refused_clearly(sql):
    with sql.db.transaction() as conn:
        conn.execute("INSERT INTO drafts (draft_id, form_id, step, payload, updated_ts) VALUES ('d9', 'f', NULL, ?, 0)",
                     (json.dumps({"v": 99, "answers": {}}),))
    with pytest.raises(StoreError) as info:
        sql.load_draft("d9")
    assert info.value.code == "newer_data"


# --- wording, opening, CLI ---------------------------------------------------------------

def test_every_error_code_has_wording():
    from kiosk.store.model import ERROR_CODES

    words = catalogue()
    for code in ERROR_CODES:
        assert StoreError(code).message_key in words
    assert "您填的内容还在" in StoreError("busy").resident_text()


def test_open_store_creates_key_and_keeps_writing_with_a_wrong_secret(tmp_path):
    from kiosk.config import load_settings

    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path)})
    store = open_store(settings, environ={"KIOSK_STAFF_SECRET": STRONG})
    try:
        assert store.keyring.unlocked and not store.is_demo_store()
        assert settings.db_path.exists()
    finally:
        store.close()
    # A wrong secret in the environment: the kiosk still writes, personal data stays locked.
    store = open_store(settings, environ={"KIOSK_STAFF_SECRET": "not-the-one"})
    try:
        assert not store.keyring.unlocked
        sub = store.submit(draft())
        with pytest.raises(StoreError) as info:
            store.get_submission(sub.receipt_no)
        assert info.value.code == "locked"
    finally:
        store.close()


def test_change_secret(sql, tmp_path):
    sub = sql.submit(draft())
    with pytest.raises(StoreError) as weak:
        sql.change_secret("new-secret")
    assert weak.value.code == "weak_secret"
    sql.change_secret(STRONG)
    sql.close()
    with pytest.raises(StoreError):
        SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET)
    again = SqliteStore(tmp_path / "kiosk.db", "K01", secret=STRONG)
    assert again.get_submission(sub.receipt_no).answers["name"] == "王建国"
    again.close()


def test_cli_store_purge(tmp_path, monkeypatch, capsys):
    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_STAFF_SECRET", SECRET)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    past = Clock()
    past.now = datetime.now().astimezone() - timedelta(hours=100)
    s = SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET, kdf=FAST, clock=past)
    old = draft()
    s.save_draft(old)
    s.close()
    s = SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET)
    recent = draft()
    s.save_draft(recent)
    s.close()
    assert main(["store", "purge"]) == 0             # default 72 h from settings
    assert "drafts=1 " in capsys.readouterr().out
    s = SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET)
    assert s.draft_ids() == [recent.draft_id]
    s.close()
    assert main(["store", "check"]) == 0
    out = capsys.readouterr().out
    assert '"integrity": [\n    "ok"\n  ]' in out and "王建国" not in out


def test_database_errors_are_store_errors(tmp_path):
    (tmp_path / "adir.db").mkdir()
    with pytest.raises(StoreError) as info:
        Database(tmp_path / "adir.db")
    assert info.value.code == "io"
    assert not isinstance(info.value, sqlite3.Error)
