"""One draft opened by staff: see every answer, change it through validate() or override it with
a written reason, and submit on the resident's behalf.

A case wraps either the live resident `Session` (staff took over at the kiosk: the same answers
dict is edited, so nothing the resident said is lost) or a stored draft. Every save first moves
the draft's version forward with a compare-and-swap, so of two staff sessions racing on one
draft the second save fails with StaleDraft and overwrites nothing.
"""
from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kiosk.catalogue.spec import FieldSpec, FieldType, FormSpec
from kiosk.dialogue.engine import Session, Stage
from kiosk.dialogue.render import display
from kiosk.dialogue.validate import Invalid, validate
from kiosk.staff import activity as act
from kiosk.staff.audit import masked
from kiosk.staff.errors import DraftGone, NeedsReason, StaffError, StaleDraft
from kiosk.staff.tickets import DONE
from kiosk.store.db import Database
from kiosk.store.model import Draft, StoreError, Submission, sealed_field_ids
from kiosk.voices import say

if TYPE_CHECKING:
    from kiosk.staff.mode import StaffSession

log = logging.getLogger(__name__)

ASSISTED_KEY = "_assisted"      # in the answers: {"staff": [ids], "overrides": [field ids]}
REASON_MIN = 4                  # characters in an override reason


def read_version(db: Database, draft_id: str) -> int:
    """The draft's staff-edit version (0 before the first staff save)."""
    with db.read("draft version") as conn:
        row = conn.execute("SELECT version FROM staff_draft_versions WHERE draft_id = ?", (draft_id,)).fetchone()
    return row[0] if row else 0


def bump_version(db: Database, draft_id: str, expected: int) -> int:
    """Move the version from `expected` to the next one, or raise StaleDraft if someone was first."""
    with db.transaction("draft version bump") as conn:
        row = conn.execute("SELECT version FROM staff_draft_versions WHERE draft_id = ?", (draft_id,)).fetchone()
        current = row[0] if row else 0
        if current != expected:
            raise StaleDraft("staff.draft_stale")
        conn.execute("INSERT INTO staff_draft_versions (draft_id, version) VALUES (?, ?) "
                     "ON CONFLICT (draft_id) DO UPDATE SET version = excluded.version", (draft_id, current + 1))
    return current + 1


@dataclass(frozen=True)
class CaseItem:
    """One field as the staff screen lists it."""

    field_id: str
    label: str
    type: str
    answered: bool
    display: str            # full value (staff need it to correct it); '' when unanswered
    masked: str             # what a screen shows by default / what the audit log holds
    personal: bool
    optional: bool
    overridden: bool


@dataclass(frozen=True)
class StaffSubmitResult:
    """What a staff submission produced."""

    submission: Submission
    printed: Any = None     # the printing package's PrintOutcome, or None without a printer


