"""Backup and restore of the kiosk's store; receipt numbers never repeat after data loss.

`kiosk store backup DEST` copies the live database with SQLite's online backup API (one
consistent snapshot, WAL included; sealed values stay sealed, so a backup is as safe to carry
as the kiosk's disk), writes it as `<name>.tmp`, verifies the copy (integrity_check, same key,
same receipts), fsyncs and renames it into place, mode 0600.

`kiosk store restore BACKUP` verifies the backup, refuses one sealed to another key than the
receipt guard remembers, moves the current files aside (never deletes them), puts the backup in
place and raises the receipt sequence above both the backup's numbers and the guard's (and
`--above RECEIPT_NO`, e.g. the highest number the central has seen), so no number is reissued.

A scheduled backup (`[store] backup_dir`, `backup_every_hours`, `backup_keep`) runs on the
kiosk's maintenance timer.
"""
from __future__ import annotations

import logging
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from kiosk.store.db import ensure_private_files, make_private_dir
from kiosk.store.guard import ReceiptGuard
from kiosk.store.keyring import Keyring
from kiosk.store.model import StoreError
from kiosk.store.sqlite import KEYRING_META, SqliteStore

log = logging.getLogger(__name__)
LAST_BACKUP_META = "store.last_backup"


@dataclass(frozen=True)
class BackupInfo:
    """What a verified backup holds (no personal data)."""

    path: Path
    key_id: str
    receipts: int
    highest: dict[str, int]      # day -> highest sequence number in the backup
    size: int

    def line(self) -> str:
        """One line for the command line."""
        top = max(self.highest.items(), default=("-", 0))
        return (f"{self.path}: {self.receipts} receipt(s), key {self.key_id}, newest day {top[0]} "
                f"up to {top[1]:04d}, {self.size:,} bytes, verified")


