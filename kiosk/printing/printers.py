"""The `Printer` interface and its implementations: serial (pyserial), preview (PNG), memory.

Every implementation takes finished ESC/POS bytes; none of them knows about receipts. Faults
surface as one error type, `PrinterError(code, message)`, whatever the driver raised, so the
print service can queue the job and tell the resident kindly.
"""
from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

# Error codes; staff screens and the queue store these.
PAPER_OUT = "paper_out"
OFFLINE = "offline"
COVER_OPEN = "cover_open"
CUTTER = "cutter_error"
UNPLUGGED = "unplugged"
TIMEOUT = "timeout"
NO_REPLY = "no_reply"
BAD_STATUS = "bad_status"
IO_ERROR = "io_error"
DRIVER_MISSING = "driver_missing"

DLE_EOT = b"\x10\x04"
STATUS_QUERIES = (1, 2, 3, 4)     # printer, offline cause, error cause, paper roll sensor
CHUNK_S = 0.1                     # one paced write carries this many seconds of wire time
BITS_PER_BYTE = 10                # 8N1: start + 8 data + stop


class PrinterError(KioskError):
    """A print or status query failed; `code` is one of the module's error codes.

    `bytes_sent` says how much of the job went out before the fault (0 = nothing printed).
    """

    def __init__(self, code: str, message: str = "", bytes_sent: int = 0) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.bytes_sent = bytes_sent


@dataclass(frozen=True)
class PrinterStatus:
    """What the printer said about itself. `code` is '' when ready, else an error code."""

    ready: bool
    code: str = ""
    paper_low: bool = False
    detail: str = ""


READY = PrinterStatus(True)


@dataclass(frozen=True)
class PrintResult:
    """A job the printer took: `confirmed` when its status after the last byte said ready."""

    bytes_sent: int
    confirmed: bool = True        # False: the printer cannot report status (setting), so unknown
    paper_low: bool = False       # paper near end: print on, but tell staff
    wire_s: float = 0.0           # seconds from the first byte to the confirmed status


class Printer(Protocol):
    """Anything that prints a finished ESC/POS job."""

    def print_receipt(self, data: bytes) -> PrintResult:
        """Send one job and confirm it; raise PrinterError (with bytes_sent) on any fault."""

    def status(self) -> PrinterStatus:
        """Ask whether the printer is ready (never raises)."""


def valid_status_byte(b: int) -> bool:
    """Epson real-time status replies have bits 0 and 7 clear and bits 1 and 4 set."""
    return (b & 0x93) == 0x12


def decode_status(printer: int, offline: int, error: int, paper: int) -> PrinterStatus:
    """Turn DLE EOT 1 / 2 / 3 / 4 reply bytes into a PrinterStatus (Epson bit layout).

    A byte that is not a status byte at all is a fault (BAD_STATUS), never "ready".
    """
    for n, b in zip(STATUS_QUERIES, (printer, offline, error, paper), strict=True):
        if not valid_status_byte(b):
            return PrinterStatus(False, BAD_STATUS, detail=f"reply 0x{b:02x} to DLE EOT {n} is not a status byte")
    paper_low = bool(paper & 0x0C)
    if paper & 0x60 or offline & 0x20:
        return PrinterStatus(False, PAPER_OUT, paper_low, "paper end sensor")
    if offline & 0x04:
        return PrinterStatus(False, COVER_OPEN, paper_low, "cover open")
    if error & 0x08:
        return PrinterStatus(False, CUTTER, paper_low, "autocutter error")
    if printer & 0x08 or offline & 0x40 or error & 0x60:
        return PrinterStatus(False, OFFLINE, paper_low, "printer offline or in error")
    return PrinterStatus(True, "", paper_low)


