"""The append-only audit log of staff actions: who, what, when, old -> new (personal values masked).

Rows are only ever inserted: SQLite triggers abort any UPDATE or DELETE on `staff_audit` (the
one exception: retention blanks old values), and each row carries a keyed, forward-moving HMAC
chain (see "the keyed chain" below), so `verify()` also notices rows removed, rewritten or cut
off by someone who dropped the triggers and recomputed what they could. Values pass through `masked()` before they are written,
so the log can be printed (`kiosk staff audit`) without exposing a resident.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import os
import sqlite3
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kiosk.catalogue.spec import FieldSpec
from kiosk.common.chain import GENESIS, row_hash
from kiosk.dialogue.kinds import kind_of
from kiosk.staff.clock import Clock, local_now
from kiosk.staff.schema import ensure_schema
from kiosk.store.db import Database
from kiosk.store.keyring import Keyring
from kiosk.store.model import StoreError


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


# --- the keyed chain ------------------------------------------------------------------------
# Rows written since the "audit" schema step 1 carry an HMAC chain with a key that moves
# forward after every row (k_{n+1} = SHA-256("kiosk.audit.evolve" || k_n)); only the current key
# is on the disk. The first key k_0 is kept sealed to the store's public key, so proving the
# whole chain needs the staff secret. Someone with the disk can append with the current key but
# cannot recompute any earlier row: deleting or rewriting a row (even recomputing the rest) and
# cutting off the newest rows are all detected. `head()` is what the central keeps as an anchor.
AUDIT_OWNER = "audit"
AUDIT_MIGRATIONS: list[str] = [
    """
    ALTER TABLE staff_audit ADD COLUMN vmac TEXT NOT NULL DEFAULT '';   -- HMAC over old/new/reason
    ALTER TABLE staff_audit ADD COLUMN purged INTEGER NOT NULL DEFAULT 0;
    DROP TRIGGER staff_audit_no_update;
    -- The only update allowed: retention blanks a row's values once (its vmac keeps the chain whole).
    CREATE TRIGGER staff_audit_no_update BEFORE UPDATE ON staff_audit
    WHEN NOT (NEW.id IS OLD.id AND NEW.ts IS OLD.ts AND NEW.staff IS OLD.staff AND NEW.action IS OLD.action
              AND NEW.target IS OLD.target AND NEW.field IS OLD.field AND NEW.prev_hash IS OLD.prev_hash
              AND NEW.hash IS OLD.hash AND NEW.vmac IS OLD.vmac AND OLD.purged = 0 AND NEW.purged = 1
              AND NEW.old = '' AND NEW.new = '' AND NEW.reason = '' AND OLD.vmac != '')
    BEGIN SELECT RAISE(ABORT, 'staff_audit is append-only'); END;
    """,
]
KEY_META, COUNT_META, K0_META = "audit.key", "audit.count", "audit.k0"
_EVOLVE = b"kiosk.audit.evolve"


def _evolve(key: bytes) -> bytes:
    return hashlib.sha256(_EVOLVE + key).digest()


def _mac(key: bytes, *parts: object) -> str:
    body = json.dumps(list(parts), ensure_ascii=False).encode("utf-8")
    return hmac.new(key, body, hashlib.sha256).hexdigest()


@dataclass(frozen=True)
class AuditHead:
    """The newest row of the chain: what the central keeps to anchor this kiosk's log."""

    id: int          # row id (0: empty log)
    hash: str        # its chain hash (64 hex)
    count: int       # keyed rows so far

    def to_dict(self) -> dict[str, Any]:
        """JSON-able form for a sync batch."""
        return {"id": self.id, "hash": self.hash, "count": self.count}


