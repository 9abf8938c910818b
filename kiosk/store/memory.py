"""MemoryStore: the in-memory twin of SqliteStore for tests and a demo kiosk with no disk.

Same interface, receipt numbers and check codes; nothing is encrypted or durable (it lives only
as long as the process). Values are deep-copied in and out, so callers cannot alias stored data.
"""
from __future__ import annotations

import copy
import json
import os
import threading
import uuid as uuidlib
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from kiosk.store.keyring import check_code, check_code_matches
from kiosk.store.model import Draft, OutboxItem, StoreError, Submission
from kiosk.store.payload import receipt_day, receipt_no


def _local_now() -> datetime:
    return datetime.now().astimezone()


def _json_clean(answers: dict) -> dict:
    # Same rule as the real store: answers must be JSON-able.
    for field_id, value in answers.items():
        try:
            json.dumps(value, allow_nan=False)
        except (TypeError, ValueError) as err:
            raise StoreError("bad_answer", f"answer {field_id!r} is not JSON-able ({type(value).__name__})") from err
    return copy.deepcopy(answers)


class MemoryOutbox:
    """Outbox twin: pending(limit), mark_sent(ids), count_pending()."""

    def __init__(self, clock: Callable[[], datetime]) -> None:
        self.items: list[OutboxItem] = []
        self._clock = clock

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        """The oldest unsent items."""
        return [copy.deepcopy(i) for i in self.items if i.sent_at is None][:limit]

    def mark_sent(self, ids: Iterable[int]) -> int:
        """Mark items sent; return how many changed."""
        wanted, changed = set(ids), 0
        for item in self.items:
            if item.id in wanted and item.sent_at is None:
                item.sent_at = self._clock()
                changed += 1
        return changed

    def count_pending(self) -> int:
        """How many items are unsent."""
        return sum(1 for i in self.items if i.sent_at is None)


class MemoryStore:
    """A SubmissionStore kept in dictionaries."""

    def __init__(self, kiosk_id: str = "K01", *, clock: Callable[[], datetime] = _local_now) -> None:
        self.kiosk_id = kiosk_id
        self._clock = clock
        self._lock = threading.Lock()
        self._drafts: dict[str, Draft] = {}
        self._subs: dict[str, Submission] = {}
        self._by_draft: dict[str, str] = {}
        self._seq: dict[str, int] = {}
        self._check_key = os.urandom(32)
        self.outbox = MemoryOutbox(clock)

    def save_draft(self, draft: Draft) -> None:
        """Insert or replace a draft; sets draft.updated_at."""
        answers = _json_clean(draft.answers)
        draft.updated_at = self._clock()
        with self._lock:
            self._drafts[draft.draft_id] = Draft(draft.draft_id, draft.form_id, answers,
                                                 set(draft.personal), draft.step, draft.updated_at)

    def load_draft(self, draft_id: str, *, reveal: bool = True) -> Draft | None:
        """A saved draft or None (`reveal` accepted for parity; nothing is sealed here)."""
        with self._lock:
            return copy.deepcopy(self._drafts.get(draft_id))

    def discard_draft(self, draft_id: str) -> None:
        """Delete a draft (no error when absent)."""
        with self._lock:
            self._drafts.pop(draft_id, None)

    def purge_drafts(self, older_than: timedelta) -> int:
        """Delete drafts not updated within `older_than`."""
        cutoff = self._clock() - older_than
        with self._lock:
            old = [k for k, d in self._drafts.items() if d.updated_at is not None and d.updated_at < cutoff]
            for k in old:
                del self._drafts[k]
        return len(old)

    def submit(self, draft: Draft) -> Submission:
        """Store the submission + outbox item and drop the draft, all at once."""
        answers = _json_clean(draft.answers)
        created = self._clock()
        with self._lock:
            if draft.draft_id in self._by_draft:
                self._drafts.pop(draft.draft_id, None)
                return copy.deepcopy(self._subs[self._by_draft[draft.draft_id]])
            day = receipt_day(created)
            scope = f"{self.kiosk_id}:{day}"
            self._seq[scope] = self._seq.get(scope, 0) + 1
            receipt = receipt_no(day, self.kiosk_id, self._seq[scope])
            sub = Submission(receipt, uuidlib.uuid4().hex, draft.form_id, created, answers,
                             set(draft.personal), check_code(self._check_key, receipt))
            self._subs[receipt] = sub
            self._by_draft[draft.draft_id] = receipt
            self.outbox.items.append(OutboxItem(len(self.outbox.items) + 1, sub.uuid, {
                "v": 1, "uuid": sub.uuid, "receipt_no": receipt, "kiosk_id": self.kiosk_id,
                "form_id": sub.form_id, "created_at": created.isoformat(), "check_code": sub.check_code,
                "answers": {k: v for k, v in answers.items() if k not in draft.personal},
                "personal": sorted(draft.personal),
            }, created))
            self._drafts.pop(draft.draft_id, None)
            return copy.deepcopy(sub)

    def get_submission(self, receipt_no: str, *, reveal: bool = True) -> Submission | None:
        """A submission by receipt number, or None (`reveal` accepted for parity)."""
        with self._lock:
            return copy.deepcopy(self._subs.get(receipt_no))

    def verify_check_code(self, receipt: str, code: str) -> bool:
        """True when `code` belongs to `receipt`."""
        return check_code_matches(self._check_key, receipt, code)

    def close(self) -> None:
        """Nothing to release."""