class DraftCase:
    """A draft staff are working on."""

    def __init__(self, staff: "StaffSession", form: FormSpec, fields: list[FieldSpec], draft_id: str,
                 answers: dict[str, Any], *, live: Session | None = None, locked: bool = False,
                 step: str | None = None) -> None:
        self.staff = staff
        self.form = form
        self.fields = fields
        self.draft_id = draft_id
        self.answers = answers              # the live session's own dict when `live`
        self.live = live
        self.locked = locked                # personal values sealed and the store key locked
        self.step = step
        self.version = read_version(staff.mode.db, draft_id)
        self.submitted: Submission | None = None

    # --- reading -----------------------------------------------------------------------------
    def field(self, field_id: str) -> FieldSpec:
        """A field of this form (StaffError when there is none)."""
        for f in self.fields:
            if f.id == field_id:
                return f
        raise StaffError("staff.field_unknown", field=field_id)

    def applies(self, f: FieldSpec) -> bool:
        """The field is asked given the answers so far."""
        return f.when is None or f.when.holds(self.answers)

    @property
    def overrides(self) -> list[str]:
        """Fields whose value staff kept despite validation."""
        return list((self.answers.get(ASSISTED_KEY) or {}).get("overrides", []))

    def items(self) -> list[CaseItem]:
        """Every field that applies, answered or not, in form order."""
        out = []
        for f in self.fields:
            if not self.applies(f):
                continue
            value = self.answers.get(f.id)
            sealed = self.locked and f.personal
            shown = say("staff.value_locked") if sealed else (display(f, value) if value is not None else "")
            out.append(CaseItem(f.id, f.label, f.type.value, f.id in self.answers or sealed, shown,
                                say("staff.value_locked") if sealed else masked(f, value), f.personal,
                                f.optional, f.id in self.overrides))
        return out

    def missing(self) -> list[str]:
        """Required fields that apply and have no answer (submit refuses while any are left)."""
        return [f.id for f in self.fields
                if self.applies(f) and not f.optional and f.id not in self.answers]

    # --- changing ------------------------------------------------------------------------------
    def set(self, field_id: str, value: Any, reason: str | None = None) -> Any:
        """Change one answer: validated like a resident's, or kept as typed with a written reason."""
        self.staff.touch()
        self._writable()
        f = self.field(field_id)
        if not self.applies(f):
            raise StaffError("staff.field_not_shown", label=f.label)
        overridden = False
        try:
            new = validate(f, value, self.staff.mode.site, self.staff.mode.today())
        except Invalid as problem:
            if f.type is FieldType.CONSENT:   # consent is the resident's, never staff's to override
                raise StaffError("staff.consent_is_residents") from None
            if not reason or len(reason.strip()) < REASON_MIN:
                raise NeedsReason("staff.needs_reason", problem=problem.message(), least=REASON_MIN) from None
            try:
                json.dumps(value, allow_nan=False)
            except (TypeError, ValueError):
                raise StaffError("staff.value_unusable") from None
            new, overridden = value, True
        old = self.answers.get(f.id)
        before = dict(self.answers)
        self._apply(f.id, new, overridden)
        dropped = self._drop_unreachable()
        self._save(before)
        audit = self.staff.mode.audit
        audit.record(self.staff.staff_id, "override" if overridden else "edit", self.draft_id, f.id,
                     masked(f, old), masked(f, new), reason.strip() if overridden else "")
        for g, gone in dropped:
            audit.record(self.staff.staff_id, "clear_dependent", self.draft_id, g.id, masked(g, gone), "")
        return new

    def clear(self, field_id: str) -> None:
        """Remove one answer (a required one must be answered again before submitting)."""
        self.staff.touch()
        self._writable()
        f = self.field(field_id)
        if f.id not in self.answers:
            return
        old = self.answers[f.id]
        before = dict(self.answers)
        self.answers.pop(f.id)
        self._forget_override(f.id)
        dropped = self._drop_unreachable()
        self._save(before)
        self.staff.mode.audit.record(self.staff.staff_id, "clear", self.draft_id, f.id, masked(f, old), "")
        for g, gone in dropped:
            self.staff.mode.audit.record(self.staff.staff_id, "clear_dependent", self.draft_id, g.id,
                                         masked(g, gone), "")

    def submit(self) -> StaffSubmitResult:
        """Submit on the resident's behalf, print the receipt, close the draft's tickets."""
        self.staff.touch()
        self._writable()
        if read_version(self.staff.mode.db, self.draft_id) != self.version:
            raise StaleDraft("staff.draft_stale")      # someone else changed it since it was opened
        missing = self.missing()
        if missing:
            raise StaffError("staff.missing", labels="、".join(self.field(m).label for m in missing))
        mode = self.staff.mode
        self.version = bump_version(mode.db, self.draft_id, self.version)
        meta = dict(self.answers.get(ASSISTED_KEY) or {})
        meta.setdefault("overrides", [])
        meta["staff"] = sorted(set(meta.get("staff", [])) | {self.staff.staff_id})
        self.answers[ASSISTED_KEY] = meta
        try:
            submission = mode.store.submit(self._draft())
        except StoreError as err:
            log.error("staff submission failed: %s", err.code)
            raise StaffError("staff.save_failed", code=err.code) from None
        self.submitted = submission
        mode.store.mark_receipt_shown(submission.receipt_no)    # staff have it in front of them
        mode.audit.record(self.staff.staff_id, "submit", self.draft_id, "", "", submission.receipt_no)
        mode.counter.bump(mode.today(), act.STAFF_SUBMITTED, self.form.id)
        for ticket in mode.tickets.open_for_draft(self.draft_id):
            mode.tickets.close(ticket.id, DONE, self.staff.staff_id)
        if self.live is not None:
            self.live.stage = Stage.DONE
            self.live.receipt_no = submission.receipt_no
            if self.live.visit.session is self.live:   # the kiosk screen returns home
                self.live.visit.end("staff_submitted")
        printed = None
        if mode.printing is not None:
            printed = mode.printing.print_submission(submission, self.form, mode.site)
            if not printed.ok:
                mode.desk.printer_failed(submission.receipt_no, self.form.id)
        return StaffSubmitResult(submission, printed)

    def hand_back(self) -> None:
        """Give a live session back to the resident at the question they were on."""
        self.staff.touch()
        live = self.live
        if live is None or live.stage in (Stage.DONE, Stage.CANCELLED):
            return
        # Continue at the first question still open (staff may have answered the one on screen).
        todo = [i for i, f in enumerate(live.fields)
                if self.applies(f) and f.id not in self.answers and f.id not in live.skipped]
        if todo:
            live.index, live.resume_stage = todo[0], Stage.ASK
        else:
            live.resume_stage = Stage.REVIEW
        live.resume()
        self.staff.mode.audit.record(self.staff.staff_id, "hand_back", self.draft_id)

    # --- internals ----------------------------------------------------------------------------
    def _writable(self) -> None:
        if self.submitted is not None:
            raise StaffError("staff.already_submitted", receipt=self.submitted.receipt_no)
        if self.locked:
            raise StaffError("staff.store_locked")
        if self.live is not None and self.live.stage is Stage.DONE:
            raise StaffError("staff.already_submitted", receipt=self.live.receipt_no or "")
        if self.live is not None and self.live.stage is Stage.CANCELLED:
            raise DraftGone("staff.draft_gone")

    def _apply(self, field_id: str, value: Any, overridden: bool) -> None:
        self.answers[field_id] = value
        if self.live is not None:
            self.live.skipped.discard(field_id)
        meta = dict(self.answers.get(ASSISTED_KEY) or {"staff": [], "overrides": []})
        meta["staff"] = sorted(set(meta.get("staff", [])) | {self.staff.staff_id})
        overrides = [x for x in meta.get("overrides", []) if x != field_id]
        meta["overrides"] = overrides + [field_id] if overridden else overrides
        self.answers[ASSISTED_KEY] = meta

    def _forget_override(self, field_id: str) -> None:
        meta = self.answers.get(ASSISTED_KEY)
        if meta and field_id in meta.get("overrides", []):
            self.answers[ASSISTED_KEY] = dict(meta, overrides=[x for x in meta["overrides"] if x != field_id])

    def _drop_unreachable(self) -> list[tuple[FieldSpec, Any]]:
        """A changed answer can hide later fields: their answers go, as the engine does it."""
        dropped = []
        for f in self.fields:
            if f.id in self.answers and not self.applies(f):
                dropped.append((f, self.answers.pop(f.id)))
                self._forget_override(f.id)
        return dropped

    def _draft(self) -> Draft:
        personal = sealed_field_ids(self.fields, self.answers)     # personal and free text
        step = self.live.field.id if self.live is not None else self.step
        return Draft(self.draft_id, self.form.id, dict(self.answers), personal, step)

    def _save(self, before: dict[str, Any]) -> None:
        """Version check, then save; on any failure the answers go back to what they were."""
        db = self.staff.mode.db
        try:
            self.version = bump_version(db, self.draft_id, self.version)
            self.staff.mode.store.save_draft(self._draft())
        except (StaleDraft, StoreError) as err:
            self.answers.clear()
            self.answers.update(before)
            if isinstance(err, StaleDraft):
                raise
            log.error("staff draft save failed: %s", err.code)
            raise StaffError("staff.save_failed", code=err.code) from None

