"""The staff area's tables in the kiosk's SQLite file (owner "staff", append-only migrations).

Tables: tickets and their per-day numbering, staff PIN hashes and the lockout counter, the
optimistic version of each draft staff edit, the append-only audit log (UPDATE and DELETE are
aborted by triggers), anonymous day counters of what residents came for and where they got
stuck, and anonymous feedback (random keys, no row order, day only).
"""
from __future__ import annotations

from kiosk.store.db import Database

OWNER = "staff"

MIGRATIONS: list[str] = [
    """
    CREATE TABLE staff_tickets (
        id          INTEGER PRIMARY KEY,
        day         TEXT NOT NULL,              -- YYYY-MM-DD, local
        seq         INTEGER NOT NULL,           -- 1.. per day; number = letter + 3 digits
        number      TEXT NOT NULL,              -- e.g. A012
        reason      TEXT NOT NULL,
        form_id     TEXT,
        field_id    TEXT,
        kiosk_id    TEXT NOT NULL,
        created_at  TEXT NOT NULL,              -- ISO 8601 with offset
        draft_id    TEXT,
        receipt_no  TEXT,
        status      TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'taken', 'closed')),
        outcome     TEXT NOT NULL DEFAULT '',
        taken_by    TEXT NOT NULL DEFAULT '',
        closed_at   TEXT,
        UNIQUE (day, seq)
    );
    CREATE INDEX staff_tickets_open ON staff_tickets (status, id);
    CREATE INDEX staff_tickets_draft ON staff_tickets (draft_id);

    CREATE TABLE staff_pins (
        staff_id TEXT PRIMARY KEY,
        record   TEXT NOT NULL,                 -- JSON: scrypt params, salt, hash (never the PIN)
        set_at   TEXT NOT NULL
    );
    CREATE TABLE staff_pin_state (
        id           INTEGER PRIMARY KEY CHECK (id = 1),
        failures     INTEGER NOT NULL DEFAULT 0,
        locked_until REAL NOT NULL DEFAULT 0    -- unix seconds
    );
    INSERT INTO staff_pin_state (id, failures, locked_until) VALUES (1, 0, 0);

    CREATE TABLE staff_draft_versions (
        draft_id TEXT PRIMARY KEY,
        version  INTEGER NOT NULL
    );

    CREATE TABLE staff_audit (
        id        INTEGER PRIMARY KEY AUTOINCREMENT,
        ts        TEXT NOT NULL,
        staff     TEXT NOT NULL,
        action    TEXT NOT NULL,
        target    TEXT NOT NULL DEFAULT '',     -- draft id, receipt no, ticket no, job id
        field     TEXT NOT NULL DEFAULT '',
        old       TEXT NOT NULL DEFAULT '',     -- masked
        new       TEXT NOT NULL DEFAULT '',     -- masked
        reason    TEXT NOT NULL DEFAULT '',
        prev_hash TEXT NOT NULL,
        hash      TEXT NOT NULL
    );
    CREATE TRIGGER staff_audit_no_update BEFORE UPDATE ON staff_audit
    BEGIN SELECT RAISE(ABORT, 'staff_audit is append-only'); END;
    CREATE TRIGGER staff_audit_no_delete BEFORE DELETE ON staff_audit
    BEGIN SELECT RAISE(ABORT, 'staff_audit is append-only'); END;

    CREATE TABLE staff_activity (
        day      TEXT NOT NULL,
        kind     TEXT NOT NULL,                 -- started / submitted / staff_submitted / cancelled / assistance / handoff / rejected
        form_id  TEXT NOT NULL DEFAULT '',
        field_id TEXT NOT NULL DEFAULT '',
        count    INTEGER NOT NULL,
        PRIMARY KEY (day, kind, form_id, field_id)
    );

    CREATE TABLE staff_feedback (
        id      TEXT PRIMARY KEY,               -- random: rows carry no order of arrival
        day     TEXT NOT NULL,
        form_id TEXT NOT NULL,
        rating  TEXT NOT NULL CHECK (rating IN ('good', 'ok', 'bad')),
        comment TEXT NOT NULL DEFAULT ''
    ) WITHOUT ROWID;
    """,
]


def ensure_schema(db: Database) -> None:
    """Create or migrate the staff tables (idempotent)."""
    db.register_schema(OWNER, MIGRATIONS)
