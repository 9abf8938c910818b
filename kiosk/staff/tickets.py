"""Handoff tickets and the desk that opens them from what happens at the kiosk.

A `HandoffTicket` says why a person is needed and where (reason, form, field, kiosk, time,
draft or receipt reference) and holds no personal data. `HandoffDesk.attach(visit)` listens
to a visit's events and opens tickets on: the 找工作人员 button or a spoken 人工/帮忙/工作人员/
找人 (HANDOFF_REQUESTED), 3 failures on one field (ASSISTANCE_OFFERED), consent refused
(REJECTED with reason RefusalReason.CONSENT_REFUSED, or HANDOFF_REQUESTED reason no_consent), a failed save (SUBMIT_FAILED); the UI calls
`resident_idle(session)` before the timeout wipe and `printer_failed(receipt_no)`. One draft
has at most one open ticket: a second trigger for it returns the same ticket.
"""
from __future__ import annotations

import datetime as dt
import logging
import weakref
from dataclasses import dataclass

from kiosk.dialogue.engine import Session, Stage, Visit
from kiosk.dialogue.events import DialogueEvent, EventType, RefusalReason
from kiosk.staff import activity as act
from kiosk.staff.activity import ActivityCounter
from kiosk.staff.clock import Clock, local_now
from kiosk.staff.schema import ensure_schema
from kiosk.store.db import Database
from kiosk.store.model import StoreError
from kiosk.voices import say

log = logging.getLogger(__name__)

# Ticket reasons (each has a staff.reason.<reason> wording).
ASKED = "asked"              # spoken 人工 / 帮忙 / 工作人员 / 找人 (the engine's reason)
BUTTON = "button"            # the always-visible button (the UI passes this reason)
ATTEMPTS = "attempts"        # three failed answers on one field
IDLE = "idle"                # the resident stopped answering mid-form
PRINTER = "printer"          # the receipt did not print
NO_CONSENT = "no_consent"    # consent refused
STORE_FAILED = "store_failed"  # the submission could not be saved
UNSEEN_RECEIPT = "unseen_receipt"  # stored, but the kiosk stopped before the resident saw the receipt
TAKEOVER = "staff_takeover"  # staff took a session over at the kiosk: no ticket needed
REASONS = (ASKED, BUTTON, ATTEMPTS, IDLE, PRINTER, NO_CONSENT, STORE_FAILED, UNSEEN_RECEIPT)


OPEN, TAKEN, CLOSED = "open", "taken", "closed"
# Outcomes of a closed ticket.
DONE, DRAFT_GONE, DISMISSED, RESIDENT_FINISHED, RESIDENT_CANCELLED = (
    "submitted", "draft_gone", "dismissed", "resident_finished", "resident_cancelled")

# Letters that cannot be misheard as digits or each other when read out (no I, L, O).
LETTERS = "ABCDEFGHJKMNPQRSTUVWXYZ"
_DIGIT_WORDS = "零一二三四五六七八九"


def ticket_number(seq: int) -> str:
    """1 -> 'A001', 999 -> 'A999', 1000 -> 'B001': short, per day, easy to call out."""
    block, rest = divmod(seq - 1, 999)
    return f"{LETTERS[block % len(LETTERS)]}{rest + 1:03d}"


@dataclass(frozen=True)
class HandoffTicket:
    """A call for a staff member. No personal data: only references."""

    id: int
    number: str
    reason: str
    form_id: str | None
    field_id: str | None
    kiosk_id: str
    created_at: dt.datetime
    draft_id: str | None = None
    receipt_no: str | None = None
    status: str = OPEN
    outcome: str = ""
    taken_by: str = ""
    closed_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        """Not yet closed (open or taken by a staff member)."""
        return self.status != CLOSED

    def spoken(self) -> str:
        """The number as TTS should say it: 'A012' -> 'A 零 一 二'."""
        return " ".join([self.number[0], *(_DIGIT_WORDS[int(d)] for d in self.number[1:])])

    def reason_text(self) -> str:
        """Why the ticket was opened, for the staff screen."""
        return say(f"staff.reason.{self.reason}") if self.reason in REASONS else self.reason


_COLUMNS = ("id, number, reason, form_id, field_id, kiosk_id, created_at, draft_id, receipt_no, "
            "status, outcome, taken_by, closed_at")


def _ticket(row) -> HandoffTicket:
    return HandoffTicket(row[0], row[1], row[2], row[3], row[4], row[5], dt.datetime.fromisoformat(row[6]),
                         row[7], row[8], row[9], row[10], row[11],
                         dt.datetime.fromisoformat(row[12]) if row[12] else None)


