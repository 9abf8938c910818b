"""Print a submission's receipt so that no printer fault ever loses it.

Order matters: the masked receipt is queued (durably; inside the submission's own transaction
when the store's hook is used) before a byte goes to the printer. A job counts as printed only
when the printer confirms it by status after the last byte; a fault leaves it queued with its
error code and the bytes sent, and the resident gets a kind sentence and the number on screen.
Errors are logged once here, with codes and receipt numbers only.
"""
from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.printing.escpos import EncodingError
from kiosk.printing.layout import encode_receipt
from kiosk.printing.printers import Printer, PrinterError, PrintResult
from kiosk.printing.queue import DISMISSED, QUEUED, PrintJob, PrintQueue
from kiosk.printing.receipt import Receipt, receipt_for
from kiosk.voices import say

if TYPE_CHECKING:
    from kiosk.store.model import Submission

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PrintOutcome:
    """What happened to one print attempt.

    `ok`: the printer took the whole job without a fault (confirmed, or unconfirmed on a printer
    without status). `confirmed`: its status after the last byte said ready. `message_key`
    names the resident sentence.
    """

    ok: bool
    message_key: str
    receipt_no: str
    job_id: int | None = None
    error_code: str = ""
    confirmed: bool = False
    paper_low: bool = False
    bytes_sent: int = 0
    job_bytes: int = 0
    wire_s: float = 0.0

    @property
    def message(self) -> str:
        """The Mandarin sentence to show and speak."""
        return say(self.message_key)

    @property
    def partial(self) -> bool:
        """Part of the job went out before the fault."""
        return not self.ok and self.bytes_sent > 0


def _now() -> dt.datetime:
    """Local time with its offset."""
    return dt.datetime.now().astimezone()


class PrintService:
    """Receipts from submissions, through the queue, to a printer."""

    def __init__(self, printer: Printer, queue: PrintQueue, settings: Any,
                 clock: Callable[[], dt.datetime] = _now) -> None:
        self.printer = printer
        self.queue = queue
        self.settings = settings          # PrinterSettings
        self._clock = clock

    def receipt(self, submission: "Submission", form: FormSpec, site: SiteSpec) -> Receipt:
        """The masked receipt for a submission."""
        return receipt_for(submission, form, site, self.settings.status_url_base)

    def queue_submission(self, submission: "Submission", form: FormSpec, site: SiteSpec) -> PrintJob:
        """Queue the receipt (the store's `in_transaction` hook calls this inside the submission)."""
        return self.queue.enqueue(self.receipt(submission, form, site))

    def submission_hook(self, forms: Mapping[str, FormSpec], site: SiteSpec) -> Callable[["Submission"], None]:
        """For `store.submit(draft, in_transaction=...)`: queue the receipt inside the submission.

        Every path that submits (touchscreen, `kiosk console`, staff) then has its print job
        committed with the submission or not at all; printing later finds it by receipt number.
        """
        def queue_it(submission: "Submission") -> None:
            form = forms.get(submission.form_id)
            if form is not None:
                self.queue_submission(submission, form, site)

        return queue_it

    def print_submission(self, submission: "Submission", form: FormSpec, site: SiteSpec) -> PrintOutcome:
        """Print a submission's receipt (queued with the submission, or now); never raises for a fault."""
        job = self.queue.latest_for(submission.receipt_no)
        if job is None or job.state != QUEUED or job.tries:
            job = self.queue_submission(submission, form, site)
        return self._attempt(job)

    def retry(self, job_id: int) -> PrintOutcome:
        """Try a queued job again (e.g. after paper was loaded)."""
        return self._attempt(self.queue.get(job_id))

    def reprint(self, job_id: int, staff: str = "", receipt: Receipt | None = None) -> PrintOutcome:
        """Staff reprint of any job: one complete copy, confirmed by status.

        Marked 补打 with the time when the job was tried before (a first print is not a
        reprint). `receipt` replaces the queued copy (e.g. rebuilt from the stored submission
        when the queue's masked lines were sealed by an earlier process).
        """
        job = self.queue.get(job_id)
        if receipt is not None:
            job = replace(job, receipt=receipt)
        outcome = self._attempt(job, reprint_at=self._clock() if job.tries else None)
        if outcome.ok and staff:
            self.queue.mark_closed_by(job.id, staff)
        return outcome

    def dismiss(self, job_id: int, staff: str = "") -> PrintJob:
        """Staff decided the receipt is not needed (e.g. the number was written down)."""
        return self.queue.close(job_id, DISMISSED, staff)

    def _attempt(self, job: PrintJob, reprint_at: dt.datetime | None = None) -> PrintOutcome:
        data = b""
        try:
            data = encode_receipt(job.receipt, self.settings, reprint_at=reprint_at)
            result: PrintResult = self.printer.print_receipt(data)
        except (PrinterError, EncodingError) as err:
            code = getattr(err, "code", "encoding")
            sent = getattr(err, "bytes_sent", 0)
            self.queue.attempted(job.id, code, bytes_sent=sent, job_bytes=len(data), reprint=reprint_at is not None)
            log.warning("receipt %s kept in print queue (job %d): %s after %d of %d bytes",
                        job.receipt_no, job.id, code, sent, len(data))
            return PrintOutcome(False, "print_fault", job.receipt_no, job.id, code, bytes_sent=sent,
                                job_bytes=len(data))
        self.queue.attempted(job.id, bytes_sent=result.bytes_sent, job_bytes=len(data), confirmed=result.confirmed,
                             paper_low=result.paper_low, reprint=reprint_at is not None)
        if result.paper_low:
            log.warning("printer paper near end (receipt %s printed)", job.receipt_no)
        return PrintOutcome(True, "print_done" if result.confirmed else "print_unconfirmed", job.receipt_no,
                            job.id, confirmed=result.confirmed, paper_low=result.paper_low,
                            bytes_sent=result.bytes_sent, job_bytes=len(data), wire_s=result.wire_s)
