"""Broken or busy databases give StoreError with a clear code; the caller keeps its answers."""
from __future__ import annotations

import sqlite3
import uuid

import pytest

from kiosk.store import Draft, ScryptParams, SqliteStore, StoreError

FAST = ScryptParams(n=2 ** 10)
SECRET = "fault-test-secret"


def _draft() -> Draft:
    return Draft(uuid.uuid4().hex, "f", {"name": "赵德明", "service": "助餐"}, {"name"})


def _assert_clean(err: StoreError, code: str) -> None:
    assert err.code == code
    assert not isinstance(err, sqlite3.Error)
    assert "赵德明" not in str(err)
    assert err.resident_text()     # wording exists for the resident


def test_garbage_file_is_corrupt(tmp_path):
    path = tmp_path / "kiosk.db"
    path.write_bytes(b"this is not a database\x00" * 500)
    with pytest.raises(StoreError) as info:
        SqliteStore(path, "K01", secret=SECRET, kdf=FAST)
    _assert_clean(info.value, "corrupt")


def test_damaged_pages_after_open_are_corrupt_not_a_crash(tmp_path):
    path = tmp_path / "kiosk.db"
    store = SqliteStore(path, "K01", secret=SECRET, kdf=FAST)
    receipt = store.submit(_draft()).receipt_no
    store.close()
    data = bytearray(path.read_bytes())
    data[100:] = b"\xa5" * (len(data) - 100)    # keep the header, ruin every page
    path.write_bytes(bytes(data))
    for name in ("kiosk.db-wal", "kiosk.db-shm"):
        (tmp_path / name).unlink(missing_ok=True)
    with pytest.raises(StoreError) as info:
        reopened = SqliteStore(path, "K01", secret=SECRET)
        reopened.get_submission(receipt)
    _assert_clean(info.value, "corrupt")


def test_locked_database_is_busy_then_recovers(tmp_path):
    path = tmp_path / "kiosk.db"
    store = SqliteStore(path, "K01", secret=SECRET, kdf=FAST, busy_timeout_s=0.2)
    draft = _draft()
    store.save_draft(draft)
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as info:
            store.submit(draft)
        _assert_clean(info.value, "busy")
        with pytest.raises(StoreError) as info:
            store.save_draft(draft)
        _assert_clean(info.value, "busy")
    finally:
        other.execute("ROLLBACK")
        other.close()
    # The caller kept the draft in memory: the retry works and yields exactly one submission.
    assert draft.answers["name"] == "赵德明"
    sub = store.submit(draft)
    assert store.receipt_numbers() == [sub.receipt_no]
    assert store.get_submission(sub.receipt_no).answers == draft.answers
    store.close()


def test_locked_at_open_is_busy(tmp_path):
    path = tmp_path / "kiosk.db"
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("CREATE TABLE squatter (x)")
    other.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(StoreError) as info:
            SqliteStore(path, "K01", secret=SECRET, kdf=FAST, busy_timeout_s=0.2)
        _assert_clean(info.value, "busy")
    finally:
        other.execute("ROLLBACK")
        other.close()
    store = SqliteStore(path, "K01", secret=SECRET, kdf=FAST)
    assert store.submit(_draft()).receipt_no.endswith("-0001")
    store.close()


def test_no_secret_on_new_database(tmp_path):
    with pytest.raises(StoreError) as info:
        SqliteStore(tmp_path / "kiosk.db", "K01")
    assert info.value.code == "no_keyring"


def test_foreign_keyring_is_refused(tmp_path):
    from kiosk.store import Keyring

    SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET, kdf=FAST).close()
    with pytest.raises(StoreError) as info:
        SqliteStore(tmp_path / "kiosk.db", "K01", Keyring.create(SECRET, FAST))
    assert info.value.code == "key_mismatch"


def test_closed_store_raises_store_error(tmp_path):
    store = SqliteStore(tmp_path / "kiosk.db", "K01", secret=SECRET, kdf=FAST)
    store.close()
    with pytest.raises(StoreError):
        store.submit(_draft())


def test_two_first_opens_agree_on_one_key(tmp_path, monkeypatch):
    """Processes racing to create the key: the loser adopts the winner's record."""
    import kiosk.store.sqlite as sqlite_mod
    from kiosk.store import Keyring

    path = tmp_path / "kiosk.db"
    winner = Keyring.create(SECRET, FAST)
    first = SqliteStore(path, "K01", winner)

    class LateDatabase(sqlite_mod.Database):
        """Sees no key on its first look, as if the winner wrote it a moment later."""
        looked = False

        def get_meta(self, key):
            if key == sqlite_mod.KEYRING_META and not LateDatabase.looked:
                LateDatabase.looked = True
                return None
            return super().get_meta(key)

    monkeypatch.setattr(sqlite_mod, "Database", LateDatabase)
    second = SqliteStore(path, "K01", secret=SECRET, kdf=FAST)
    assert LateDatabase.looked
    assert second.keyring.same_key(winner) and second.keyring.unlocked
    sub = second.submit(_draft())
    assert first.get_submission(sub.receipt_no).answers["name"] == "赵德明"
    first.close()
    second.close()


def test_cli_reports_a_broken_store_once_at_the_boundary(tmp_path, monkeypatch, capsys):
    from kiosk.cli import main

    (tmp_path / "kiosk.db").write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    for argv in (["store", "check"], ["store", "purge"], ["staff", "audit"], ["sync", "status"]):
        assert main(argv) == 1
        got = capsys.readouterr()
        assert got.err.startswith("kiosk: [corrupt]"), (argv, got.err)
        assert got.out == "", (argv, got.out)   # stdout stays clean for --json readers
