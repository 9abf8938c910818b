"""The serial printer through a real socat pty pair and a printer simulator reading at 9600 baud.

Each fault mid-job ends with the job still queued (reason and bytes sent recorded, partial when
bytes went out), the resident's sentence saying it was not printed, and a staff reprint on a
healthy printer that prints one complete copy marked 补打, confirmed by status.
"""
import shutil

import pytest

from kiosk.catalogue.spec import SiteSpec
from kiosk.config import PrinterSettings
from kiosk.printing.escpos import EscPosEncoder
from kiosk.printing.layout import encode_receipt
from kiosk.printing.preview import render
from kiosk.printing.printers import (
    BAD_STATUS,
    NO_REPLY,
    OFFLINE,
    PAPER_OUT,
    TIMEOUT,
    UNPLUGGED,
    PrinterError,
    SerialPrinter,
)
from kiosk.printing.queue import PRINTED, QUEUED, UNCONFIRMED, PrintQueue
from kiosk.printing.sample import SampleSubmission, sample_form, sample_receipt
from kiosk.printing.service import PrintService
from kiosk.printing.simulator import PrinterSim, pty_pair
from kiosk.store.db import Database
from kiosk.voices import say

pytestmark = pytest.mark.skipif(shutil.which("socat") is None, reason="Debian socat is not installed")

SETTINGS = PrinterSettings(type="serial", paper_mm=58, status_timeout_s=0.5, write_timeout_s=2.0)


@pytest.fixture
def db(tmp_path):
    d = Database(tmp_path / "kiosk.db")
    yield d
    d.close()


def serial_printer(port, **kw):
    args = {"status_timeout_s": SETTINGS.status_timeout_s, "write_timeout_s": SETTINGS.write_timeout_s, **kw}
    return SerialPrinter(port, 9600, **args)


def print_with_fault(db, fault, after=300):
    """Print the sample receipt on a simulated printer that misbehaves; return (service, outcome, sim)."""
    with pty_pair() as (kiosk_end, printer_end, socat):
        sim = PrinterSim(printer_end, fault=fault, after=after, socat=socat)
        sim.start()
        try:
            svc = PrintService(serial_printer(kiosk_end), PrintQueue(db), SETTINGS)
            outcome = svc.print_submission(SampleSubmission(), sample_form(), SiteSpec())
        finally:
            sim.close()
    return svc, outcome, sim


def reprint_on_healthy_printer(svc, job_id):
    """Staff load paper / replug: the reprint goes to a working printer; return (outcome, sim)."""
    with pty_pair() as (kiosk_end, printer_end, _):
        sim = PrinterSim(printer_end)
        sim.start()
        try:
            svc.printer = serial_printer(kiosk_end)
            outcome = svc.reprint(job_id, staff="S01")
        finally:
            sim.close()
    return outcome, sim


def assert_fault_then_exact_reprint(svc, outcome, sim, code):
    job = svc.queue.get(outcome.job_id)
    assert not outcome.ok and outcome.error_code == code
    assert outcome.message == say("print_fault")            # what the resident reads and hears
    assert "没能打印" in outcome.message and "补打" in outcome.message
    assert (job.state, job.last_error) == (QUEUED, code)
    assert job in svc.queue.pending()
    assert job.job_bytes == outcome.job_bytes > 0
    assert 0 < len(sim.job) < job.job_bytes or code in (BAD_STATUS, PAPER_OUT, NO_REPLY)
    assert job.partial == (job.bytes_sent > 0)
    again, healthy = reprint_on_healthy_printer(svc, job.id)
    assert again.ok and again.confirmed
    done = svc.queue.get(job.id)
    assert (done.state, done.last_error, done.reprints, done.closed_by) == (PRINTED, "", 1, "S01")
    # One complete copy, marked 补打 with the time, every byte of it received.
    assert bytes(healthy.job) and len(healthy.job) == again.job_bytes == again.bytes_sent
    lines = render(bytes(healthy.job), 58).lines
    assert say("receipt_reprint_mark") in lines and any(line.startswith("补打时间：") for line in lines)
    assert healthy.job.count(b"\x1dV") == 1                 # one cut: one slip
    assert svc.queue.pending() == []