class AuditLog:
    """Append and read the staff audit log."""

    def __init__(self, db: Database, clock: Clock = local_now) -> None:
        self.db = db
        self._clock = clock
        ensure_schema(db)
        db.register_schema(AUDIT_OWNER, AUDIT_MIGRATIONS)

    def _key_state(self, conn: sqlite3.Connection) -> tuple[bytes, int]:
        row = conn.execute("SELECT value FROM meta WHERE key = ?", (KEY_META,)).fetchone()
        if row is not None:
            count = conn.execute("SELECT value FROM meta WHERE key = ?", (COUNT_META,)).fetchone()
            return bytes.fromhex(row[0]), int(count[0]) if count else 0
        # First keyed row: k_0 sealed to the store key (only the public key is needed for that).
        k0 = os.urandom(32)
        ring = conn.execute("SELECT value FROM meta WHERE key = 'store.keyring'").fetchone()
        sealed = Keyring.from_json(ring[0]).seal(json.dumps(k0.hex()), "audit", "k0") if ring else ""
        conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         [(K0_META, sealed), (KEY_META, k0.hex()), (COUNT_META, "0")])
        return k0, 0

    def record(self, staff: str, action: str, target: str = "", field: str = "", old: str = "",
               new: str = "", reason: str = "") -> AuditEntry:
        """Append one row; values must already be masked (use `masked`)."""
        ts = self._clock().isoformat()
        with self.db.transaction("audit append") as conn:
            key, n = self._key_state(conn)
            row = conn.execute("SELECT hash FROM staff_audit ORDER BY id DESC LIMIT 1").fetchone()
            prev = row[0] if row else GENESIS
            vmac = _mac(key, "v", n, old, new, reason)
            digest = _mac(key, "r", n, prev, ts, staff, action, target, field, vmac)
            cur = conn.execute(
                "INSERT INTO staff_audit (ts, staff, action, target, field, old, new, reason, prev_hash, hash, vmac) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (ts, staff, action, target, field, old, new, reason, prev, digest, vmac))
            entry_id = cur.lastrowid
            conn.executemany("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                             [(KEY_META, _evolve(key).hex()), (COUNT_META, str(n + 1))])
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

    def head(self) -> AuditHead:
        """The newest row's id and hash and the keyed row count (for the central to keep)."""
        with self.db.read("audit head") as conn:
            row = conn.execute("SELECT id, hash FROM staff_audit ORDER BY id DESC LIMIT 1").fetchone()
            count = conn.execute("SELECT value FROM meta WHERE key = ?", (COUNT_META,)).fetchone()
        return AuditHead(row[0] if row else 0, row[1] if row else GENESIS, int(count[0]) if count else 0)

    def first_key(self, keyring: Keyring) -> bytes | None:
        """k_0, opened with the unlocked store keyring (None when the log has no keyed rows yet)."""
        sealed = self.db.get_meta(K0_META)
        if sealed is None:
            return None
        if not sealed:
            raise StoreError("locked", "audit key was not sealed (no store keyring when the log began)")
        return bytes.fromhex(json.loads(keyring.open(sealed, "audit", "k0")))

    def verify(self, keyring: Keyring | None = None, anchor: AuditHead | None = None) -> list[int]:
        """Ids of rows that fail (empty when the log is intact).

        Without a keyring: each row must link to the one before, and the row count must match
        the count kept beside the current key. With the unlocked store keyring: every HMAC is
        recomputed from k_0 and the key reached must be the stored current key, so rows deleted,
        rewritten or recomputed, and newest rows cut off, are found. A missing tail is reported
        as the id after the last row. `anchor` (a head the central kept) must still be in the chain.
        """
        with self.db.read("audit verify") as conn:
            rows = conn.execute("SELECT id, ts, staff, action, target, field, old, new, reason, prev_hash, hash, "
                                "vmac, purged FROM staff_audit ORDER BY id").fetchall()
            meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN (?, ?)", (KEY_META, COUNT_META)))
        key = self.first_key(keyring) if keyring is not None else None
        bad: list[int] = []
        prev, n = GENESIS, 0
        for r in rows:
            (row_id, ts, staff, action, target, field, old, new, reason, prev_hash, digest, vmac, purged) = r
            if not vmac:   # a row from before the keyed chain: the plain SHA-256 link
                ok = prev_hash == prev and digest == _row_hash(prev, ts, staff, action, target, field, old, new, reason)
            else:
                ok = prev_hash == prev
                if key is not None:
                    ok = ok and digest == _mac(key, "r", n, prev, ts, staff, action, target, field, vmac)
                    ok = ok and (bool(purged) or vmac == _mac(key, "v", n, old, new, reason))
                    key = _evolve(key)
                n += 1
            if not ok:
                bad.append(row_id)
            prev = digest
        last_id = rows[-1][0] if rows else 0
        if not bad:
            cut = n != int(meta.get(COUNT_META, "0"))
            if key is not None and meta.get(KEY_META) is not None:
                cut = cut or key.hex() != meta[KEY_META]
            if cut:
                bad.append(last_id + 1)
        if anchor is not None and anchor.id:
            if not any(r[0] == anchor.id and r[10] == anchor.hash for r in rows) or n < anchor.count:
                bad.append(anchor.id)
        return sorted(set(bad))

    def purge_values(self, before: datetime) -> int:
        """Blank the masked values of rows older than `before` (retention); the chain stays provable."""
        with self.db.transaction("audit retention") as conn:
            return conn.execute("UPDATE staff_audit SET old = '', new = '', reason = '', purged = 1 "
                                "WHERE purged = 0 AND vmac != '' AND ts < ? AND (old != '' OR new != '' OR reason != '') "
                                "AND action != 'retention_purge'",   # counts only: kept as the record
                                (before.isoformat(),)).rowcount
