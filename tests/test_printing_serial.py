"""SerialPrinter through a real pty pair made by socat: bytes arrive exactly; faults become codes."""
import os
import re
import shutil
import signal
import subprocess
import threading
import time

import pytest
import serial

from kiosk.config import PrinterSettings
from kiosk.printing.layout import encode_receipt
from kiosk.printing.printers import NO_REPLY, OFFLINE, PAPER_OUT, TIMEOUT, UNPLUGGED, PrinterError, SerialPrinter
from kiosk.printing.sample import sample_receipt

pytestmark = pytest.mark.skipif(shutil.which("socat") is None, reason="Debian socat is not installed")

DLE_EOT = b"\x10\x04"


@pytest.fixture
def pty_pair():
    """(kiosk end, printer end) of a socat pty pair; socat is stopped by its PID."""
    proc = subprocess.Popen(["socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"],
                            stderr=subprocess.PIPE, text=True)
    paths: list[str] = []
    deadline = time.monotonic() + 5
    while len(paths) < 2 and time.monotonic() < deadline:
        line = proc.stderr.readline()
        m = re.search(r"PTY is (/dev/pts/\d+)", line)
        if m:
            paths.append(m.group(1))
    assert len(paths) == 2, "socat did not report two ptys"
    yield paths[0], paths[1], proc
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)


class FakePrinter(threading.Thread):
    """Reads everything on the printer end; answers DLE EOT n with the configured status byte."""

    def __init__(self, path, status=(0x12, 0x12, 0x12), answer=True):
        super().__init__(daemon=True)
        self.port = serial.Serial(path, 9600, timeout=0.05)
        self.status = dict(zip((1, 2, 4), status))
        self.answer = answer
        self.received = bytearray()
        self.stop = threading.Event()

    def run(self):
        pending = b""
        while not self.stop.is_set():
            chunk = self.port.read(4096)
            if not chunk:
                continue
            self.received += chunk
            pending = (pending + chunk)[-3:] if self.answer else b""
            # status queries come before the job, so they are the last 3 bytes seen when they arrive
            if len(pending) == 3 and pending[:2] == DLE_EOT and pending[2] in self.status:
                self.port.write(bytes([self.status[pending[2]]]))
                pending = b""

    def wait_for(self, n, timeout=10):
        deadline = time.monotonic() + timeout
        while len(self.received) < n and time.monotonic() < deadline:
            time.sleep(0.02)

    def close(self):
        self.stop.set()
        self.join(timeout=2)
        self.port.close()


def test_receipt_bytes_arrive_exactly_after_status_query(pty_pair):
    kiosk_end, printer_end, _ = pty_pair
    fake = FakePrinter(printer_end)
    fake.start()
    try:
        job = encode_receipt(sample_receipt(), PrinterSettings(paper_mm=58))
        printer = SerialPrinter(kiosk_end, 9600, status_query=True, status_timeout_s=1.0)
        assert printer.status().ready
        printer.print_receipt(job)
        expected = (DLE_EOT + b"\x01" + DLE_EOT + b"\x02" + DLE_EOT + b"\x04") * 2 + job
        fake.wait_for(len(expected))
        assert bytes(fake.received) == expected
    finally:
        fake.close()


def test_raster_job_without_status_query_arrives_exactly(pty_pair):
    kiosk_end, printer_end, _ = pty_pair
    fake = FakePrinter(printer_end, answer=False)
    fake.start()
    try:
        job = encode_receipt(sample_receipt(), PrinterSettings(paper_mm=80, profile="raster_qr"))
        SerialPrinter(kiosk_end, 9600, flow_control="xonxoff", status_query=False).print_receipt(job)
        fake.wait_for(len(job))
        assert bytes(fake.received) == job
    finally:
        fake.close()


def test_paper_out_refuses_job_before_sending_it(pty_pair):
    kiosk_end, printer_end, _ = pty_pair
    fake = FakePrinter(printer_end, status=(0x12, 0x32, 0x72))
    fake.start()
    try:
        with pytest.raises(PrinterError) as err:
            SerialPrinter(kiosk_end, status_timeout_s=1.0).print_receipt(b"\x1b@job")
        assert err.value.code == PAPER_OUT
        time.sleep(0.2)
        assert b"job" not in fake.received
    finally:
        fake.close()


def test_silent_printer_is_offline(pty_pair):
    kiosk_end, printer_end, _ = pty_pair
    fake = FakePrinter(printer_end, answer=False)
    fake.start()
    try:
        printer = SerialPrinter(kiosk_end, status_timeout_s=0.2)
        assert printer.status().code == NO_REPLY
        with pytest.raises(PrinterError) as err:
            printer.print_receipt(b"\x1b@")
        assert err.value.code == OFFLINE
    finally:
        fake.close()


def test_write_timeout_when_nobody_reads(pty_pair):
    kiosk_end, _, _ = pty_pair            # nobody reads the printer end: buffers fill, write blocks
    printer = SerialPrinter(kiosk_end, write_timeout_s=0.5, status_query=False)
    with pytest.raises(PrinterError) as err:
        printer.print_receipt(b"\x00" * (16 * 1024 * 1024))
    assert err.value.code == TIMEOUT


def test_unplugged_port(pty_pair):
    kiosk_end, _, proc = pty_pair
    os.kill(proc.pid, signal.SIGTERM)     # the cable is pulled: the pty disappears
    proc.wait(timeout=5)
    printer = SerialPrinter(kiosk_end, status_query=False)
    assert printer.status().code == UNPLUGGED
    with pytest.raises(PrinterError) as err:
        printer.print_receipt(b"\x1b@")
    assert err.value.code == UNPLUGGED