class SerialPrinter:
    """An ESC/POS printer on a serial port. The port is opened per job so a replugged cable works.

    A job is written in chunks of CHUNK_S wire time, paced to the baud rate, each with its own
    timeout (`write_timeout_s`), so a job of any size goes out on a slow line; then the printer's
    real-time status is asked and only a valid ready answer confirms the job.
    """

    def __init__(self, port: str, baudrate: int = 9600, flow_control: str = "none",
                 write_timeout_s: float = 5.0, status_query: bool = True, status_timeout_s: float = 0.5,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep) -> None:
        self.port = port
        self.baudrate = baudrate
        self.flow_control = flow_control
        self.write_timeout_s = write_timeout_s
        self.status_query = status_query
        self.status_timeout_s = status_timeout_s
        self._clock = clock
        self._sleep = sleep

    @property
    def bytes_per_s(self) -> float:
        """What the line carries per second (8N1)."""
        return self.baudrate / BITS_PER_BYTE

    @property
    def chunk_size(self) -> int:
        """Bytes per paced write."""
        return max(16, int(self.bytes_per_s * CHUNK_S))

    def _serial_module(self) -> Any:
        try:
            import serial  # lazily: only kiosks with a serial printer need pyserial
        except ImportError as err:
            raise PrinterError(DRIVER_MISSING, "pyserial is not installed (pip install pyserial)") from err
        return serial

    def _open(self) -> Any:
        serial = self._serial_module()
        try:
            return serial.Serial(
                self.port, self.baudrate,
                rtscts=self.flow_control == "rtscts", xonxoff=self.flow_control == "xonxoff",
                timeout=self.status_timeout_s, write_timeout=self.write_timeout_s,
            )
        except (serial.SerialException, OSError) as err:
            raise PrinterError(UNPLUGGED, f"cannot open {self.port}") from err

    def _query(self, conn: Any, wait_s: float | None = None) -> PrinterStatus:
        """DLE EOT 1-4, one validated byte each; `wait_s` is how long the first reply may take."""
        serial = self._serial_module()
        replies = []
        try:
            conn.reset_input_buffer()     # drop anything stale so a reply belongs to this query
            for i, n in enumerate(STATUS_QUERIES):
                conn.write(DLE_EOT + bytes([n]))   # no flush(): tcdrain blocks forever on a dead peer
                conn.timeout = wait_s if (i == 0 and wait_s) else self.status_timeout_s
                reply = conn.read(1)
                if len(reply) != 1:
                    return PrinterStatus(False, NO_REPLY, detail=f"no answer to DLE EOT {n}")
                replies.append(reply[0])
            conn.timeout = 0.05           # a printer that sends more than it was asked is broken
            extra = conn.read(16)
        except serial.SerialTimeoutException as err:
            raise PrinterError(TIMEOUT, "status query timed out") from err
        except (serial.SerialException, OSError) as err:
            raise PrinterError(UNPLUGGED, "port failed during status query") from err
        if extra:
            return PrinterStatus(False, BAD_STATUS, detail=f"{len(extra)} unasked bytes after the status replies")
        return decode_status(*replies)

    def status(self) -> PrinterStatus:
        """DLE EOT 1-4 when the profile supports them; else ready if the port opens."""
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

    def print_receipt(self, data: bytes) -> PrintResult:
        """Check status, write the job paced to the line, then confirm it by status."""
        conn = self._open()
        try:
            if self.status_query:
                before = self._query(conn)
                if not before.ready:     # nothing sent: the whole job stays queued
                    raise PrinterError(OFFLINE if before.code == NO_REPLY else before.code, before.detail)
            started = self._clock()
            sent = self._write_paced(conn, data, started)
            if not self.status_query:
                log.info("sent %d bytes to %s (printer gives no status: unconfirmed)", sent, self.port)
                return PrintResult(sent, confirmed=False, wire_s=self._clock() - started)
            # The reply to the last query comes after the printer has read what is still on the
            # line; with pacing that is at most a couple of chunks.
            behind = max(0.0, started + sent / self.bytes_per_s - self._clock())
            # With flow control the printer may hold XOFF/CTS while it prints its buffer, and
            # the query itself waits behind that: allow it as long as a stalled chunk.
            held = self.write_timeout_s if self.flow_control != "none" else 0.0
            after = self._query(conn, wait_s=self.status_timeout_s + behind + 2 * CHUNK_S + held)
            if not after.ready:
                raise PrinterError(after.code, after.detail, bytes_sent=sent)
            wire = self._clock() - started
            log.info("sent %d bytes to %s in %.2f s, confirmed%s", sent, self.port, wire,
                     " (paper low)" if after.paper_low else "")
            return PrintResult(sent, confirmed=True, paper_low=after.paper_low, wire_s=wire)
        finally:
            conn.close()

    def _write_paced(self, conn: Any, data: bytes, started: float) -> int:
        """Write `data` chunk by chunk, never ahead of the line; return bytes sent."""
        serial = self._serial_module()
        sent = 0
        size = self.chunk_size
        rate = self.bytes_per_s
        try:
            while sent < len(data):
                chunk = data[sent:sent + size]
                conn.write(chunk)
                sent += len(chunk)
                # Stay at most two chunks ahead of the wire so the kernel buffer never holds a
                # whole job (its timeout would then cover seconds of backlog, not one chunk).
                ahead = (sent - 2 * size) / rate - (self._clock() - started)
                if ahead > 0:
                    self._sleep(ahead)
        except serial.SerialTimeoutException as err:
            raise PrinterError(TIMEOUT, f"write to {self.port} stalled", bytes_sent=sent) from err
        except (serial.SerialException, OSError) as err:
            raise PrinterError(UNPLUGGED, f"{self.port} failed while writing", bytes_sent=sent) from err
        return sent


