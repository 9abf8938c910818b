"""The persistent print queue: a receipt stays here until it is printed or staff dismiss it.

Lives in the kiosk's SQLite file (owner "printing", via `Database.register_schema`). A job holds
the masked `Receipt` as JSON, never raw answers, so the queue needs no key to read and shows
staff nothing a printed receipt would not. Jobs are re-encoded at print time, so a reprint
follows the current paper width and profile.

A job is 'printed' only when the printer confirmed it by status after the last byte; a printer
that cannot report status leaves it 'unconfirmed' (staff see it); any fault leaves it 'queued'
with the error code and how many bytes went out (a partial print, shown as such to staff).
`enqueue` called inside the store's submission transaction joins it, so a submission and its
print job commit together.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.printing.receipt import Receipt, receipt_for
from kiosk.store.db import Database
from kiosk.store.transient import PERSONAL_RECEIPT_FIELDS, PROCESS_SEAL

if TYPE_CHECKING:
    from kiosk.store.model import Submission

log = logging.getLogger(__name__)

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
    # 2: 'unconfirmed' state, bytes sent of the last try, paper near end, staff reprints.
    """
    CREATE TABLE printing_jobs_v2 (
        id INTEGER PRIMARY KEY,
        receipt_no TEXT NOT NULL,
        receipt TEXT NOT NULL,
        state TEXT NOT NULL DEFAULT 'queued'
            CHECK (state IN ('queued', 'printed', 'unconfirmed', 'dismissed')),
        tries INTEGER NOT NULL DEFAULT 0,
        last_error TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        closed_by TEXT NOT NULL DEFAULT '',
        bytes_sent INTEGER NOT NULL DEFAULT 0,   -- of the last try
        job_bytes INTEGER NOT NULL DEFAULT 0,    -- size of the last try's job
        paper_low INTEGER NOT NULL DEFAULT 0,    -- the printer said paper near end
        reprints INTEGER NOT NULL DEFAULT 0
    );
    INSERT INTO printing_jobs_v2 (id, receipt_no, receipt, state, tries, last_error, created_at, updated_at,
                                  closed_by)
        SELECT id, receipt_no, receipt, state, tries, last_error, created_at, updated_at, closed_by
        FROM printing_jobs;
    DROP TABLE printing_jobs;
    ALTER TABLE printing_jobs_v2 RENAME TO printing_jobs;
    CREATE INDEX printing_jobs_state ON printing_jobs (state, id);
    CREATE INDEX printing_jobs_receipt ON printing_jobs (receipt_no);
    """,
]

QUEUED, PRINTED, UNCONFIRMED, DISMISSED = "queued", "printed", "unconfirmed", "dismissed"


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
    bytes_sent: int = 0
    job_bytes: int = 0
    paper_low: bool = False
    reprints: int = 0

    @property
    def receipt_no(self) -> str:
        """The receipt's number (what staff look it up by)."""
        return self.receipt.receipt_no

    @property
    def partial(self) -> bool:
        """Part of the job reached the printer before it failed: a torn slip may be out."""
        return self.state == QUEUED and self.bytes_sent > 0 and bool(self.last_error)


def _now() -> dt.datetime:
    """Local time with its offset."""
    return dt.datetime.now().astimezone()


