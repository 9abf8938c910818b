"""Resident feedback after a submission: 满意 / 一般 / 不满意 and optionally one sentence.

Stored anonymously on purpose: only the day, the service and the rating (and the sentence).
No draft id, no receipt, no time of day, and rows have random keys in a WITHOUT ROWID table,
so their order says nothing about who came when. Long digit runs (a phone or ID number said by
mistake) are blanked out of the sentence before it is stored.
"""
from __future__ import annotations

import datetime as dt
import re
import uuid
from collections import Counter
from dataclasses import dataclass, field

from kiosk.staff.clock import Clock, local_now
from kiosk.staff.errors import StaffError
from kiosk.staff.schema import ensure_schema
from kiosk.store.db import Database

RATINGS = ("good", "ok", "bad")          # 满意 / 一般 / 不满意 (feedback.<rating> wording)
COMMENT_MAX = 60
_DIGITS = re.compile(r"[0-9０-９零〇一二三四五六七八九幺两洞]{5,}")
_CJK_SPACE = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")


def clean_comment(text: str | None) -> str:
    """One sentence as stored: vosk spaces between Chinese words removed, digit runs blanked, cut to length."""
    text = _CJK_SPACE.sub("", (text or "").strip())
    text = _DIGITS.sub("＊＊＊", text)
    return re.sub(r"\s+", " ", text)[:COMMENT_MAX]


@dataclass
class FeedbackSummary:
    """Counts per service and rating, and the sentences (no order, no link to anyone)."""

    day_from: str
    day_to: str
    ratings: dict[str, Counter] = field(default_factory=dict)   # form_id -> Counter(rating)
    comments: dict[str, list[str]] = field(default_factory=dict)

    def total(self, rating: str | None = None) -> int:
        """How many ratings (of one kind)."""
        return sum(c[rating] if rating else sum(c.values()) for c in self.ratings.values())


class FeedbackBox:
    """Write and summarise anonymous feedback."""

    def __init__(self, db: Database, clock: Clock = local_now) -> None:
        self.db = db
        self._clock = clock
        ensure_schema(db)

    def record(self, form_id: str, rating: str, comment: str | None = None) -> None:
        """Keep one rating for a service (call with the form id only, never the session)."""
        if rating not in RATINGS:
            raise StaffError("staff.feedback_rating")
        with self.db.transaction("feedback") as conn:
            conn.execute("INSERT INTO staff_feedback (id, day, form_id, rating, comment) VALUES (?, ?, ?, ?, ?)",
                         (uuid.uuid4().hex, self._clock().date().isoformat(), form_id, rating,
                          clean_comment(comment)))

    def summary(self, day_from: dt.date, day_to: dt.date | None = None) -> FeedbackSummary:
        """Ratings and sentences between two days (inclusive); sentences sorted, not in arrival order."""
        day_to = day_to or day_from
        out = FeedbackSummary(day_from.isoformat(), day_to.isoformat())
        with self.db.read("feedback summary") as conn:
            rows = conn.execute("SELECT form_id, rating, comment FROM staff_feedback WHERE day BETWEEN ? AND ?",
                                (out.day_from, out.day_to)).fetchall()
        for form_id, rating, comment in rows:
            out.ratings.setdefault(form_id, Counter())[rating] += 1
            if comment:
                out.comments.setdefault(form_id, []).append(comment)
        for texts in out.comments.values():
            texts.sort()
        return out