class PreviewPrinter:
    """Writes each job as a PNG drawn from its ESC/POS bytes (`receipt-<n>.png` and `latest.png`)."""

    def __init__(self, out_dir: str | os.PathLike[str], paper_mm: int = 80, encoding: str = "gb18030", font_path: str = "") -> None:
        self.out_dir = Path(out_dir)
        self.paper_mm = paper_mm
        self.encoding = encoding
        self.font_path = font_path
        self.count = 0
        self.last_path: Path | None = None

    def print_receipt(self, data: bytes) -> PrintResult:
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
        return PrintResult(len(data))

    def status(self) -> PrinterStatus:
        """Always ready."""
        return READY


class MemoryPrinter:
    """Collects jobs in memory; `fail_with(code, times)` makes the next jobs fail."""

    def __init__(self, confirmed: bool = True) -> None:
        self.jobs: list[bytes] = []
        self.confirmed = confirmed       # False: behaves like a printer without status
        self.paper_low = False
        self._fail_code = ""
        self._fail_times = 0
        self._fail_sent = 0

    def fail_with(self, code: str = PAPER_OUT, times: int = 1_000_000, bytes_sent: int = 0) -> None:
        """Fail the next `times` jobs (and report not ready) with this code after `bytes_sent` bytes."""
        self._fail_code, self._fail_times, self._fail_sent = code, times, bytes_sent

    def heal(self) -> None:
        """Stop failing."""
        self._fail_times = 0

    def print_receipt(self, data: bytes) -> PrintResult:
        """Keep the bytes, or fail as told."""
        if self._fail_times > 0:
            self._fail_times -= 1
            raise PrinterError(self._fail_code, "memory printer told to fail",
                               bytes_sent=min(self._fail_sent, len(data)))
        self.jobs.append(bytes(data))
        return PrintResult(len(data), confirmed=self.confirmed, paper_low=self.paper_low)

    def status(self) -> PrinterStatus:
        """Not ready while told to fail."""
        return PrinterStatus(False, self._fail_code) if self._fail_times > 0 else READY

    @property
    def output(self) -> bytes:
        """All printed bytes, in order."""
        return b"".join(self.jobs)


def make_printer(settings: Any, data_dir: str | os.PathLike[str] | None = None) -> Printer:
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
