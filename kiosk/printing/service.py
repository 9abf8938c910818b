"""Print a submission's receipt so that no printer fault ever loses it.

Order matters: the masked receipt is queued (durably) before a byte goes to the printer; a
fault leaves it queued with its error code for staff, and the resident gets a kind sentence
and the number on screen. Errors are logged once here, with codes and receipt numbers only.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from kiosk.printing.escpos import EncodingError
from kiosk.printing.layout import encode_receipt
from kiosk.printing.printers import Printer, PrinterError
from kiosk.printing.queue import DISMISSED, PRINTED, PrintJob, PrintQueue
from kiosk.printing.receipt import Receipt, receipt_for
from kiosk.voices import say

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintOutcome:
    """What happened: `ok`, the catalogue key of the resident message, and the job."""

    ok: bool
    message_key: str
    receipt_no: str
    job_id: int | None = None
    error_code: str = ""

    @property
    def message(self) -> str:
        """The Mandarin sentence to show and speak."""
        return say(self.message_key)


class PrintService:
    """Receipts from submissions, through the queue, to a printer."""

    def __init__(self, printer: Printer, queue: PrintQueue, settings) -> None:
        self.printer = printer
        self.queue = queue
        self.settings = settings          # PrinterSettings

    def receipt(self, submission, form, site) -> Receipt:
        """The masked receipt for a submission."""
        return receipt_for(submission, form, site, self.settings.status_url_base)

    def print_submission(self, submission, form, site) -> PrintOutcome:
        """Queue the receipt, print it, and say how it went; never raises for a printer fault."""
        job = self.queue.enqueue(self.receipt(submission, form, site))
        return self._attempt(job)

    def retry(self, job_id: int) -> PrintOutcome:
        """Try a queued job again (e.g. after paper was loaded)."""
        return self._attempt(self.queue.get(job_id))

    def reprint(self, job_id: int, staff: str = "") -> PrintOutcome:
        """Staff reprint of any job (queued or already printed)."""
        job = self.queue.get(job_id)
        try:
            self.printer.print_receipt(encode_receipt(job.receipt, self.settings))
        except PrinterError as err:
            log.warning("reprint of %s failed: %s", job.receipt_no, err.code)
            return PrintOutcome(False, "print_fault", job.receipt_no, job.id, err.code)
        self.queue.close(job.id, PRINTED, staff)
        return PrintOutcome(True, "print_done", job.receipt_no, job.id)

    def dismiss(self, job_id: int, staff: str = "") -> PrintJob:
        """Staff decided the receipt is not needed (e.g. the number was written down)."""
        return self.queue.close(job_id, DISMISSED, staff)

    def _attempt(self, job: PrintJob) -> PrintOutcome:
        try:
            data = encode_receipt(job.receipt, self.settings)
            self.printer.print_receipt(data)
        except (PrinterError, EncodingError) as err:
            code = getattr(err, "code", "encoding")
            self.queue.attempted(job.id, code)
            log.warning("receipt %s kept in print queue (job %d): %s", job.receipt_no, job.id, code)
            return PrintOutcome(False, "print_fault", job.receipt_no, job.id, code)
        self.queue.attempted(job.id)
        return PrintOutcome(True, "print_done", job.receipt_no, job.id)