class TicketBook:
    """Tickets in the kiosk database."""

    def __init__(self, db: Database, kiosk_id: str, clock: Clock = local_now) -> None:
        self.db = db
        self.kiosk_id = kiosk_id
        self._clock = clock
        ensure_schema(db)

    def open(self, reason: str, *, form_id: str | None = None, field_id: str | None = None,
             draft_id: str | None = None, receipt_no: str | None = None) -> HandoffTicket:
        """A new ticket, or the open one already there for this draft / receipt."""
        now = self._clock()
        day = now.date().isoformat()
        with self.db.transaction("open ticket") as conn:
            ref_col, ref = ("draft_id", draft_id) if draft_id else ("receipt_no", receipt_no)
            if ref:
                row = conn.execute(f"SELECT {_COLUMNS} FROM staff_tickets WHERE {ref_col} = ? AND status != 'closed' "
                                   "ORDER BY id DESC LIMIT 1", (ref,)).fetchone()
                if row is not None:
                    return _ticket(row)
            seq = conn.execute("SELECT COALESCE(MAX(seq), 0) + 1 FROM staff_tickets WHERE day = ?",
                               (day,)).fetchone()[0]
            cur = conn.execute(
                "INSERT INTO staff_tickets (day, seq, number, reason, form_id, field_id, kiosk_id, created_at, "
                "draft_id, receipt_no) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (day, seq, ticket_number(seq), reason, form_id, field_id, self.kiosk_id, now.isoformat(),
                 draft_id, receipt_no))
            ticket_id = cur.lastrowid
        ticket = self.get(ticket_id)
        log.info("handoff ticket %s opened: %s form=%s field=%s", ticket.number, reason, form_id, field_id)
        return ticket

    def get(self, ticket_id: int) -> HandoffTicket:
        """A ticket by id (KeyError when there is none)."""
        with self.db.read("read ticket") as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM staff_tickets WHERE id = ?", (ticket_id,)).fetchone()
        if row is None:
            raise KeyError(ticket_id)
        return _ticket(row)

    def find(self, number: str) -> HandoffTicket | None:
        """The newest ticket with this number (numbers restart each day)."""
        with self.db.read("find ticket") as conn:
            row = conn.execute(f"SELECT {_COLUMNS} FROM staff_tickets WHERE number = ? ORDER BY id DESC LIMIT 1",
                               (number.strip().upper(),)).fetchone()
        return _ticket(row) if row else None

    def list(self, *, open_only: bool = True, day: dt.date | None = None) -> list[HandoffTicket]:
        """Tickets oldest first: the open ones, or all of a day."""
        sql, args = f"SELECT {_COLUMNS} FROM staff_tickets", []
        where = []
        if open_only:
            where.append("status != 'closed'")
        if day is not None:
            where.append("day = ?")
            args.append(day.isoformat())
        if where:
            sql += " WHERE " + " AND ".join(where)
        with self.db.read("list tickets") as conn:
            return [_ticket(r) for r in conn.execute(sql + " ORDER BY id", args)]

    def open_for_draft(self, draft_id: str) -> list[HandoffTicket]:
        """Open tickets about one draft."""
        with self.db.read("tickets of draft") as conn:
            rows = conn.execute(f"SELECT {_COLUMNS} FROM staff_tickets WHERE draft_id = ? AND status != 'closed' "
                                "ORDER BY id", (draft_id,)).fetchall()
        return [_ticket(r) for r in rows]

    def take(self, ticket_id: int, staff: str) -> HandoffTicket:
        """A staff member picked the ticket up."""
        with self.db.transaction("take ticket") as conn:
            conn.execute("UPDATE staff_tickets SET status = 'taken', taken_by = ? WHERE id = ? AND status != 'closed'",
                         (staff, ticket_id))
        return self.get(ticket_id)

    def close(self, ticket_id: int, outcome: str, staff: str = "") -> HandoffTicket:
        """Close a ticket with its outcome (no-op when already closed)."""
        with self.db.transaction("close ticket") as conn:
            conn.execute("UPDATE staff_tickets SET status = 'closed', outcome = ?, closed_at = ?, "
                         "taken_by = CASE WHEN ? != '' THEN ? ELSE taken_by END WHERE id = ? AND status != 'closed'",
                         (outcome, self._clock().isoformat(), staff, staff, ticket_id))
        return self.get(ticket_id)


