"""Assisted mode: PIN unlock, the staff session with idle logout, and what staff can do.

    mode = AssistedMode(store, site, catalogue.forms, settings.staff, printing=print_service)
    mode.desk.attach(visit)                 # tickets from the resident's session
    staff = mode.login("482913")            # WrongPin / PinLocked / NoPinSet
    case = staff.open_ticket(ticket.id)     # or staff.open_draft(id) / staff.take_over()
    case.set("phone", "13812345678")        # validated; case.set(f, v, reason="...") overrides
    case.submit()                           # receipt printed, tickets closed, all audited

Every staff action is written to the audit log; every call on a session that has been idle for
`idle_logout_s` ends it (LoggedOut) and the UI asks for the PIN again.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.config import StaffSettings
from kiosk.dialogue import prelude
from kiosk.dialogue.engine import Session, Stage
from kiosk.staff.activity import ActivityCounter, DayActivity
from kiosk.staff.audit import AuditLog
from kiosk.staff.case import DraftCase
from kiosk.staff.clock import Clock, local_now
from kiosk.staff.errors import DraftGone, LoggedOut, PinLocked, StaffError
from kiosk.staff.feedback import FeedbackBox, FeedbackSummary
from kiosk.staff.pin import PinKdf, PinVault
from kiosk.staff.tickets import (
    DISMISSED,
    DRAFT_GONE,
    TAKEOVER,
    UNSEEN_RECEIPT,
    HandoffDesk,
    HandoffTicket,
    TicketBook,
)
from kiosk.store.model import StoreError

log = logging.getLogger(__name__)



@dataclass(frozen=True)
class DraftInfo:
    """A saved draft as the staff list shows it (no answers)."""

    draft_id: str
    form_id: str
    title: str
    step: str | None
    updated_at: dt.datetime | None
    live: bool                  # a resident is on it right now


@dataclass
class DaySummary:
    """The day's activity for the staff screen."""

    day: str
    activity: DayActivity
    feedback: FeedbackSummary
    tickets: list[HandoffTicket] = field(default_factory=list)
    print_pending: int = 0


class AssistedMode:
    """Everything the staff side needs, on the store's database."""

    def __init__(self, store, site: SiteSpec, forms: Mapping[str, FormSpec], settings: StaffSettings | None = None,
                 *, printing: Any = None, clock: Clock = local_now, kdf: PinKdf | None = None,
                 secret_source: Callable[[], str | None] | None = None) -> None:
        settings = settings or StaffSettings()
        self.store = store
        # Where the staff secret comes from when staff log in (e.g. [store] secret_file on a key
        # they plug in): the store is unlocked for their session and locked again at logout.
        self.secret_source = secret_source
        self._unlocked_for_session = False
        self.db = store.db
        self.site = site
        self.forms = forms
        self.settings = settings
        self.printing = printing            # kiosk.printing.service.PrintService or None
        self.clock = clock
        self.audit = AuditLog(self.db, clock)
        self.pins = PinVault(self.db, max_attempts=settings.max_pin_attempts, lockout_s=settings.lockout_s,
                             clock=clock, kdf=kdf or PinKdf())
        self.tickets = TicketBook(self.db, site.kiosk_id, clock)
        self.counter = ActivityCounter(self.db)
        self.feedback = FeedbackBox(self.db, clock)
        self.desk = HandoffDesk(self.tickets, self.counter, clock)
        self.current: StaffSession | None = None
        self.last_pin_message = ""          # why the last PIN was refused (for the PIN screen)

    def tickets_for_unseen_receipts(self) -> list[HandoffTicket]:
        """At start-up: a ticket for each submission whose receipt the resident may not have seen.

        A crash or power cut between the submit and the Done screen leaves a stored form the
        resident does not know about (and might fill in again). Each ticket and the store's
        "shown" mark are written in one transaction, so a receipt is neither lost nor ticketed twice.
        """
        opened = []
        for receipt_no, form_id, _created in self.store.unshown_receipts():
            with self.db.transaction("ticket for unseen receipt"):
                opened.append(self.tickets.open(UNSEEN_RECEIPT, form_id=form_id, receipt_no=receipt_no))
                self.store.mark_receipt_shown(receipt_no)
        return opened

    def today(self) -> dt.date:
        """The local date now (validation bounds, day counters)."""
        return self.clock().date()

    def login(self, pin: str) -> "StaffSession":
        """Unlock assisted mode; a resident session on screen stays as it is (see take_over)."""
        try:
            staff_id = self.pins.verify(pin)
        except PinLocked as err:
            if err.started:
                self.audit.record("-", "pin_lockout", reason=f"{self.settings.max_pin_attempts} wrong PINs")
            raise
        if self.current is not None and self.current.active:
            self.current.logout("replaced")
        self.current = StaffSession(self, staff_id)
        self.audit.record(staff_id, "login")
        self._unlock_for_session(staff_id)
        return self.current

    def _unlock_for_session(self, staff_id: str) -> None:
        if self.store.unlocked or self.secret_source is None:
            return
        try:
            secret = self.secret_source()
            if secret:
                self.store.unlock(secret)
                self._unlocked_for_session = True
                self.audit.record(staff_id, "store_unlock")
        except StoreError as err:
            log.warning("staff secret did not unlock the store: %s", err.code)

    def _lock_after_session(self) -> None:
        if self._unlocked_for_session:
            self.store.lock()
            self._unlocked_for_session = False


