"""The `Printer` interface and its implementations: serial (pyserial), preview (PNG), memory.

Every implementation takes finished ESC/POS bytes; none of them knows about receipts. Faults
surface as one error type, `PrinterError(code, message)`, whatever the driver raised, so the
print service can queue the job and tell the resident kindly.
"""
from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

# Error codes; staff screens and the queue store these.
PAPER_OUT = "paper_out"
OFFLINE = "offline"
COVER_OPEN = "cover_open"
UNPLUGGED = "unplugged"
TIMEOUT = "timeout"
NO_REPLY = "no_reply"
IO_ERROR = "io_error"
DRIVER_MISSING = "driver_missing"

DLE_EOT = b"\x10\x04"


class PrinterError(KioskError):
    """A print or status query failed; `code` is one of the module's error codes."""

    def __init__(self, code: str, message: str = "") -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself. `code` is '' when ready, else an error code."""

    ready: bool
    code: str = ""
    paper_low: bool = False
    detail: str = ""


READY = PrinterStatus(True)


class Printer(Protocol):
    """Anything that prints a finished ESC/POS job."""

    def print_receipt(self, data: bytes) -> None:
        """Send one job; raise PrinterError on any fault."""

    def status(self) -> PrinterStatus:
        """Ask whether the printer is ready (never raises)."""


def decode_status(printer: int, offline: int, paper: int) -> PrinterStatus:
    """Turn DLE EOT 1 / 2 / 4 reply bytes into a PrinterStatus (Epson bit layout)."""
    paper_low = bool(paper & 0x0C)
    if paper & 0x60 or offline & 0x20:
        return PrinterStatus(False, PAPER_OUT, paper_low, "paper end sensor")
    if offline & 0x04:
        return PrinterStatus(False, COVER_OPEN, paper_low, "cover open")
    if printer & 0x08 or offline & 0x40:
        return PrinterStatus(False, OFFLINE, paper_low, "printer offline or in error")
    return PrinterStatus(True, "", paper_low)


class SerialPrinter:
    """An ESC/POS printer on a serial port. The port is opened per job so a replugged cable works."""

    def __init__(self, port: str, baudrate: int = 9600, flow_control: str = "none",
                 write_timeout_s: float = 5.0, status_query: bool = True, status_timeout_s: float = 0.5) -> None:
        self.port = port
        self.baudrate = baudrate
        self.flow_control = flow_control
        self.write_timeout_s = write_timeout_s
        self.status_query = status_query
        self.status_timeout_s = status_timeout_s

    def _serial_module(self):
        try:
            import serial  # lazily: only kiosks with a serial printer need pyserial
        except ImportError as err:
            raise PrinterError(DRIVER_MISSING, "pyserial is not installed (pip install pyserial)") from err
        return serial

    def _open(self):
        serial = self._serial_module()
        try:
            return serial.Serial(
                self.port, self.baudrate,
                rtscts=self.flow_control == "rtscts", xonxoff=self.flow_control == "xonxoff",
                timeout=self.status_timeout_s, write_timeout=self.write_timeout_s,
            )
        except (serial.SerialException, OSError) as err:
            raise PrinterError(UNPLUGGED, f"cannot open {self.port}") from err

    def _query(self, conn) -> PrinterStatus:
        serial = self._serial_module()
        replies = []
        try:
            conn.reset_input_buffer()
            for n in (1, 2, 4):
                conn.write(DLE_EOT + bytes([n]))
                conn.flush()
                reply = conn.read(1)
                if len(reply) != 1:
                    return PrinterStatus(False, NO_REPLY, detail=f"no answer to DLE EOT {n}")
                replies.append(reply[0])
        except serial.SerialTimeoutException as err:
            raise PrinterError(TIMEOUT, "status query timed out") from err
        except (serial.SerialException, OSError) as err:
            raise PrinterError(UNPLUGGED, "port failed during status query") from err
        return decode_status(*replies)

    def status(self) -> PrinterStatus:
        """DLE EOT 1, 2 and 4 when the profile supports them; else ready if the port opens."""
        try:
            conn = self._open()
        except PrinterError as err:
            return PrinterStatus(False, err.code, detail=err.message)
        try:
            return self._query(conn) if self.status_query else READY
        except PrinterError as err:
            return PrinterStatus(False, err.code, detail=err.message)
        finally:
            conn.close()

    def print_receipt(self, data: bytes) -> None:
        """Check status (when supported), then write the whole job within the write timeout."""
        serial = self._serial_module()
        conn = self._open()
        try:
            if self.status_query:
                st = self._query(conn)
                if not st.ready:
                    raise PrinterError(OFFLINE if st.code == NO_REPLY else st.code, st.detail)
            started = time.monotonic()
            conn.write(data)
            conn.flush()
            log.info("sent %d bytes to %s in %.2f s", len(data), self.port, time.monotonic() - started)
        except serial.SerialTimeoutException as err:
            raise PrinterError(TIMEOUT, f"write to {self.port} timed out") from err
        except (serial.SerialException, OSError) as err:
            raise PrinterError(UNPLUGGED, f"{self.port} failed while writing") from err
        finally:
            conn.close()


class PreviewPrinter:
    """Writes each job as a PNG drawn from its ESC/POS bytes (`receipt-<n>.png` and `latest.png`)."""

    def __init__(self, out_dir, paper_mm: int = 80, encoding: str = "gb18030", font_path: str = "") -> None:
        self.out_dir = Path(out_dir)
        self.paper_mm = paper_mm
        self.encoding = encoding
        self.font_path = font_path
        self.count = 0
        self.last_path: Path | None = None

    def print_receipt(self, data: bytes) -> None:
        """Render and save; a broken job raises PrinterError like a real printer fault would."""
        from kiosk.printing.preview import PreviewError, render  # PIL work only when used

        try:
            rendered = render(data, self.paper_mm, self.encoding, self.font_path)
            self.out_dir.mkdir(parents=True, exist_ok=True)
            self.count += 1
            path = self.out_dir / f"receipt-{int(time.time())}-{self.count}.png"
            rendered.image.save(path, format="PNG")
            rendered.image.save(self.out_dir / "latest.png", format="PNG")
        except (PreviewError, OSError) as err:
            raise PrinterError(IO_ERROR, "preview could not be written") from err
        self.last_path = path

    def status(self) -> PrinterStatus:
        """Always ready."""
        return READY


class MemoryPrinter:
    """Collects jobs in memory; `fail_with(code, times)` makes the next jobs fail."""

    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self._fail_code = ""
        self._fail_times = 0

    def fail_with(self, code: str = PAPER_OUT, times: int = 1_000_000) -> None:
        """Fail the next `times` jobs (and report not ready) with this code."""
        self._fail_code, self._fail_times = code, times

    def heal(self) -> None:
        """Stop failing."""
        self._fail_times = 0

    def print_receipt(self, data: bytes) -> None:
        """Keep the bytes, or fail as told."""
        if self._fail_times > 0:
            self._fail_times -= 1
            raise PrinterError(self._fail_code, "memory printer told to fail")
        self.jobs.append(bytes(data))

    def status(self) -> PrinterStatus:
        """Not ready while told to fail."""
        return PrinterStatus(False, self._fail_code) if self._fail_times > 0 else READY

    @property
    def output(self) -> bytes:
        """All printed bytes, in order."""
        return b"".join(self.jobs)


def make_printer(settings, data_dir=None) -> Printer:
    """The printer named by `settings.printer.type` (accepts Settings or PrinterSettings)."""
    if hasattr(settings, "printer"):
        data_dir = data_dir or settings.data_dir
        settings = settings.printer
    if settings.type == "serial":
        return SerialPrinter(settings.port, settings.baudrate, settings.flow_control, settings.write_timeout_s,
                             settings.status_query, settings.status_timeout_s)
    if settings.type == "preview":
        out = Path(settings.preview_dir) if settings.preview_dir else Path(data_dir or ".") / "previews"
        return PreviewPrinter(out, settings.paper_mm, settings.encoding, settings.font_path)
    return MemoryPrinter()
