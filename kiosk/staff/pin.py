"""Staff PINs: a slow salted Scrypt hash per staff member in the store DB, and the lockout.

The PIN itself is never stored or logged. `verify` refuses without hashing while entry is
locked, so a flood of guesses costs the attacker the full lockout each 5 tries. The lock and
the failure count live in the database, so restarting the app does not reset them.
"""
from __future__ import annotations

import math
import re

# Hashing lives in kiosk.common (the central service hashes passwords the same way); re-exported.
from kiosk.common.kdf import PinKdf, hash_pin, pin_matches
from kiosk.staff.clock import Clock, local_now
from kiosk.staff.errors import NoPinSet, PinLocked, StaffError, WrongPin
from kiosk.staff.schema import ensure_schema
from kiosk.store.db import Database

PIN_MIN, PIN_MAX = 6, 12
DEFAULT_KDF = PinKdf()     # frozen: one shared default is safe
STAFF_ID = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
__all__ = ["PIN_MAX", "PIN_MIN", "PinKdf", "PinVault", "check_pin_rules", "hash_pin", "pin_matches"]


def check_pin_rules(pin: str) -> None:
    """Refuse PINs that are too short, not digits, one repeated digit or a straight run."""
    if not (pin.isascii() and pin.isdigit() and PIN_MIN <= len(pin) <= PIN_MAX):
        raise StaffError("staff.pin_rules", least=PIN_MIN, most=PIN_MAX)
    steps = {int(b) - int(a) for a, b in zip(pin, pin[1:], strict=False)}
    if len(set(pin)) == 1 or steps in ({1}, {-1}):
        raise StaffError("staff.pin_weak")


class PinVault:
    """Set and check staff PINs with a persistent lockout."""

    def __init__(self, db: Database, *, max_attempts: int = 5, lockout_s: float = 300,
                 clock: Clock = local_now, kdf: PinKdf = DEFAULT_KDF) -> None:
        # 0, negative, nan or inf would switch the lockout off or lock staff out for ever.
        if not (isinstance(max_attempts, int) and 1 <= max_attempts <= 1000):
            raise ValueError("max_attempts must be a whole number from 1 to 1000")
        if not (math.isfinite(lockout_s) and 0 < lockout_s <= 7 * 86400):
            raise ValueError("lockout_s must be a finite number of seconds, above 0 and at most a week")
        self.db = db
        self.max_attempts = max_attempts
        self.lockout_s = lockout_s
        self._clock = clock
        self.kdf = kdf
        ensure_schema(db)

    def staff_ids(self) -> list[str]:
        """Who has a PIN."""
        with self.db.read("list staff") as conn:
            return [r[0] for r in conn.execute("SELECT staff_id FROM staff_pins ORDER BY staff_id")]

    def set_pin(self, staff_id: str, pin: str) -> None:
        """Store a new PIN hash for `staff_id` (a work number, not a name); PINs must differ per person."""
        if not STAFF_ID.match(staff_id):
            raise StaffError("staff.id_rules")
        check_pin_rules(pin)
        for other, record in self._records():
            if other != staff_id and pin_matches(pin, record):
                raise StaffError("staff.pin_taken")
        record = hash_pin(pin, self.kdf)
        with self.db.transaction("set staff pin") as conn:
            conn.execute("INSERT INTO staff_pins (staff_id, record, set_at) VALUES (?, ?, ?) "
                         "ON CONFLICT (staff_id) DO UPDATE SET record = excluded.record, set_at = excluded.set_at",
                         (staff_id, record, self._clock().isoformat()))

    def _records(self) -> list[tuple[str, str]]:
        with self.db.read("read staff pins") as conn:
            return conn.execute("SELECT staff_id, record FROM staff_pins ORDER BY staff_id").fetchall()

    def locked_for(self) -> float:
        """Seconds until PIN entry opens again (0 when open)."""
        with self.db.read("read pin state") as conn:
            until = conn.execute("SELECT locked_until FROM staff_pin_state WHERE id = 1").fetchone()[0]
        return max(0.0, until - self._clock().timestamp())

    def verify(self, pin: str) -> str:
        """The staff id whose PIN this is; WrongPin / PinLocked / NoPinSet otherwise (no hashing while locked)."""
        wait = self.locked_for()
        if wait > 0:
            raise PinLocked("staff.pin_locked", minutes=_minutes(wait), seconds=int(wait + 0.999))
        records = self._records()
        if not records:
            raise NoPinSet("staff.no_pin")
        pin = (pin or "").strip()
        for staff_id, record in records:
            if pin and pin_matches(pin, record):
                with self.db.transaction("reset pin failures") as conn:
                    conn.execute("UPDATE staff_pin_state SET failures = 0 WHERE id = 1")
                return staff_id
        return self._failed()

    def _failed(self):
        now = self._clock().timestamp()
        with self.db.transaction("count pin failure") as conn:
            failures = conn.execute("UPDATE staff_pin_state SET failures = failures + 1 WHERE id = 1 "
                                    "RETURNING failures").fetchone()[0]
            if failures >= self.max_attempts:
                conn.execute("UPDATE staff_pin_state SET failures = 0, locked_until = ? WHERE id = 1",
                             (now + self.lockout_s,))
        if failures >= self.max_attempts:
            err = PinLocked("staff.pin_locked", minutes=_minutes(self.lockout_s), seconds=int(self.lockout_s))
            err.started = True
            raise err
        raise WrongPin("staff.pin_wrong", attempts_left=self.max_attempts - failures)


def _minutes(seconds: float) -> int:
    return max(1, int((seconds + 59) // 60))