def test_unplugged_mid_job(db):
    svc, outcome, sim = print_with_fault(db, "unplug")
    assert outcome.partial and outcome.bytes_sent < outcome.job_bytes
    assert_fault_then_exact_reprint(svc, outcome, sim, UNPLUGGED)


def test_port_closed_mid_job(db):
    svc, outcome, sim = print_with_fault(db, "close")
    assert len(sim.job) < outcome.job_bytes                  # the printer did not get it all
    assert_fault_then_exact_reprint(svc, outcome, sim, NO_REPLY)


def test_paper_out_mid_job(db):
    svc, outcome, sim = print_with_fault(db, "paper_out")
    assert sim.faulted.is_set() and outcome.partial
    assert_fault_then_exact_reprint(svc, outcome, sim, PAPER_OUT)


def test_no_status_answer_after_the_job(db):
    svc, outcome, sim = print_with_fault(db, "silent")
    assert len(sim.answers) == 4 and sim.queries == 5      # answered before the job, silent after it
    assert_fault_then_exact_reprint(svc, outcome, sim, NO_REPLY)


def test_garbage_status_is_a_fault(db):
    svc, outcome, sim = print_with_fault(db, "garbage")
    assert 0xFF in sim.answers
    assert_fault_then_exact_reprint(svc, outcome, sim, BAD_STATUS)


def test_garbage_before_the_job_sends_nothing(db):
    svc, outcome, sim = print_with_fault(db, "garbage", after=0)
    assert outcome.error_code == BAD_STATUS and outcome.bytes_sent == 0 and not outcome.partial
    assert len(sim.job) == 0


def test_paper_near_end_prints_and_tells_staff(db):
    svc, outcome, sim = print_with_fault(db, "near_end")
    assert outcome.ok and outcome.confirmed and outcome.paper_low
    assert outcome.message == say("print_done")
    job = svc.queue.get(outcome.job_id)
    assert job.state == PRINTED and job.paper_low and svc.queue.paper_low()
    assert bytes(sim.job) == encode_receipt(job.receipt, SETTINGS)


def test_printer_without_status_leaves_job_unconfirmed(db):
    with pty_pair() as (kiosk_end, printer_end, _):
        sim = PrinterSim(printer_end)
        sim.start()
        try:
            svc = PrintService(serial_printer(kiosk_end, status_query=False), PrintQueue(db), SETTINGS)
            outcome = svc.print_submission(SampleSubmission(), sample_form(), SiteSpec())
            assert sim.wait_for(outcome.job_bytes)
        finally:
            sim.close()
    assert outcome.ok and not outcome.confirmed and outcome.message == say("print_unconfirmed")
    [job] = svc.queue.pending()                              # staff see it
    assert job.state == UNCONFIRMED and sim.queries == 0


def test_failed_reprint_updates_the_error(db):
    svc, outcome, _ = print_with_fault(db, "paper_out")
    with pty_pair() as (kiosk_end, printer_end, _):
        sim = PrinterSim(printer_end, fault="silent", after=100)
        sim.start()
        try:
            svc.printer = serial_printer(kiosk_end)
            again = svc.reprint(outcome.job_id, staff="S01")
        finally:
            sim.close()
    job = svc.queue.get(outcome.job_id)
    assert not again.ok and (job.state, job.last_error, job.tries, job.reprints) == (QUEUED, NO_REPLY, 2, 0)


