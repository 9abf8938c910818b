"""Backup and restore; receipt numbers never repeat after data loss (a lost -wal, kiosk.db copied
alone, an old backup restored); no new key over lost data; the scheduled backup."""
from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest
from staff_support import FakeClock

from kiosk.cli import main
from kiosk.store import Draft, ScryptParams, SqliteStore, StoreError
from kiosk.store.backup import backup, backup_if_due, inspect, restore

SECRET = "backup-tests-Hq2Xv9Lp7Kq"
FAST = ScryptParams(n=2 ** 10)


def a_draft(i: int = 0) -> Draft:
    return Draft(uuid.uuid4().hex, "repair", {"name": f"王建国{i}", "kind": "water"}, {"name"})


def seq(receipt: str) -> int:
    return int(receipt.rsplit("-", 1)[1])


def submit_then_die(db: Path, n: int, clock_iso: str) -> list[str]:
    """Submit n forms in another process that dies without closing (its -wal is left behind)."""
    code = textwrap.dedent(f"""
        import datetime, json, os, sys, uuid
        from kiosk.store import Draft, SqliteStore
        now = datetime.datetime.fromisoformat({clock_iso!r})
        s = SqliteStore({str(db)!r}, "K01", clock=lambda: now)
        out = [s.submit(Draft(uuid.uuid4().hex, "repair", {{"name": "李四", "kind": "water"}}, {{"name"}})).receipt_no
               for _ in range({n})]
        print(json.dumps(out), flush=True)
        os._exit(0)
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                          cwd=Path(__file__).resolve().parent.parent)
    return json.loads(done.stdout)


def lose_wal(db: Path) -> None:
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


def test_backup_wipe_restore_keeps_every_receipt_and_numbering_goes_up(tmp_path):
    clock = FakeClock()
    db = tmp_path / "data" / "kiosk.db"
    store = SqliteStore(db, "K01", secret=SECRET, kdf=FAST, clock=clock)
    receipts = [store.submit(a_draft(i)).receipt_no for i in range(25)]
    info = backup(store, tmp_path / "backups" / "b1.db")
    assert info.receipts == 25 and info.key_id == store.key_id
    assert stat.S_IMODE(info.path.stat().st_mode) == 0o600
    raw = info.path.read_bytes()
    assert b"\xe7\x8e\x8b\xe5\xbb\xba\xe5\x9b\xbd" not in raw         # 王建国: sealed in the backup too
    after = [store.submit(a_draft(100 + i)).receipt_no for i in range(5)]   # issued after the backup
    store.close()
    for p in db.parent.iterdir():                                    # the disk is wiped
        if p.name.startswith("kiosk.db") and not p.name.endswith(".guard"):
            p.unlink()
    restored, aside, floor = restore(info.path, db, "K01")
    assert restored.receipts == 25 and aside is None
    with SqliteStore(db, "K01", secret=SECRET, clock=clock) as again:
        assert again.receipt_numbers() == receipts
        assert again.get_submission(receipts[7]).answers["name"] == "王建国7"
        nxt = again.submit(a_draft()).receipt_no
    assert seq(nxt) > seq(after[-1]) > seq(receipts[-1])              # never 0026..0030 again
    assert nxt not in receipts + after


def test_restore_moves_current_files_aside_and_honours_the_central_number(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("KIOSK_STAFF_SECRET", SECRET)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    clock = FakeClock()
    with SqliteStore(tmp_path / "data" / "kiosk.db", "K01", secret=SECRET, kdf=FAST, clock=clock) as s:
        s.mark_demo(False)
        first = s.submit(a_draft()).receipt_no
    assert main(["store", "backup", str(tmp_path / "bk")]) == 0
    line = capsys.readouterr().out
    assert "1 receipt(s)" in line and "verified" in line
    (backup_file,) = (tmp_path / "bk").glob("kiosk-K01-*.db")
    day = first.split("-")[0]
    assert main(["store", "restore", str(backup_file), "--above", f"{day}-K01-0500"]) == 0
    out = capsys.readouterr().out
    assert "restored 1 receipt(s)" in out and "before-restore-" in out
    assert list((tmp_path / "data").glob("before-restore-*/kiosk.db"))       # kept, not deleted
    with SqliteStore(tmp_path / "data" / "kiosk.db", "K01", clock=clock) as s:
        assert seq(s.submit(a_draft()).receipt_no) == 501


def test_lost_wal_never_reissues_an_acknowledged_number(tmp_path):
    db = tmp_path / "kiosk.db"
    clock = FakeClock()
    with SqliteStore(db, "K01", secret=SECRET, kdf=FAST, clock=clock) as s:
        kept = [s.submit(a_draft(i)).receipt_no for i in range(3)]
        s.db.checkpoint()                                           # these reached kiosk.db itself
    acked = submit_then_die(db, 4, clock.now.isoformat())           # these only in the -wal
    assert Path(f"{db}-wal").stat().st_size > 0
    lose_wal(db)                                                    # a crash took the -wal with it
    with SqliteStore(db, "K01", secret=SECRET, clock=clock) as s:
        assert s.receipt_numbers() == kept                          # what was lost is lost...
        nxt = s.submit(a_draft()).receipt_no
    assert seq(nxt) == seq(acked[-1]) + 1                           # ...but its numbers are not reused
    assert nxt not in acked + kept


def test_no_new_key_over_lost_data(tmp_path):
    db = tmp_path / "kiosk.db"
    clock = FakeClock()
    SqliteStore(db, "K01", secret=SECRET, kdf=FAST, clock=clock).close()
    os.remove(db)
    lose_wal(db)                                   # kiosk.db gone, the guard beside it remembers the key
    with pytest.raises(StoreError) as err:
        SqliteStore(db, "K01", secret=SECRET, kdf=FAST, clock=clock)
    assert err.value.code == "key_lost" and "restore" in err.value.describe()
    # A database with rows but no key (its key lost with the -wal) is refused the same way.
    other = tmp_path / "other.db"
    with SqliteStore(other, "K01", secret=SECRET, kdf=FAST, clock=clock) as s:
        s.submit(a_draft())
        with s.db.transaction() as conn:
            conn.execute("DELETE FROM meta WHERE key = 'store.keyring'")
    Path(f"{other}.guard").unlink()
    with pytest.raises(StoreError) as err:
        SqliteStore(other, "K01", secret=SECRET, kdf=FAST, clock=clock)
    assert err.value.code == "key_lost"


def test_a_backup_of_another_kiosk_key_is_refused(tmp_path):
    with SqliteStore(tmp_path / "a" / "kiosk.db", "K01", secret=SECRET, kdf=FAST) as a:
        a.submit(a_draft())
        info = backup(a, tmp_path / "a.bak")
    with SqliteStore(tmp_path / "b" / "kiosk.db", "K01", secret=SECRET, kdf=FAST) as b:
        b.submit(a_draft())
    with pytest.raises(StoreError) as err:
        restore(info.path, tmp_path / "b" / "kiosk.db", "K01")
    assert err.value.code == "key_mismatch"
    assert (tmp_path / "b" / "kiosk.db").exists()                  # nothing was moved


def test_inspect_refuses_a_damaged_or_foreign_file(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not sqlite" * 100)
    with pytest.raises(StoreError):
        inspect(junk)


def test_scheduled_backup_runs_when_due_and_keeps_the_newest(tmp_path):
    clock = FakeClock()
    with SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET, kdf=FAST, clock=clock) as s:
        s.submit(a_draft())
        made = []
        for _ in range(5):
            made.append(backup_if_due(s, str(tmp_path / "bk"), every_hours=24, keep=3, now=clock.now))
            assert backup_if_due(s, str(tmp_path / "bk"), every_hours=24, keep=3, now=clock.now) is None
            clock.advance(25 * 3600)
        assert all(m is not None for m in made)
    names = sorted(p.name for p in (tmp_path / "bk").iterdir())
    assert names == sorted(m.path.name for m in made[-3:])


def test_the_kiosk_backs_up_on_its_maintenance_round(tmp_path, monkeypatch):
    from kiosk.config import load_settings
    from kiosk.runtime import open_runtime

    monkeypatch.setenv("KIOSK_STAFF_SECRET", SECRET)
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path / "data"),
                                      "KIOSK_STORE__BACKUP_DIR": str(tmp_path / "bk")})
    runtime = open_runtime(settings)                 # start-up runs one maintenance round
    try:
        assert len(list((tmp_path / "bk").glob("kiosk-K01-*.db"))) == 1
        runtime.maintain()                            # not due again yet
        assert len(list((tmp_path / "bk").glob("kiosk-K01-*.db"))) == 1
    finally:
        runtime.store.close()


def test_a_floor_for_an_older_day_never_moves_the_guard_back(tmp_path):
    from datetime import timedelta

    from kiosk.store.guard import ReceiptGuard

    clock = FakeClock()
    db = tmp_path / "kiosk.db"
    with SqliteStore(db, "K01", secret=SECRET, kdf=FAST, clock=clock) as s:
        today = [s.submit(a_draft(i)).receipt_no for i in range(3)]
        yesterday = (clock.now - timedelta(days=1)).strftime("%Y%m%d")
        assert s.raise_receipt_floor(f"{yesterday}-K01-0900")       # e.g. the central's highest
        state = ReceiptGuard(db).read()
        assert (state.day, state.seq) == (today[0].split("-")[0], 3)   # today's number still guarded
        assert seq(s.submit(a_draft()).receipt_no) == 4