class StaffSession:
    """One staff member's unlocked time at the kiosk."""

    def __init__(self, mode: AssistedMode, staff_id: str) -> None:
        self.mode = mode
        self.staff_id = staff_id
        self.started = mode.clock()
        self.last_active = self.started
        self.ended: str | None = None

    # --- lifetime ----------------------------------------------------------------------------
    @property
    def idle_s(self) -> float:
        """Seconds since the last staff action."""
        return (self.mode.clock() - self.last_active).total_seconds()

    @property
    def active(self) -> bool:
        """Unlocked and not idle too long (does not log out; see tick)."""
        return self.ended is None and self.idle_s < self.mode.settings.idle_logout_s

    def tick(self) -> bool:
        """Called by the UI clock: log out when idle too long; True while still unlocked."""
        if self.ended is None and not self.active:
            self.logout("idle")
        return self.ended is None

    def touch(self) -> None:
        """Every action: refuse when logged out or idle too long, else count as activity."""
        if not self.tick():
            raise LoggedOut("staff.logged_out")
        self.last_active = self.mode.clock()

    def logout(self, reason: str = "manual") -> None:
        """End the session (manual, idle, replaced)."""
        if self.ended is not None:
            return
        self.ended = reason
        self.mode.audit.record(self.staff_id, "logout", reason=reason)
        if self.mode.current is self:
            self.mode.current = None
            self.mode._lock_after_session()

    # --- tickets -----------------------------------------------------------------------------
    def tickets(self, open_only: bool = True) -> list[HandoffTicket]:
        """Open tickets (or all of today's), oldest first."""
        self.touch()
        return self.mode.tickets.list(open_only=open_only, day=None if open_only else self.mode.today())

    def _ticket(self, ref: int | str) -> HandoffTicket:
        ticket = self.mode.tickets.find(ref) if isinstance(ref, str) else self._get(ref)
        if ticket is None:
            raise StaffError("staff.ticket_unknown", number=ref)
        return ticket

    def _get(self, ticket_id: int) -> HandoffTicket | None:
        try:
            return self.mode.tickets.get(ticket_id)
        except KeyError:
            return None

    def open_ticket(self, ref: int | str) -> DraftCase:
        """Open the draft a ticket points at (by id or by its number, e.g. 'A012')."""
        self.touch()
        ticket = self._ticket(ref)
        if not ticket.draft_id:
            raise StaffError("staff.ticket_no_draft", number=ticket.number)
        try:
            case = self._case(ticket.draft_id)
        except DraftGone:
            self.mode.tickets.close(ticket.id, DRAFT_GONE, self.staff_id)
            self.mode.audit.record(self.staff_id, "ticket_close", ticket.number, new=DRAFT_GONE)
            raise
        if ticket.status == "open":
            self.mode.tickets.take(ticket.id, self.staff_id)
            self.mode.audit.record(self.staff_id, "ticket_take", ticket.number, new=ticket.draft_id)
        return case

    def close_ticket(self, ref: int | str, outcome: str = DISMISSED) -> HandoffTicket:
        """Close a ticket without submitting (the resident went to the counter, was helped, ...)."""
        self.touch()
        ticket = self._ticket(ref)
        if not ticket.is_open:
            return ticket
        closed = self.mode.tickets.close(ticket.id, outcome, self.staff_id)
        self.mode.audit.record(self.staff_id, "ticket_close", ticket.number, new=outcome)
        return closed

    # --- drafts ------------------------------------------------------------------------------
    def drafts(self) -> list[DraftInfo]:
        """Saved drafts (oldest first) and resident sessions in progress; no answers."""
        self.touch()
        store, out = self.mode.store, []
        ids = store.draft_ids()
        for draft_id in ids:
            try:
                d = store.load_draft(draft_id, reveal=False)
            except StoreError as err:
                log.warning("draft %s unreadable: %s", draft_id, err.code)
                continue
            if d is not None:
                form = self.mode.forms.get(d.form_id)
                out.append(DraftInfo(d.draft_id, d.form_id, form.title if form else d.form_id, d.step,
                                     d.updated_at, self.mode.desk.live_session(d.draft_id) is not None))
        return out

    def open_draft(self, draft_id: str) -> DraftCase:
        """Open a saved draft, or the live session on it."""
        self.touch()
        return self._case(draft_id)

    def take_over(self, session: Session | None = None) -> DraftCase:
        """The resident session on screen (PIN entered mid-form): staff edit it in place, nothing is reset."""
        self.touch()
        if session is None:
            sessions = self.mode.desk.open_sessions()
            if not sessions:
                raise StaffError("staff.no_resident_session")
            session = sessions[0]
        if session.stage in (Stage.DONE, Stage.CANCELLED):
            raise StaffError("staff.no_resident_session")
        if session.stage is not Stage.HANDOFF:
            session.request_help(TAKEOVER)      # the resident's screen says staff are helping
        self.mode.audit.record(self.staff_id, "takeover", session.draft_id, new=session.form.id)
        return self._live_case(session)

    def _live_case(self, session: Session) -> DraftCase:
        return DraftCase(self, session.form, session.fields, session.draft_id, session.answers, live=session)

    def _case(self, draft_id: str) -> DraftCase:
        live = self.mode.desk.live_session(draft_id)
        if live is not None:
            self.mode.audit.record(self.staff_id, "draft_open", draft_id, new="live")
            return self._live_case(live)
        store, locked = self.mode.store, False
        try:
            draft = store.load_draft(draft_id)
        except StoreError as err:
            if err.code != "locked":
                raise StaffError("staff.save_failed", code=err.code) from None
            draft, locked = store.load_draft(draft_id, reveal=False), True
        if draft is None:
            raise DraftGone("staff.draft_gone")
        form = self.mode.forms.get(draft.form_id)
        if form is None:
            raise StaffError("staff.form_unknown", form=draft.form_id)
        fields = prelude.prelude_fields(form) + list(form.fields)
        self.mode.audit.record(self.staff_id, "draft_open", draft_id, new="locked" if locked else "")
        return DraftCase(self, form, fields, draft_id, dict(draft.answers), locked=locked, step=draft.step)

    # --- receipts ----------------------------------------------------------------------------
    def _printing(self):
        if self.mode.printing is None:
            raise StaffError("staff.no_printer")
        return self.mode.printing

    def print_jobs(self) -> list:
        """Receipts waiting in the print queue (masked receipts only)."""
        self.touch()
        return self._printing().queue.pending()

    def reprint(self, job_id: int):
        """Print a queued (or printed) receipt again; a success closes its printer ticket."""
        self.touch()
        outcome = self._printing().reprint(job_id, self.staff_id)
        self.mode.audit.record(self.staff_id, "reprint", outcome.receipt_no,
                               new="ok" if outcome.ok else outcome.error_code)
        if outcome.ok:
            self._close_printer_tickets(outcome.receipt_no, "reprinted")
        return outcome

    def dismiss_print(self, job_id: int):
        """Drop a queued receipt (the resident has the number some other way)."""
        self.touch()
        job = self._printing().dismiss(job_id, self.staff_id)
        self.mode.audit.record(self.staff_id, "print_dismiss", job.receipt_no)
        self._close_printer_tickets(job.receipt_no, DISMISSED)
        return job

    def _close_printer_tickets(self, receipt_no: str, outcome: str) -> None:
        for ticket in self.mode.tickets.list(open_only=True):
            if ticket.receipt_no == receipt_no:
                self.mode.tickets.close(ticket.id, outcome, self.staff_id)

    # --- the day -----------------------------------------------------------------------------
    def day_summary(self, day: dt.date | None = None) -> DaySummary:
        """Counts per service, where residents got stuck, feedback, tickets, receipts waiting."""
        self.touch()
        day = day or self.mode.today()
        pending = 0
        if self.mode.printing is not None:
            pending = len(self.mode.printing.queue.pending())
        return DaySummary(day.isoformat(), self.mode.counter.day(day), self.mode.feedback.summary(day),
                          self.mode.tickets.list(open_only=False, day=day), pending)
