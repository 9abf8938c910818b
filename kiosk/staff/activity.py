"""Anonymous day counters: what residents came for, what they finished, where they got stuck.

Only (day, kind, form, field) -> count is kept: no draft ids, no times, no answers. The
HandoffDesk feeds it from dialogue events; staff submissions are counted by the staff session.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kiosk.staff.schema import ensure_schema
from kiosk.store.db import Database

STARTED, SUBMITTED, STAFF_SUBMITTED, CANCELLED = "started", "submitted", "staff_submitted", "cancelled"
REJECTED, ASSISTANCE, HANDOFF = "rejected", "assistance", "handoff"
STUCK_KINDS = (ASSISTANCE, HANDOFF)


@dataclass
class ServiceCounts:
    """One service's numbers for a day."""

    started: int = 0
    submitted: int = 0          # by residents and by staff together
    staff_submitted: int = 0
    cancelled: int = 0


@dataclass
class StuckField:
    """A question where residents needed help."""

    form_id: str
    field_id: str
    assistance: int = 0         # three failed answers
    handoff: int = 0            # asked for a person while on it
    rejected: int = 0           # answers not understood or not valid

    @property
    def total(self) -> int:
        """Help events on this field."""
        return self.assistance + self.handoff


@dataclass
class DayActivity:
    """A day's counts per service and the fields where residents got stuck (most first)."""

    day: str
    services: dict[str, ServiceCounts] = field(default_factory=dict)
    stuck: list[StuckField] = field(default_factory=list)


class ActivityCounter:
    """Increment and read the day counters."""

    def __init__(self, db: Database) -> None:
        self.db = db
        ensure_schema(db)

    def bump(self, day: dt.date, kind: str, form_id: str | None, field_id: str | None = None) -> None:
        """Add one to a counter."""
        with self.db.transaction("activity bump") as conn:
            conn.execute(
                "INSERT INTO staff_activity (day, kind, form_id, field_id, count) VALUES (?, ?, ?, ?, 1) "
                "ON CONFLICT (day, kind, form_id, field_id) DO UPDATE SET count = count + 1",
                (day.isoformat(), kind, form_id or "", field_id or ""))

    def day(self, day: dt.date) -> DayActivity:
        """Everything counted on `day`."""
        with self.db.read("activity read") as conn:
            rows = conn.execute("SELECT kind, form_id, field_id, count FROM staff_activity WHERE day = ?",
                                (day.isoformat(),)).fetchall()
        out = DayActivity(day.isoformat())
        stuck: dict[tuple[str, str], StuckField] = {}
        for kind, form_id, field_id, count in rows:
            if kind in (STARTED, SUBMITTED, STAFF_SUBMITTED, CANCELLED):
                counts = out.services.setdefault(form_id, ServiceCounts())
                setattr(counts, kind, getattr(counts, kind) + count)
                if kind == STAFF_SUBMITTED:
                    counts.submitted += count
            elif kind in (ASSISTANCE, HANDOFF, REJECTED) and field_id:
                item = stuck.setdefault((form_id, field_id), StuckField(form_id, field_id))
                setattr(item, kind, getattr(item, kind) + count)
        out.stuck = sorted((s for s in stuck.values() if s.total),
                           key=lambda s: (-s.total, -s.rejected, s.form_id, s.field_id))
        return out