class HandoffDesk:
    """Opens tickets from a visit's events and from the UI's idle / printer calls."""

    def __init__(self, tickets: TicketBook, counter: ActivityCounter, clock: Clock = local_now) -> None:
        self.tickets = tickets
        self.counter = counter
        self._clock = clock
        self._visits: weakref.WeakSet[Visit] = weakref.WeakSet()
        self.on_ticket = []          # callables(HandoffTicket): the UI chimes / shows the number

    # --- wiring ----------------------------------------------------------------------------
    def attach(self, visit: Visit) -> None:
        """Listen to every session of this visit."""
        self._visits.add(visit)
        visit.subscribe(lambda event: self.on_event(visit, event))

    def track(self, visit: Visit) -> None:
        """Know this visit for live-session lookups (when events arrive through another listener)."""
        self._visits.add(visit)

    def live_session(self, draft_id: str) -> Session | None:
        """The resident session still open on this draft, if any (staff take it over in place)."""
        for visit in list(self._visits):
            s = visit.session
            if s is not None and s.draft_id == draft_id and s.stage not in (Stage.DONE, Stage.CANCELLED):
                return s
        return None

    def open_sessions(self) -> list[Session]:
        """Resident sessions in progress on attached visits."""
        return [v.session for v in list(self._visits)
                if v.session is not None and v.session.stage not in (Stage.DONE, Stage.CANCELLED)]

    # --- triggers the UI calls ---------------------------------------------------------------
    def resident_idle(self, session: Session) -> HandoffTicket | None:
        """The resident stopped answering mid-form: keep the draft and call staff (before the wipe)."""
        if session.stage in (Stage.DONE, Stage.CANCELLED):
            return None
        session.keep_draft_for_staff()
        return self._open(IDLE, form_id=session.form.id, field_id=session.field.id, draft_id=session.draft_id)

    def printer_failed(self, receipt_no: str, form_id: str | None = None) -> HandoffTicket:
        """The receipt did not print (it stays in the print queue): call staff."""
        return self._open(PRINTER, form_id=form_id, receipt_no=receipt_no)

    # --- events ----------------------------------------------------------------------------
    def on_event(self, visit: Visit, event: DialogueEvent) -> None:
        """Handle one event of `visit` (what attach subscribes)."""
        data, session, today = event.data, visit.session, self._clock().date()
        form_id = data.get("form_id") or (session.form.id if session else None)
        t = event.type
        if t is EventType.FORM_STARTED:
            self.counter.bump(today, act.STARTED, form_id)
        elif t is EventType.HANDOFF_REQUESTED and data.get("reason") != TAKEOVER:
            self.counter.bump(today, act.HANDOFF, form_id, data.get("field_id"))
            self._open(data.get("reason") or ASKED, form_id=form_id, field_id=data.get("field_id"),
                       draft_id=data.get("draft_id"))
        elif t is EventType.ASSISTANCE_OFFERED:
            self.counter.bump(today, act.ASSISTANCE, form_id, data.get("field_id"))
            if session is not None:
                session.keep_draft_for_staff()   # nothing may be saved yet if the first field failed
            self._open(ATTEMPTS, form_id=form_id, field_id=data.get("field_id"), draft_id=data.get("draft_id"))
        elif t is EventType.REJECTED and data.get("field_id"):
            self.counter.bump(today, act.REJECTED, form_id, data.get("field_id"))
            if getattr(event, "reason", None) is RefusalReason.CONSENT_REFUSED and session is not None:
                session.keep_draft_for_staff()
                self._open(NO_CONSENT, form_id=form_id, field_id=data.get("field_id"), draft_id=session.draft_id)
        elif t in (EventType.SUBMIT_FAILED, EventType.DRAFT_SAVE_FAILED) and session is not None:
            self._open(STORE_FAILED, form_id=form_id, field_id=session.field.id, draft_id=session.draft_id)
        elif t is EventType.SUBMITTED:
            self.counter.bump(today, act.SUBMITTED, form_id)
            if session is not None:
                self._close_for_draft(session.draft_id, RESIDENT_FINISHED)
        elif t is EventType.CANCELLED:
            self.counter.bump(today, act.CANCELLED, form_id)
            if session is not None:
                self._close_for_draft(session.draft_id, RESIDENT_CANCELLED)

    def _open(self, reason: str, **refs) -> HandoffTicket | None:
        try:
            ticket = self.tickets.open(reason, **refs)
        except StoreError as err:   # the resident still sees the handoff screen; staff are called by voice
            log.error("could not open a %s ticket: %s", reason, err.code)
            return None
        for notify in list(self.on_ticket):
            try:
                notify(ticket)
            except Exception:
                log.exception("ticket listener failed")
        return ticket

    def _close_for_draft(self, draft_id: str, outcome: str) -> None:
        for ticket in self.tickets.open_for_draft(draft_id):
            self.tickets.close(ticket.id, outcome)
