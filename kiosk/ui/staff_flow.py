"""Assisted mode on the touchscreen: the staff member's path through the staff screens.

One `StaffFlow` per app (``app.staff``), built only when the store has a database (assisted
mode needs SQLite). It holds the unlocked `StaffSession` and the `DraftCase` being worked on,
turns every StaffError into a Mandarin notice on the screen in use, runs the idle-logout tick,
and decides where the kiosk goes when staff leave. Screens call its methods; it calls the
staff core (kiosk.staff) and never touches form logic itself.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable

from kivy.clock import Clock

from kiosk.dialogue.engine import Stage
from kiosk.staff.errors import DraftGone, LoggedOut, NeedsReason, StaffError
from kiosk.ui.staff_slip import encode_slip
from kiosk.voices import say

log = logging.getLogger(__name__)

def print_error_text(code: str) -> str:
    """A printer error code in plain words for staff (the code itself when it has none)."""
    from kiosk.voices import catalogue

    key = f"staff.ui.print_error.{code}"
    return say(key) if key in catalogue() else code


STAFF_SCREENS = ("staff_menu", "staff_tickets", "staff_case", "staff_edit", "staff_print", "staff_day")
TICK_S = 1.0


class StaffFlow:
    """The unlocked staff member, the case open, and the screen changes between them."""

    def __init__(self, app, mode, chime=None) -> None:
        self.app = app
        self.mode = mode
        self.chime = chime
        self.session = None                 # kiosk.staff.mode.StaffSession while unlocked
        self.case = None                    # kiosk.staff.case.DraftCase being edited
        self.field_id = ""                  # the field on the edit screen
        self.pending: tuple[str, Any] | None = None   # (field, value) waiting for a written reason
        self.reveal = False                 # personal values shown in full (store unlocked only)
        self.exit_armed = False
        self.last_result = ""               # what the last submission produced (case screen)
        self._tick_ev = None

    # ------------------------------------------------------------------ helpers
    @property
    def controller(self):
        """The kiosk controller (screens, resident visit)."""
        return self.app.controller

    @property
    def unlocked(self) -> bool:
        """A staff member is logged in."""
        return self.session is not None and self.session.ended is None

    @property
    def store_unlocked(self) -> bool:
        """Personal values can be read (the staff secret opened the store key)."""
        return self.mode.store.unlocked

    def resident_session(self):
        """The resident's form in progress on this kiosk, if any."""
        s = self.controller.session
        if s is not None and s.stage not in (Stage.DONE, Stage.CANCELLED):
            return s
        return None

    def go(self, name: str, notice: str = "") -> None:
        """Show a staff screen, freshly filled."""
        screen = self.app.screen(name)
        screen.notice_text = notice
        screen.refresh()
        self.controller._show(name)

    def notice(self, text: str) -> None:
        """A message on the staff screen in use."""
        screen = self.app.screens.current_screen
        if hasattr(screen, "notice_text"):
            screen.notice_text = text

    def run(self, action: Callable[[], Any], on_error: Callable[[StaffError], None] | None = None) -> Any:
        """Call into the staff core: a logout goes to the PIN screen's message, a refusal to a notice."""
        try:
            return action()
        except LoggedOut:
            self.logged_out("idle")
            return None
        except StaffError as err:
            if on_error is not None:
                on_error(err)
            else:
                self.notice(err.message())
            return None

    # ------------------------------------------------------------------ login / logout
    def on_unlocked(self, staff) -> None:
        """wiring.install's hook: the PIN was right."""
        self.session = staff
        self.case = None
        self.reveal = False
        self.exit_armed = False
        self.controller.idle.disarm()      # staff have their own idle logout
        self.app.timeout_warning.dismiss()
        self._start_tick()
        self.go("staff_menu")

    def _start_tick(self) -> None:
        self._stop_tick()
        self._tick_ev = Clock.schedule_interval(self.tick, TICK_S)

    def _stop_tick(self) -> None:
        if self._tick_ev is not None:
            self._tick_ev.cancel()
            self._tick_ev = None

    def tick(self, _dt=None) -> None:
        """Idle logout: the staff session ends after `[staff] idle_logout_s` without a tap."""
        if self.session is not None and not self.session.tick():
            self.logged_out("idle")

    def touch(self) -> None:
        """A tap on a staff screen is staff activity."""
        if self.unlocked and self.session.active:
            self.session.last_active = self.mode.clock()

    def logout(self) -> None:
        """退出登录: a resident waiting in a handoff sees the help screen again, else Home."""
        if self.session is not None:
            self.session.logout("manual")
        self._leave(idle=False)

    def logged_out(self, reason: str) -> None:
        """The session ended by itself (idle): back to Home; a waiting resident's draft is kept for staff."""
        if self.session is not None and self.session.ended is None:
            self.session.logout(reason)
        self._leave(idle=True)

    def _leave(self, idle: bool) -> None:
        self._stop_tick()
        self.session = None
        self.case = None
        self.pending = None
        self.reveal = False
        self.exit_armed = False
        ctl = self.controller
        resident = self.resident_session()
        if resident is not None and resident.stage is Stage.HANDOFF and not idle:
            ctl.staff_call.show_again()
            return
        if resident is not None:
            desk = ctl.desk
            if desk is not None:
                desk.resident_idle(resident)     # ticket + draft kept before the wipe
            ctl.visit.end("timeout")
        else:
            ctl.finish("staff_logout")

    def exit_kiosk(self) -> None:
        """退出自助机: the only way out of the app; asks once more before quitting."""
        if not self.unlocked:
            return
        if not self.exit_armed:
            self.exit_armed = True
            self.app.screen("staff_menu").refresh()
            self.notice(say("staff.ui.exit_confirm"))
            return
        self.mode.audit.record(self.session.staff_id, "kiosk_exit")
        self.session.logout("kiosk_exit")
        self._stop_tick()
        self.app.staff_exit()

    # ------------------------------------------------------------------ tickets and drafts
    def open_ticket(self, ref: int | str) -> None:
        """Open the draft behind a ticket (by id, or by number from a scanned slip)."""
        def gone(err: StaffError) -> None:
            self.go("staff_tickets", err.message())

        case = self.run(lambda: self.session.open_ticket(ref), on_error=gone)
        if case is not None:
            self._opened(case)

    def open_draft(self, draft_id: str) -> None:
        """Open a saved draft that has no ticket."""
        case = self.run(lambda: self.session.open_draft(draft_id),
                        on_error=lambda err: self.go("staff_tickets", err.message()))
        if case is not None:
            self._opened(case)

    def take_over(self) -> None:
        """接手当前: the resident's form on screen, edited in place."""
        resident = self.resident_session()
        case = self.run(lambda: self.session.take_over(resident))
        if case is not None:
            self.controller.idle.disarm()
            self._opened(case)

    def _opened(self, case) -> None:
        self.case = case
        self.reveal = False
        self.last_result = ""
        self.app.screen("staff_case").page = 0
        self.go("staff_case", say("staff.store_locked") if case.locked else "")

    def close_ticket(self, ticket_id: int) -> None:
        """Close a ticket without a submission (the resident was helped at the counter)."""
        self.run(lambda: self.session.close_ticket(ticket_id))
        self.go("staff_tickets")

    def scanned(self, text: str) -> bool:
        """A handoff slip scanned at the desk (or a typed number): open its draft."""
        from kiosk.ui.staff_slip import parse_slip

        ref = parse_slip(text)
        if ref is None:
            self.notice(say("staff.ui.scan_unknown"))
            return False
        if ref.kiosk_id and ref.kiosk_id != self.mode.site.kiosk_id:
            self.notice(say("staff.ui.scan_other_kiosk", kiosk=ref.kiosk_id))
            return False
        ticket = self.mode.tickets.find(ref.number)
        if ticket is not None and (not ref.draft_id or ticket.draft_id == ref.draft_id):
            self.open_ticket(ticket.id)
            return True
        if ref.draft_id:
            self.open_draft(ref.draft_id)
            return True
        self.notice(say("staff.ticket_unknown", number=ref.number))
        return False

    # ------------------------------------------------------------------ editing
    def toggle_reveal(self) -> None:
        """Show personal values in full (audited) or masked again; only with the store unlocked."""
        if not self.store_unlocked or self.case is None:
            self.notice(say("staff.ui.reveal_locked"))
            return
        self.reveal = not self.reveal
        if self.reveal:
            self.mode.audit.record(self.session.staff_id, "reveal", self.case.draft_id)
        self.touch()
        self.app.screen("staff_case").refresh()

    def edit(self, field_id: str) -> None:
        """Open the edit screen for one answer."""
        if self.case is None:
            return
        self.field_id = field_id
        self.pending = None
        self.touch()
        self.go("staff_edit")

    def set_value(self, value: Any, reason: str | None = None) -> None:
        """An answer from the edit screen: validated, or refused with the reason needed to keep it."""
        case, field_id = self.case, self.field_id

        def refused(err: StaffError) -> None:
            if isinstance(err, NeedsReason):
                self.pending = (field_id, value)
                self.app.screen("staff_edit").ask_reason(err.message())
            elif isinstance(err, DraftGone):
                self.go("staff_tickets", err.message())
            else:
                self.notice(err.message())

        done = self.run(lambda: (case.set(field_id, value, reason=reason), True)[1], on_error=refused)
        if done:
            self.pending = None
            label = case.field(field_id).label
            key = "staff.ui.saved_override" if reason else "staff.ui.saved"
            self.go("staff_case", say(key, label=label))

    def keep_with_reason(self, reason: str) -> None:
        """保留并说明原因: keep the refused value with a written reason."""
        if self.pending is None:
            return
        field_id, value = self.pending
        self.field_id = field_id
        self.set_value(value, reason=reason)

    def clear_value(self) -> None:
        """Remove an answer (这项不填 on the edit screen)."""
        case, field_id = self.case, self.field_id
        done = self.run(lambda: (case.clear(field_id), True)[1])
        if done:
            self.go("staff_case", say("staff.ui.cleared", label=case.field(field_id).label))

    def submit(self) -> None:
        """提交: submit on the resident's behalf; the receipt prints; the kiosk screen is then staff's again."""
        case = self.case
        result = self.run(case.submit)
        if result is None:
            return
        receipt = result.submission.receipt_no
        if result.printed is None:
            printed = say("staff.no_printer")
        elif result.printed.ok:
            printed = say("staff.ui.receipt_printed")
        else:
            printed = say("staff.ui.receipt_queued", code=print_error_text(result.printed.error_code))
        self.last_result = say("staff.ui.submitted", receipt=receipt, printed=printed)
        # A live session ended with the submission (the controller went Home): come back here.
        self.app.screen("staff_case").page = 0
        self.go("staff_case", self.last_result)

    def hand_back(self) -> None:
        """交还居民: the resident carries on at the first open question."""
        case = self.case
        if case is None or case.live is None:
            return
        self.run(case.hand_back)
        self.case = None
        if self.session is not None:
            self.session.logout("hand_back")
        self._stop_tick()
        self.session = None
        self.controller.idle.arm()

    # ------------------------------------------------------------------ receipts
    def reprint(self, job_id: int) -> None:
        """Print a queued receipt again."""
        outcome = self.run(lambda: self.session.reprint(job_id))
        if outcome is not None:
            self.go("staff_print", outcome.message if outcome.ok else
                    say("staff.ui.reprint_failed", code=print_error_text(outcome.error_code)))

    def dismiss_print(self, job_id: int) -> None:
        """Drop a queued receipt."""
        job = self.run(lambda: self.session.dismiss_print(job_id))
        if job is not None:
            self.go("staff_print", say("staff.ui.dismissed", receipt=job.receipt_no))

    # ------------------------------------------------------------------ the resident side
    def print_slip(self, number: str, on_done: Callable[[bool], None]) -> None:
        """Print the handoff slip for a ticket on a worker thread; on_done(ok) on the UI thread."""
        printing = self.mode.printing
        ticket = self.mode.tickets.find(number) if number else None
        if printing is None or ticket is None:
            on_done(False)
            return
        data = encode_slip(ticket, self.mode.site, printing.settings)

        def work() -> None:
            ok = True
            try:
                printing.printer.print_receipt(data)
            except Exception as err:   # PrinterError and friends: the number is on screen anyway
                log.warning("handoff slip for %s not printed: %s", number, getattr(err, "code", type(err).__name__))
                ok = False
            Clock.schedule_once(lambda _dt: on_done(ok))

        threading.Thread(target=work, daemon=True, name="slip").start()
