"""The append-only audit log of staff actions: who, what, when, old -> new (personal values masked).

Rows are only ever inserted: SQLite triggers abort any UPDATE or DELETE on `staff_audit`, and
each row carries a SHA-256 chain over the previous row, so `verify()` also notices rows removed
by someone who dropped the triggers. Values pass through `masked()` before they are written,
so the log can be printed (`kiosk staff audit`) without exposing a resident.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from kiosk.catalogue.spec import FieldSpec
from kiosk.common.chain import GENESIS, row_hash
from kiosk.dialogue.kinds import kind_of
from kiosk.staff.clock import Clock, local_now
from kiosk.staff.schema import ensure_schema
from kiosk.store.db import Database


def masked(field: FieldSpec | None, value: Any) -> str:
    """An answer as the audit log may show it: personal values masked, free text as its length only."""
    if value is None:
        return ""
    if field is None:
        return "***"
    return kind_of(field.type).mask(value, field)   # personal masked, free text as its length


@dataclass(frozen=True)
class AuditEntry:
    """One audit row."""

    id: int
    ts: str
    staff: str
    action: str
    target: str = ""
    field: str = ""
    old: str = ""
    new: str = ""
    reason: str = ""

    def line(self) -> str:
        """One readable line for `kiosk staff audit`."""
        text = f"{self.id:>5} {self.ts[:19]} {self.staff:<10} {self.action:<16} {self.target}"
        if self.field:
            text += f" {self.field}: {self.old or '-'} -> {self.new or '-'}"
        elif self.old or self.new:
            text += f" {self.old or '-'} -> {self.new or '-'}"
        if self.reason:
            text += f" (reason: {self.reason})"
        return text


def _row_hash(prev: str, ts: str, staff: str, action: str, target: str, field: str, old: str,
              new: str, reason: str) -> str:
    return row_hash(prev, ts, staff, action, target, field, old, new, reason)


class AuditLog:
    """Append and read the staff audit log."""

    def __init__(self, db: Database, clock: Clock = local_now) -> None:
        self.db = db
        self._clock = clock
        ensure_schema(db)

    def record(self, staff: str, action: str, target: str = "", field: str = "", old: str = "",
               new: str = "", reason: str = "") -> AuditEntry:
        """Append one row; values must already be masked (use `masked`)."""
        ts = self._clock().isoformat()
        with self.db.transaction("audit append") as conn:
            row = conn.execute("SELECT hash FROM staff_audit ORDER BY id DESC LIMIT 1").fetchone()
            prev = row[0] if row else GENESIS
            digest = _row_hash(prev, ts, staff, action, target, field, old, new, reason)
            cur = conn.execute(
                "INSERT INTO staff_audit (ts, staff, action, target, field, old, new, reason, prev_hash, hash) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ts, staff, action, target, field, old, new, reason, prev, digest))
            entry_id = cur.lastrowid
        return AuditEntry(entry_id, ts, staff, action, target, field, old, new, reason)

    def entries(self, day: str | None = None, target: str | None = None) -> list[AuditEntry]:
        """Rows in order; optionally one day (YYYY-MM-DD) or one target."""
        sql, args = "SELECT id, ts, staff, action, target, field, old, new, reason FROM staff_audit", []
        where = []
        if day:
            where.append("substr(ts, 1, 10) = ?")
            args.append(day)
        if target:
            where.append("target = ?")
            args.append(target)
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self.db.read("audit read") as conn:
            return [AuditEntry(*r) for r in conn.execute(sql + " ORDER BY id", args)]

    def verify(self) -> list[int]:
        """Ids of rows whose chain does not hold (empty when the log is intact)."""
        bad, prev = [], GENESIS
        with self.db.read("audit verify") as conn:
            rows = conn.execute("SELECT id, ts, staff, action, target, field, old, new, reason, prev_hash, hash "
                                "FROM staff_audit ORDER BY id").fetchall()
        for r in rows:
            if r[9] != prev or r[10] != _row_hash(prev, *r[1:9]):
                bad.append(r[0])
            prev = r[10]
        return bad
