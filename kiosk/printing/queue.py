"""The persistent print queue: a receipt stays here until it is printed or staff dismiss it.

Lives in the kiosk's SQLite file (owner "printing", via `Database.register_schema`). A job holds
the masked `Receipt` as JSON, never raw answers, so the queue needs no key to read and shows
staff nothing a printed receipt would not. Jobs are re-encoded at print time, so a reprint
follows the current paper width and profile.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from kiosk.printing.receipt import Receipt
from kiosk.store.db import Database

OWNER = "printing"
MIGRATIONS = [
    """
    CREATE TABLE printing_jobs (
        id INTEGER PRIMARY KEY,
        receipt_no TEXT NOT NULL,
        receipt TEXT NOT NULL,               -- masked Receipt.to_dict() JSON
        state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'printed', 'dismissed')),
        tries INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        closed_by TEXT NOT NULL DEFAULT ''   -- staff id who reprinted / dismissed
    );
    CREATE INDEX printing_jobs_state ON printing_jobs (state, id);
    CREATE INDEX printing_jobs_receipt ON printing_jobs (receipt_no);
    """,
]

QUEUED, PRINTED, DISMISSED = "queued", "printed", "dismissed"


@dataclass(frozen=True)
class PrintJob:
    """One queued or finished receipt print."""

    id: int
    receipt: Receipt
    state: str
    tries: int
    last_error: str
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_by: str = ""

    @property
    def receipt_no(self) -> str:
        """The receipt's number (what staff look it up by)."""
        return self.receipt.receipt_no


def _now() -> dt.datetime:
    return dt.datetime.now().astimezone()


class PrintQueue:
    """Queue operations on the shared Database."""

    def __init__(self, db: Database, clock=_now) -> None:
        self.db = db
        self._clock = clock
        db.register_schema(OWNER, MIGRATIONS)

    def enqueue(self, receipt: Receipt) -> PrintJob:
        """Add a job in state 'queued' (durable on return)."""
        now = self._clock().isoformat()
        body = json.dumps(receipt.to_dict(), ensure_ascii=False)
        with self.db.transaction("enqueue print job") as conn:
            cur = conn.execute(
                "INSERT INTO printing_jobs (receipt_no, receipt, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (receipt.receipt_no, body, now, now))
            job_id = cur.lastrowid
        return self.get(job_id)

    def attempted(self, job_id: int, error: str = "") -> PrintJob:
        """Record one print attempt: '' error = printed, else stays queued with the error code."""
        now = self._clock().isoformat()
        with self.db.transaction("record print attempt") as conn:
            conn.execute(
                "UPDATE printing_jobs SET tries = tries + 1, last_error = ?, updated_at = ?, "
                "state = CASE WHEN ? = '' THEN 'printed' ELSE state END WHERE id = ? AND state = 'queued'",
                (error, now, error, job_id))
        return self.get(job_id)

    def close(self, job_id: int, state: str, staff: str = "") -> PrintJob:
        """Staff closed a job: 'printed' (reprinted) or 'dismissed'."""
        if state not in (PRINTED, DISMISSED):
            raise ValueError("a job is closed as printed or dismissed")
        with self.db.transaction("close print job") as conn:
            conn.execute("UPDATE printing_jobs SET state = ?, closed_by = ?, updated_at = ? WHERE id = ?",
                         (state, staff, self._clock().isoformat(), job_id))
        return self.get(job_id)

    def get(self, job_id: int) -> PrintJob:
        """A job by id (KeyError when there is none)."""
        with self.db.read("read print job") as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM printing_jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise KeyError(job_id)
        return _job(row)

    def pending(self) -> list[PrintJob]:
        """Jobs still waiting for paper, oldest first (what the staff console shows)."""
        with self.db.read("list print jobs") as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM printing_jobs WHERE state = 'queued' ORDER BY id").fetchall()
        return [_job(r) for r in rows]

    def latest_for(self, receipt_no: str) -> PrintJob | None:
        """The newest job for a receipt number, in any state."""
        with self.db.read("find print job") as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM printing_jobs WHERE receipt_no = ? ORDER BY id DESC LIMIT 1",
                               (receipt_no,)).fetchone()
        return _job(row) if row else None


_COLUMNS = "id, receipt, state, tries, last_error, created_at, updated_at, closed_by"


def _job(row) -> PrintJob:
    return PrintJob(row[0], Receipt.from_dict(json.loads(row[1])), row[2], row[3], row[4],
                    dt.datetime.fromisoformat(row[5]), dt.datetime.fromisoformat(row[6]), row[7])