class PrintQueue:
    """Queue operations on the shared Database."""

    def __init__(self, db: Database, clock: Callable[[], dt.datetime] = _now) -> None:
        self.db = db
        self._clock = clock
        db.register_schema(OWNER, MIGRATIONS)

    def enqueue(self, receipt: Receipt) -> PrintJob:
        """Add a job in state 'queued' (durable on return).

        Called inside an open transaction of the same Database (the store's `in_transaction`
        hook of a submission), it joins that transaction: the job commits with the submission.
        """
        now = self._clock().isoformat()
        # The masked personal lines are sealed with a key held only in memory: a stolen disk
        # gets no name/phone/building list from the queue (kiosk.store.transient).
        body = json.dumps(PROCESS_SEAL.seal_fields(receipt.to_dict(), PERSONAL_RECEIPT_FIELDS, receipt.receipt_no),
                          ensure_ascii=False)
        with self.db.transaction("enqueue print job") as conn:
            cur = conn.execute(
                "INSERT INTO printing_jobs (receipt_no, receipt, created_at, updated_at) VALUES (?, ?, ?, ?)",
                (receipt.receipt_no, body, now, now))
            job_id = int(cur.lastrowid or 0)
        return self.get(job_id)

    def attempted(self, job_id: int, error: str = "", *, bytes_sent: int = 0, job_bytes: int = 0,
                  confirmed: bool = True, paper_low: bool = False, reprint: bool = False) -> PrintJob:
        """Record one print attempt and set the state from its result.

        No error: 'printed' when the printer confirmed it, else 'unconfirmed'. An error: back to
        (or kept in) 'queued' with the code and bytes sent, even for a failed staff reprint of a
        printed job, so the queue shows the latest error. Dismissed jobs stay dismissed.
        """
        state = (PRINTED if confirmed else UNCONFIRMED) if not error else QUEUED
        with self.db.transaction("record print attempt") as conn:
            conn.execute(
                "UPDATE printing_jobs SET tries = tries + 1, last_error = ?, updated_at = ?, state = ?, "
                "bytes_sent = ?, job_bytes = ?, paper_low = ?, reprints = reprints + ? "
                "WHERE id = ? AND state != 'dismissed'",
                (error, self._clock().isoformat(), state, bytes_sent, job_bytes, int(paper_low),
                 int(reprint and not error), job_id))
        return self.get(job_id)

    def close(self, job_id: int, state: str, staff: str = "") -> PrintJob:
        """Staff closed a job: 'printed' (reprinted) or 'dismissed'."""
        if state not in (PRINTED, DISMISSED):
            raise ValueError("a job is closed as printed or dismissed")
        with self.db.transaction("close print job") as conn:
            conn.execute("UPDATE printing_jobs SET state = ?, closed_by = ?, updated_at = ? WHERE id = ?",
                         (state, staff, self._clock().isoformat(), job_id))
        return self.get(job_id)

    def mark_closed_by(self, job_id: int, staff: str) -> PrintJob:
        """Record which staff member reprinted a job."""
        with self.db.transaction("record reprint staff") as conn:
            conn.execute("UPDATE printing_jobs SET closed_by = ? WHERE id = ?", (staff, job_id))
        return self.get(job_id)

    def get(self, job_id: int) -> PrintJob:
        """A job by id (KeyError when there is none)."""
        with self.db.read("read print job") as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM printing_jobs WHERE id = ?", (job_id,)).fetchone()
        if row is None:
            raise KeyError(job_id)
        return _job(row)

    def pending(self) -> list[PrintJob]:
        """Jobs not confirmed as printed (queued or unconfirmed), oldest first: the staff queue."""
        with self.db.read("list print jobs") as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM printing_jobs WHERE state IN ('queued', 'unconfirmed') "
                                "ORDER BY id").fetchall()
        return [_job(r) for r in rows]

    def paper_low(self) -> bool:
        """The latest attempt's printer said its paper is near end (a staff notice)."""
        with self.db.read("printer paper") as conn:
            row = conn.execute("SELECT paper_low FROM printing_jobs WHERE tries > 0 "
                               "ORDER BY updated_at DESC, id DESC LIMIT 1").fetchone()
        return bool(row and row[0])

    def latest_for(self, receipt_no: str) -> PrintJob | None:
        """The newest job for a receipt number, in any state."""
        with self.db.read("find print job") as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM printing_jobs WHERE receipt_no = ? ORDER BY id DESC LIMIT 1",
                               (receipt_no,)).fetchone()
        return _job(row) if row else None


_COLUMNS = ("id, receipt, state, tries, last_error, created_at, updated_at, closed_by, bytes_sent, job_bytes, "
            "paper_low, reprints")


def _job(row: Any) -> PrintJob:
    d = json.loads(row[1])
    d = PROCESS_SEAL.open_fields(d, PERSONAL_RECEIPT_FIELDS, str(d.get("receipt_no", "")))
    return PrintJob(row[0], Receipt.from_dict(d), row[2], row[3], row[4],
                    dt.datetime.fromisoformat(row[5]), dt.datetime.fromisoformat(row[6]), row[7],
                    row[8], row[9], bool(row[10]), row[11])


def queue_on_submit(db: Database, forms: Mapping[str, FormSpec], site: SiteSpec,
                    status_url_base: str = "") -> Callable[["Submission"], None]:
    """A hook for `store.submit(draft, in_transaction=...)` that queues the receipt's print job.

    The job then commits with the submission or not at all, whichever way it was submitted
    (touchscreen, `kiosk console`). A receipt that cannot be built is logged and left to the
    print service (which queues it when it prints); a database error aborts the submission.
    """
    queue = PrintQueue(db)            # schema registered now, never inside a submission

    def hook(submission: "Submission") -> None:
        form = forms.get(submission.form_id)
        if form is None:
            return
        try:
            receipt = receipt_for(submission, form, site, status_url_base)
        except Exception:             # a receipt bug must never cost the resident their submission
            log.exception("receipt for %s not queued with the submission", submission.receipt_no)
            return
        queue.enqueue(receipt)

    return hook
