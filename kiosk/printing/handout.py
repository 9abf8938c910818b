"""The receipt after a submission: print it, then say what the resident reads and hears.

Kivy-free, so the touchscreen controller only starts it and shows the result. `run` prints on
the calling (worker) thread and returns a `PrintNotice`: the status line for the Done screen,
the sentence to speak, whether the fault notice is up (then the Done screen stays until the
resident taps) and whether staff must be called. `settle` opens the printer ticket for staff
(on the UI thread, where ticket listeners live); the caller rings the chime.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.printing.service import PrintOutcome, PrintService
from kiosk.voices import say

if TYPE_CHECKING:
    from kiosk.store.model import Submission

log = logging.getLogger(__name__)


class TicketDesk(Protocol):
    """What opens a staff ticket for a receipt that did not print (kiosk.staff.tickets.Desk)."""

    def printer_failed(self, receipt_no: str, form_id: str | None = None) -> Any:
        """Open the ticket; return it (or None when it could not be opened)."""


@dataclass(frozen=True)
class PrintNotice:
    """What the resident is told about their receipt, and what staff must do."""

    receipt_no: str
    form_id: str
    status_text: str              # the Done screen's print line
    speech: str = ""              # said aloud ('' = nothing more to say)
    fault: bool = False           # not printed: the fault notice is up, the screen stays
    call_staff: bool = False      # open a printer ticket (with the chime)
    paper_low: bool = False       # printed, but staff should load paper soon
    outcome: PrintOutcome | None = None


class ReceiptHandout:
    """Prints the receipt of a submission and turns the outcome into a PrintNotice."""

    def __init__(self, service: PrintService | None) -> None:
        self.service = service

    def run(self, submission: "Submission", form: FormSpec, site: SiteSpec) -> PrintNotice:
        """Print now (blocking: call from a worker thread); never raises."""
        receipt_no = submission.receipt_no
        if self.service is None:
            return PrintNotice(receipt_no, form.id, say("ui.done_no_printer"))
        try:
            outcome = self.service.print_submission(submission, form, site)
        except Exception:   # a bug must not cost the resident their receipt: it stays queued
            log.exception("printing receipt %s failed unexpectedly", receipt_no)
            return self._fault(receipt_no, form.id, None)
        if not outcome.ok:
            return self._fault(receipt_no, form.id, outcome)
        text = outcome.message
        if outcome.paper_low:
            log.warning("printer paper near end")
        # Unconfirmed (a printer without status): the resident hears where to look; staff see the
        # job in the print queue, no ticket for every receipt of such a printer.
        return PrintNotice(receipt_no, form.id, text, speech=text if not outcome.confirmed else "",
                           paper_low=outcome.paper_low, outcome=outcome)

    def _fault(self, receipt_no: str, form_id: str, outcome: PrintOutcome | None) -> PrintNotice:
        return PrintNotice(receipt_no, form_id, say("print_fault_notice"), speech=say("print_fault"),
                           fault=True, call_staff=True, outcome=outcome)

    def start(self, submission: "Submission", form: FormSpec, site: SiteSpec,
              on_done: Callable[[PrintNotice], None]) -> threading.Thread:
        """Print on a worker thread (a serial printer takes seconds); `on_done(notice)` runs there too."""
        def work() -> None:
            on_done(self.run(submission, form, site))

        thread = threading.Thread(target=work, daemon=True, name="print")
        thread.start()
        return thread

    @staticmethod
    def settle(notice: PrintNotice, desk: TicketDesk | None) -> Any:
        """Open the staff ticket a notice asks for (UI thread); return it or None."""
        if not notice.call_staff or desk is None:
            return None
        try:
            return desk.printer_failed(notice.receipt_no, notice.form_id)
        except Exception:
            log.exception("printer ticket not opened for %s", notice.receipt_no)
            return None
