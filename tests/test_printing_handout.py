"""What the resident is told after a print, and when staff are called (Kivy-free ReceiptHandout)."""
import threading

from staff_support import Kiosk

from kiosk.catalogue.spec import SiteSpec
from kiosk.printing.handout import ReceiptHandout
from kiosk.printing.sample import SampleSubmission, sample_form
from kiosk.voices import say


def test_fault_notice_speech_and_a_printer_ticket(tmp_path):
    k = Kiosk(tmp_path)
    try:
        k.printer.fail_with("paper_out", times=1, bytes_sent=120)
        notice = ReceiptHandout(k.printing).run(SampleSubmission(), sample_form(), SiteSpec())
        assert notice.fault and notice.call_staff
        assert notice.status_text == say("print_fault_notice") and notice.speech == say("print_fault")
        assert notice.outcome.partial and notice.outcome.error_code == "paper_out"
        ticket = ReceiptHandout.settle(notice, k.mode.desk)
        assert ticket is not None and ticket.receipt_no == "20261123-K01-0007"
        assert [t.receipt_no for t in k.mode.tickets.list()] == ["20261123-K01-0007"]
    finally:
        k.close()


def test_printed_unconfirmed_and_paper_low_call_nobody(tmp_path):
    k = Kiosk(tmp_path)
    try:
        handout = ReceiptHandout(k.printing)
        ok = handout.run(SampleSubmission(), sample_form(), SiteSpec())
        assert not ok.fault and ok.status_text == say("print_done") and ok.speech == ""
        k.printer.confirmed, k.printer.paper_low = False, True
        maybe = handout.run(SampleSubmission(receipt_no="20261123-K01-0008"), sample_form(), SiteSpec())
        assert maybe.status_text == say("print_unconfirmed") and maybe.speech == say("print_unconfirmed")
        assert maybe.paper_low and not maybe.call_staff
        assert ReceiptHandout.settle(maybe, k.mode.desk) is None and k.mode.tickets.list() == []
        assert [j.state for j in k.printing.queue.pending()] == ["unconfirmed"]
    finally:
        k.close()


def test_start_prints_on_a_worker_thread(tmp_path):
    k = Kiosk(tmp_path)
    try:
        got, done = [], threading.Event()
        ReceiptHandout(k.printing).start(SampleSubmission(), sample_form(), SiteSpec(),
                                         lambda n: (got.append((n, threading.current_thread().name)), done.set()))
        assert done.wait(10)
        assert got[0][1] == "print" and not got[0][0].fault and len(k.printer.jobs) == 1
    finally:
        k.close()


def test_no_print_service_says_so():
    notice = ReceiptHandout(None).run(SampleSubmission(), sample_form(), SiteSpec())
    assert notice.status_text == say("ui.done_no_printer") and not notice.fault and not notice.call_staff
