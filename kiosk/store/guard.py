"""The receipt guard: a tiny file beside the database so receipt numbers never repeat.

`kiosk.db.guard` (JSON, 0600) holds the store key's fingerprint and the last receipt number
issued (day + sequence). It is written and fsync'd inside every submit transaction, before the
commit, through an atomic rename. So when the database loses data (the `-wal` file lost after
a crash, `kiosk.db` copied alone, an old backup restored) the kiosk still knows:
- that a key existed: it refuses to create a new key over lost data (`key_lost`);
- the highest number it ever issued today: numbering resumes above it.
A number written here whose transaction then failed is simply skipped (a gap, never a repeat).
"""
from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

from kiosk.store.model import StoreError

log = logging.getLogger(__name__)


@dataclass
class GuardState:
    """What the guard file records."""

    key_id: str | None = None       # fingerprint of the key this kiosk's data is sealed to
    day: str = ""                   # YYYYMMDD of the last receipt issued
    seq: int = 0                    # its sequence number


class ReceiptGuard:
    """Read and atomically rewrite the guard file."""

    def __init__(self, db_path: Path) -> None:
        self.path = Path(f"{db_path}.guard")

    def read(self) -> GuardState:
        """The recorded state (empty when there is no file yet)."""
        try:
            rec = json.loads(self.path.read_text(encoding="utf-8"))
            return GuardState(rec.get("key_id"), str(rec.get("day", "")), int(rec.get("seq", 0)))
        except FileNotFoundError:
            return GuardState()
        except (OSError, ValueError, TypeError, AttributeError) as err:
            raise StoreError("corrupt", f"{self.path.name} unreadable ({type(err).__name__})") from err

    def write(self, state: GuardState) -> None:
        """Replace the file atomically and durably (write temp, fsync, rename, fsync the directory)."""
        tmp = self.path.with_name(self.path.name + ".tmp")
        body = json.dumps({"v": 1, "key_id": state.key_id, "day": state.day, "seq": state.seq}).encode()
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.write(fd, body)
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(tmp, self.path)
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
            try:
                os.fsync(dir_fd)
            finally:
                os.close(dir_fd)
        except OSError as err:
            raise StoreError("io", f"cannot write {self.path.name} ({type(err).__name__})") from err

    def floor(self, day: str) -> int:
        """The highest sequence ever issued on `day` as far as the guard knows (0 if none)."""
        state = self.read()
        return state.seq if state.day == day else 0

    def issued(self, key_id: str, day: str, seq: int) -> None:
        """Record a receipt number about to be committed."""
        state = self.read()
        if state.day == day and state.seq >= seq and state.key_id == key_id:
            return
        self.write(GuardState(key_id, day, max(seq, state.seq if state.day == day else 0)))

    def claim_key(self, key_id: str) -> None:
        """Record the key this database is sealed to (on creation or after a restore)."""
        state = self.read()
        if state.key_id != key_id:
            state.key_id = key_id
            self.write(state)
