"""PostgreSQL schema of the central service: ordered, append-only migrations with a version table.

Never edit or reorder a released step; append a new one. Each step runs in its own transaction
together with its row in `central_schema`, under an advisory lock, so two services starting at
once migrate once and a failed step leaves the schema at the last whole step.
"""
from __future__ import annotations

import logging

import psycopg

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

STATUSES = ("received", "in_progress", "done")     # 已受理 / 办理中 / 已办结
_LOCK_ID = 0x6B696F736B   # pg_advisory_xact_lock key for migrations ("kiosk")

MIGRATIONS: list[str] = [
    """
    CREATE TABLE kiosks (
        kiosk_id     text PRIMARY KEY,
        token_hash   text NOT NULL UNIQUE,          -- sha256 of the API token; the token is shown once
        created_at   timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz
    );
    CREATE TABLE kiosk_keys (                       -- public key + private key wrapped by the staff secret
        kiosk_id      text NOT NULL REFERENCES kiosks ON DELETE CASCADE,
        key_id        text NOT NULL,
        keyring       jsonb NOT NULL,
        registered_at timestamptz NOT NULL DEFAULT now(),
        updated_at    timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (kiosk_id, key_id)
    );
    CREATE TABLE submissions (
        uuid        text PRIMARY KEY,               -- the kiosk's submission uuid: upserts key on it
        kiosk_id    text NOT NULL REFERENCES kiosks,
        receipt_no  text NOT NULL,
        form_id     text NOT NULL,
        created_at  timestamptz NOT NULL,
        check_code  text NOT NULL,
        key_id      text NOT NULL,
        payload     jsonb NOT NULL CHECK (payload ? 'v'),   -- plain answers + sealed personal values
        status      text NOT NULL DEFAULT 'received' CHECK (status IN ('received', 'in_progress', 'done')),
        status_at   timestamptz NOT NULL DEFAULT now(),
        received_at timestamptz NOT NULL DEFAULT now()
    );
    CREATE INDEX submissions_receipt ON submissions (receipt_no);
    CREATE INDEX submissions_created ON submissions (created_at DESC);
    CREATE TABLE staff_accounts (
        username     text PRIMARY KEY,
        pw_hash      text NOT NULL,                 -- slow salted Scrypt record (kiosk.staff.pin.hash_pin)
        failures     integer NOT NULL DEFAULT 0,
        locked_until timestamptz,
        updated_at   timestamptz NOT NULL DEFAULT now()
    );
    CREATE TABLE staff_sessions (
        id_hash    text PRIMARY KEY,                -- sha256 of the cookie value
        username   text NOT NULL REFERENCES staff_accounts ON DELETE CASCADE,
        csrf       text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL
    );
    CREATE TABLE central_audit (
        id     bigserial PRIMARY KEY,
        ts     timestamptz NOT NULL DEFAULT now(),
        actor  text NOT NULL,
        action text NOT NULL,
        target text NOT NULL DEFAULT '',
        old    text NOT NULL DEFAULT '',
        new    text NOT NULL DEFAULT ''
    );
    CREATE FUNCTION central_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'central_audit is append-only';
    END $$;
    CREATE TRIGGER central_audit_no_change BEFORE UPDATE OR DELETE ON central_audit
        FOR EACH ROW EXECUTE FUNCTION central_audit_append_only();
    """,
    # v2: login throttling per (account, source) instead of a whole-account lock an outsider could
    # trigger; browsers that logged in before ("known devices") skip the per-account rate limit.
    """
    CREATE TABLE login_failures (
        username text NOT NULL,
        source   text NOT NULL,                    -- client address the attempts came from
        failures integer NOT NULL DEFAULT 0,
        next_at  timestamptz NOT NULL,             -- no password is checked for this pair before then
        PRIMARY KEY (username, source)
    );
    CREATE TABLE staff_devices (
        id_hash    text PRIMARY KEY,               -- sha256 of the device cookie
        username   text NOT NULL REFERENCES staff_accounts ON DELETE CASCADE,
        created_at timestamptz NOT NULL DEFAULT now()
    );
    """,
    # v3: retention. Submissions past their form's retention_days are deleted; what stays is a
    # count per service, kiosk, local day and status, for statistics (no answers, no receipt).
    """
    CREATE TABLE submission_counts (
        form_id  text NOT NULL,
        kiosk_id text NOT NULL,
        day      date NOT NULL,                    -- the centre's local day the submissions were made
        status   text NOT NULL,
        n        integer NOT NULL,
        PRIMARY KEY (form_id, kiosk_id, day, status)
    );
    """,
    # v4: each kiosk's audit chain head, sent with every sync batch. The anchor is the newest head
    # that extended the one before; a kiosk whose history no longer passes through its anchor is
    # flagged (audit_alarm) and the anchor is kept as evidence.
    """
    ALTER TABLE kiosks ADD COLUMN audit_id integer NOT NULL DEFAULT 0;
    ALTER TABLE kiosks ADD COLUMN audit_hash text NOT NULL DEFAULT '';
    ALTER TABLE kiosks ADD COLUMN audit_count integer NOT NULL DEFAULT 0;
    ALTER TABLE kiosks ADD COLUMN audit_at timestamptz;
    ALTER TABLE kiosks ADD COLUMN audit_alarm text NOT NULL DEFAULT '';     -- '' | rewritten | rewound
    CREATE TABLE kiosk_audit_heads (
        id          bigserial PRIMARY KEY,
        kiosk_id    text NOT NULL REFERENCES kiosks ON DELETE CASCADE,
        received_at timestamptz NOT NULL,
        head_id     integer NOT NULL,
        head_hash   text NOT NULL,
        head_count  integer NOT NULL,
        verdict     text NOT NULL                  -- ok | rewritten | rewound
    );
    """,
    # v5: the highest receipt number each kiosk has synced (day + sequence), kept beyond retention,
    # so a kiosk that lost its data resumes numbering above it (the answer to every batch).
    # Sequences of more than 9 digits are not kept (no kiosk issues a billion receipts a day).
    """
    ALTER TABLE kiosks ADD COLUMN receipt_day text NOT NULL DEFAULT '';
    ALTER TABLE kiosks ADD COLUMN receipt_seq bigint NOT NULL DEFAULT 0;
    UPDATE kiosks k SET receipt_day = h.day, receipt_seq = h.seq FROM (
        SELECT DISTINCT ON (kiosk_id) kiosk_id, split_part(receipt_no, '-', 1) AS day,
               substring(receipt_no FROM '-([0-9]{1,9})$')::bigint AS seq
        FROM submissions WHERE receipt_no ~ '^[0-9]{8}-.*-[0-9]{1,9}$'
        ORDER BY kiosk_id, split_part(receipt_no, '-', 1) DESC,
                 substring(receipt_no FROM '-([0-9]{1,9})$')::bigint DESC) h
    WHERE k.kiosk_id = h.kiosk_id;
    """,
]


class SchemaError(KioskError):
    """The database was migrated by a newer central service."""

    code = "schema"


def schema_version(conn: psycopg.Connection) -> int:
    """The highest applied migration (0 for an empty database)."""
    conn.execute("CREATE TABLE IF NOT EXISTS central_schema ("
                 "version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())")
    return conn.execute("SELECT coalesce(max(version), 0) FROM central_schema").fetchone()[0]


def migrate(dsn: str) -> int:
    """Apply every missing migration; return the schema version now in force."""
    with psycopg.connect(dsn) as conn:
        while True:
            with conn.transaction():
                conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_ID,))
                version = schema_version(conn)
                if version > len(MIGRATIONS):
                    raise SchemaError(f"database schema v{version} is newer than this service "
                                      f"(knows v{len(MIGRATIONS)}): upgrade the service")
                if version == len(MIGRATIONS):
                    return version
                conn.execute(MIGRATIONS[version])
                conn.execute("INSERT INTO central_schema (version) VALUES (%s)", (version + 1,))
                log.info("central schema migrated to v%d", version + 1)