def inspect(path: Path) -> BackupInfo:
    """Open a backup read-only and check it: integrity, a keyring, receipts (StoreError if not)."""
    if not path.is_file():
        raise StoreError("io", f"{path} is not a file")
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            lines = [r[0] for r in conn.execute("PRAGMA integrity_check")]
            if lines != ["ok"]:
                raise StoreError("corrupt", f"{path.name}: integrity_check: {lines[0][:120]}")
            ring = conn.execute("SELECT value FROM meta WHERE key = ?", (KEYRING_META,)).fetchone()
            if ring is None:
                raise StoreError("corrupt", f"{path.name} holds no store key: not a kiosk backup")
            receipts = conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
            highest: dict[str, int] = {}
            for scope, value in conn.execute("SELECT scope, value FROM sequences"):
                day = scope.rsplit(":", 1)[-1]
                highest[day] = max(highest.get(day, 0), int(value))
        finally:
            conn.close()
    except sqlite3.Error as err:
        raise StoreError("corrupt", f"{path.name}: {type(err).__name__}: {err}") from err
    return BackupInfo(path, Keyring.from_json(ring[0]).key_id, receipts, highest, path.stat().st_size)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(store: SqliteStore, dest: Path, now: datetime | None = None) -> BackupInfo:
    """Write a verified backup of `store` to `dest` (a `.db` file, or a directory for a dated name)."""
    now = now or datetime.now().astimezone()
    dest = Path(dest)
    if dest.is_dir() or dest.suffix != ".db":       # a directory: a dated file name inside it
        make_private_dir(dest)
        dest = dest / f"kiosk-{store.kiosk_id}-{now:%Y%m%d-%H%M%S}.db"
    else:
        make_private_dir(dest.parent)
    if dest.exists():
        raise StoreError("io", f"{dest} exists: a backup never overwrites another")
    tmp = dest.with_name(dest.name + ".tmp")
    tmp.unlink(missing_ok=True)
    ensure_private_files(tmp)                          # 0600 before a byte is written
    with store.db.read("backup count") as conn:
        expected = conn.execute("SELECT COUNT(*) FROM submissions").fetchone()[0]
    try:
        store.db.backup_to(tmp)
        with open(tmp, "rb+") as f:
            os.fsync(f.fileno())
        info = inspect(tmp)
        if info.key_id != store.key_id or info.receipts < expected:
            raise StoreError("corrupt", f"backup copy does not match the store ({info.receipts} of {expected} "
                             "receipts, or another key)")
        os.replace(tmp, dest)
        _fsync_dir(dest.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    store.db.set_meta(LAST_BACKUP_META, now.isoformat())
    log.info("backup written: %d receipts, %d bytes", info.receipts, info.size)
    return BackupInfo(dest, info.key_id, info.receipts, info.highest, info.size)


def restore(backup_file: Path, db_path: Path, kiosk_id: str, *, above: str | None = None,
            now: datetime | None = None) -> tuple[BackupInfo, Path | None, int]:
    """Put a verified backup in place of the store at `db_path`.

    Returns (backup info, where the old files were moved or None, the next sequence number
    floor for today). Refuses a backup sealed to another key than the receipt guard remembers.
    The kiosk must not be running (its open database would keep the old files).
    """
    now = now or datetime.now().astimezone()
    info = inspect(Path(backup_file))
    db_path = Path(db_path)
    guard = ReceiptGuard(db_path)
    remembered = guard.read()
    if remembered.key_id and remembered.key_id != info.key_id:
        raise StoreError("key_mismatch", f"the backup is sealed to key {info.key_id}, this kiosk's data to "
                         f"{remembered.key_id}: not this kiosk's backup")
    aside = None
    stamp = f"{now:%Y%m%d-%H%M%S}"
    for suffix in ("", "-wal", "-shm"):
        current = Path(f"{db_path}{suffix}")
        if current.exists():
            aside_dir = db_path.parent / f"before-restore-{stamp}"
            make_private_dir(aside_dir)
            os.replace(current, aside_dir / current.name)
            aside = aside_dir
    tmp = db_path.with_name(db_path.name + ".restore.tmp")
    tmp.unlink(missing_ok=True)
    ensure_private_files(tmp)
    with open(backup_file, "rb") as src, open(tmp, "wb") as dst:
        while chunk := src.read(1 << 20):
            dst.write(chunk)
        dst.flush()
        os.fsync(dst.fileno())
    os.replace(tmp, db_path)
    _fsync_dir(db_path.parent)
    with SqliteStore(db_path, kiosk_id) as store:      # the backup's key, numbering raised
        if remembered.day and remembered.seq:
            store.raise_receipt_floor(f"{remembered.day}-{kiosk_id}-{remembered.seq:04d}")
        if above:
            store.raise_receipt_floor(above)
        with store.db.read("restored numbering") as conn:
            today = now.strftime("%Y%m%d")
            row = conn.execute("SELECT value FROM sequences WHERE scope = ?",
                               (f"receipt:{kiosk_id}:{today}",)).fetchone()
        floor = int(row[0]) if row else 0
    log.info("restored %d receipts from a backup", info.receipts)
    return info, aside, floor


def prune(directory: Path, kiosk_id: str, keep: int) -> int:
    """Delete all but the `keep` newest scheduled backups of this kiosk in `directory`."""
    files = sorted(Path(directory).glob(f"kiosk-{kiosk_id}-*.db"))
    gone = files[:-keep] if keep > 0 else files
    for f in gone:
        f.unlink(missing_ok=True)
    return len(gone)


def backup_if_due(store: SqliteStore, directory: str, every_hours: float, keep: int,
                  now: datetime | None = None) -> BackupInfo | None:
    """The scheduled backup: one into `directory` when the last is older than `every_hours`."""
    if not directory:
        return None
    now = now or store.now()
    make_private_dir(Path(directory))
    last = store.db.get_meta(LAST_BACKUP_META)
    if last is not None and (now - datetime.fromisoformat(last)).total_seconds() < every_hours * 3600:
        return None
    info = backup(store, Path(directory), now)
    prune(Path(directory), store.kiosk_id, keep)
    return info