def big_job(min_bytes=12 * 1024):
    """A real 80 mm job over 12 KB: a raster QR plus lines of rare characters sent as images."""
    enc = EscPosEncoder(paper_mm=80, profile="raster_qr").init()
    enc.qr("https://fuwu.example.gov.cn/kiosk/r/20261123-K01-0007?c=A0R1KY")
    while len(enc.getvalue()) < min_bytes:
        enc.text("𠀀𪚥𡃁" * 6)                                # not in the printer font: raster lines
    return enc.feed(2).cut().getvalue()


def test_a_12kb_job_prints_completely_at_9600_baud_pacing():
    job = big_job()
    assert len(job) >= 12 * 1024
    with pty_pair() as (kiosk_end, printer_end, _):
        sim = PrinterSim(printer_end, rate=960.0)
        sim.start()
        try:
            printer = serial_printer(kiosk_end, write_timeout_s=1.0)
            result = printer.print_receipt(job)
        finally:
            sim.close()
    assert result.confirmed and result.bytes_sent == len(job)
    assert bytes(sim.job) == job                              # every byte, in order, then a valid status
    assert printer.chunk_size == 96                          # 0.1 s of wire time per write at 9600 baud


def test_paper_out_before_the_job_sends_nothing():
    with pty_pair() as (kiosk_end, printer_end, _):
        sim = PrinterSim(printer_end, fault="paper_out", after=0)
        sim.start()
        try:
            with pytest.raises(PrinterError) as err:
                serial_printer(kiosk_end).print_receipt(b"\x1b@job")
        finally:
            sim.close()
    assert err.value.code == PAPER_OUT and err.value.bytes_sent == 0 and b"job" not in sim.received


def test_silent_printer_is_offline():
    with pty_pair() as (kiosk_end, printer_end, _):
        sim = PrinterSim(printer_end, fault="silent", after=0)
        sim.start()
        try:
            printer = serial_printer(kiosk_end, status_timeout_s=0.2)
            assert printer.status().code == NO_REPLY
            with pytest.raises(PrinterError) as err:
                printer.print_receipt(b"\x1b@")
        finally:
            sim.close()
    assert err.value.code == OFFLINE


def test_write_timeout_when_nobody_reads():
    with pty_pair() as (kiosk_end, _, _):     # nobody reads the printer end: buffers fill, a chunk stalls
        printer = SerialPrinter(kiosk_end, 921_600, write_timeout_s=0.5, status_query=False)
        with pytest.raises(PrinterError) as err:
            printer.print_receipt(b"\x00" * (16 * 1024 * 1024))
    assert err.value.code == TIMEOUT and 0 < err.value.bytes_sent < 16 * 1024 * 1024


def test_unplugged_port():
    with pty_pair() as (kiosk_end, _, socat):
        socat.terminate()                     # the cable is pulled: the pty disappears
        socat.wait(timeout=5)
        printer = SerialPrinter(kiosk_end, status_query=False)
        assert printer.status().code == UNPLUGGED
        with pytest.raises(PrinterError) as err:
            printer.print_receipt(b"\x1b@")
    assert err.value.code == UNPLUGGED


@pytest.mark.parametrize("flow", ["xonxoff", "rtscts"])
def test_flow_control_profiles_print_and_confirm(flow):
    job = encode_receipt(sample_receipt(), SETTINGS)
    with pty_pair() as (kiosk_end, printer_end, _):
        sim = PrinterSim(printer_end)
        sim.start()
        try:
            result = serial_printer(kiosk_end, flow_control=flow).print_receipt(job)
        finally:
            sim.close()
    assert result.confirmed and bytes(sim.job) == job


def test_xoff_from_the_printer_pauses_the_job_which_then_completes():
    job = encode_receipt(sample_receipt(), SETTINGS)
    with pty_pair() as (kiosk_end, printer_end, _):
        sim = PrinterSim(printer_end, fault="xoff", after=200)
        sim.start()
        try:
            result = serial_printer(kiosk_end, flow_control="xonxoff", write_timeout_s=3.0).print_receipt(job)
        finally:
            sim.close()
    assert sim.faulted.is_set() and result.confirmed and bytes(sim.job) == job
