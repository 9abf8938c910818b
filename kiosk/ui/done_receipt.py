"""The receipt of a submission, from the Done screen's side: marked seen, printed, told.

`DoneReceipt.start(data)` runs on SUBMITTED after the Done screen shows the number: the store
learns the resident saw it (receipts nobody saw get a staff ticket at restart), then
kiosk.printing.handout prints on a worker thread. Back on the UI thread the notice is shown and
spoken; on a fault the screen stays (no countdown) and staff get a ticket and the chime, even
when the resident already left. `controller` gives the app, visit, voice, desk and chime.
"""
from __future__ import annotations

import logging

from kivy.clock import Clock

from kiosk.printing.handout import PrintNotice, ReceiptHandout
from kiosk.voices import say

log = logging.getLogger(__name__)


class DoneReceipt:
    """Print the receipt of the visit just submitted and show how it went on the Done screen."""

    def __init__(self, controller, print_service=None) -> None:
        self.controller = controller
        self.print_service = print_service

    def start(self, d: dict) -> None:
        """A SUBMITTED event's data: mark the receipt seen, then print it (or say there is no printer)."""
        self._mark_shown(d.get("receipt_no"))
        ctl = self.controller
        done = ctl.app.screen("done")
        submission = d.get("submission")
        form = ctl.runtime.catalogue.forms.get(d.get("form_id", ""))
        if self.print_service is None or submission is None or form is None:
            done.print_status = say("ui.done_no_printer")
            return
        done.print_status = say("ui.done_printing")
        ReceiptHandout(self.print_service).start(
            submission, form, ctl.runtime.settings.site,
            lambda notice: Clock.schedule_once(lambda _dt: self.printed(notice)))

    def _mark_shown(self, receipt_no: str | None) -> None:
        # The store lists receipts nobody saw (a crash before this line): staff get a ticket at restart.
        visit = self.controller.visit
        if receipt_no and visit is not None:
            try:
                visit.store.mark_receipt_shown(receipt_no)
            except Exception:   # a failed mark only means staff double-check it later
                log.exception("receipt shown mark failed")

    def printed(self, notice: PrintNotice) -> None:
        """On the UI thread after a print: the notice; on a fault the screen stays, staff are called."""
        ctl = self.controller
        done = ctl.app.screen("done")
        here = ctl.screens.current == "done" and done.receipt_no == notice.receipt_no
        if ReceiptHandout.settle(notice, ctl.desk) is not None and ctl.chime is not None:
            ctl.chime.ring()                           # staff are called even if the resident left
        if not here:
            return
        done.show_print(notice)
        if notice.fault:
            done.stop_countdown()                      # the fault notice stays until the resident taps
            done.seconds_left = 0
        if notice.speech:
            ctl.voice.say(notice.speech, None)
