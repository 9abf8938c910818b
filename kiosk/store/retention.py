"""Retention on the kiosk: what the consent promised ("365天后删除") is what the kiosk keeps.

Each form's `retention_days` applies to its submitted records and everything hanging off
them: the submission row, its outbox row, its print jobs and its handoff tickets. Tickets
without a form, and the masked values in the audit log, follow the longest retention of any
form (audit rows stay, their values are blanked; the keyed chain stays provable). Unfinished
drafts follow `store.draft_purge_hours`.

Run by the kiosk at start-up and every `store.purge_every_hours`, and by `kiosk store purge`.
What went is counted in the audit log as one `retention_purge` row of numbers only.
"""
from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from kiosk.store.sqlite import SqliteStore

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 365      # FormSpec's default; used for rows of a form no longer installed


@dataclass
class PurgeReport:
    """How many rows each purge step removed (numbers only, never content)."""

    counts: dict[str, int] = field(default_factory=dict)

    def add(self, what: str, n: int) -> None:
        """Count `n` more rows of `what`."""
        self.counts[what] = self.counts.get(what, 0) + max(0, n)

    @property
    def total(self) -> int:
        """All rows removed or blanked."""
        return sum(self.counts.values())

    def line(self) -> str:
        """`drafts=1 submissions=3 outbox=3 print_jobs=2 tickets=1 audit_values=4`."""
        return " ".join(f"{k}={v}" for k, v in self.counts.items())


def _table_exists(conn: sqlite3.Connection, name: str) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).fetchone() is not None


def _older(text: str, cutoff: datetime) -> bool:
    try:
        return datetime.fromisoformat(text) < cutoff
    except (TypeError, ValueError):
        return False     # an unreadable date is never a reason to delete


def purge_expired(store: SqliteStore, retention_days: Mapping[str, int], now: datetime) -> PurgeReport:
    """Delete submitted records past their form's retention, with their outbox rows, print jobs
    and tickets, in one transaction; blank audit values past the longest retention."""
    report = PurgeReport()
    longest = max([*retention_days.values(), DEFAULT_RETENTION_DAYS])

    def cutoff(form_id: str | None) -> datetime:
        days = retention_days.get(form_id or "", longest if form_id is None else DEFAULT_RETENTION_DAYS)
        return now - timedelta(days=days)

    with store.db.transaction("retention purge") as conn:
        rows = conn.execute("SELECT uuid, receipt_no, form_id, created_at FROM submissions").fetchall()
        expired = [(u, r) for u, r, f, c in rows if _older(c, cutoff(f))]
        uuids, receipts = [u for u, _ in expired], [r for _, r in expired]
        for chunk in range(0, len(expired), 500):
            us, rs = uuids[chunk:chunk + 500], receipts[chunk:chunk + 500]
            marks_u, marks_r = ",".join("?" * len(us)), ",".join("?" * len(rs))
            report.add("outbox", conn.execute(f"DELETE FROM outbox WHERE submission_uuid IN ({marks_u})", us).rowcount)
            if _table_exists(conn, "printing_jobs"):
                report.add("print_jobs", conn.execute(
                    f"DELETE FROM printing_jobs WHERE receipt_no IN ({marks_r})", rs).rowcount)
            if _table_exists(conn, "staff_tickets"):
                report.add("tickets", conn.execute(
                    f"DELETE FROM staff_tickets WHERE receipt_no IN ({marks_r})", rs).rowcount)
            report.add("submissions", conn.execute(f"DELETE FROM submissions WHERE uuid IN ({marks_u})", us).rowcount)
        report.counts.setdefault("submissions", 0)
        if _table_exists(conn, "printing_jobs"):   # jobs whose submission is gone some other way
            jobs = conn.execute("SELECT id, created_at FROM printing_jobs").fetchall()
            old_jobs = [j for j, c in jobs if _older(c, now - timedelta(days=longest))]
            for j in old_jobs:
                report.add("print_jobs", conn.execute("DELETE FROM printing_jobs WHERE id = ?", (j,)).rowcount)
        if _table_exists(conn, "staff_tickets"):
            tickets = conn.execute("SELECT id, form_id, created_at FROM staff_tickets").fetchall()
            for t, form_id, created in tickets:
                if _older(created, cutoff(form_id)):
                    report.add("tickets", conn.execute("DELETE FROM staff_tickets WHERE id = ?", (t,)).rowcount)
    if _has_audit(store):
        from kiosk.staff.audit import AuditLog

        report.add("audit_values", AuditLog(store.db, lambda: now).purge_values(now - timedelta(days=longest)))
    return report


def _has_audit(store: SqliteStore) -> bool:
    with store.db.read("audit table") as conn:
        return _table_exists(conn, "staff_audit")


def purge_all(store: SqliteStore, retention_days: Mapping[str, int], *, draft_hours: float,
              clock: Callable[[], datetime] | None = None) -> PurgeReport:
    """Drafts past `draft_hours` and records past retention; counted in the audit log when any went."""
    now = clock() if clock is not None else store.now()
    report = PurgeReport()
    cutoff_ts = (now - timedelta(hours=draft_hours)).timestamp()
    with store.db.transaction("purge drafts") as conn:
        report.add("drafts", conn.execute("DELETE FROM drafts WHERE updated_ts < ?", (cutoff_ts,)).rowcount)
    for what, n in purge_expired(store, retention_days, now).counts.items():
        report.add(what, n)
    if report.total:
        from kiosk.staff.audit import AuditLog

        AuditLog(store.db, lambda: now).record("system", "retention_purge", new=report.line())
        log.info("retention purge: %s", report.line())
    return report
