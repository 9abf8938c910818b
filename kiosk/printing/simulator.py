"""A receipt printer simulator on the far end of a real socat pty pair (tests and `kiosk bench`).

It reads at a real 9600-baud pace (960 bytes/s), answers DLE EOT 1-4 real-time status queries
like an Epson printer, and can misbehave on cue: die mid-job (stop reading and answering), close
its port mid-job, have the cable pulled (socat killed), run out of paper mid-job, give no status
or garbage status, or report paper near end. Everything it received is kept for assertions.
"""
from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

DLE_EOT = b"\x10\x04"
READY = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x12}
PAPER_END = {1: 0x1A, 2: 0x32, 3: 0x12, 4: 0x72}     # offline, paper-end stop, roll sensor: end
NEAR_END = {1: 0x12, 2: 0x12, 3: 0x12, 4: 0x1E}      # ready, near-end sensor on


@contextlib.contextmanager
def pty_pair() -> Iterator[tuple[str, str, subprocess.Popen[str]]]:
    """(kiosk end, printer end, socat process) of a socat pty pair; socat is stopped by its PID."""
    proc = subprocess.Popen(["socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"],
                            stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    paths: list[str] = []
    deadline = time.monotonic() + 5
    while len(paths) < 2 and time.monotonic() < deadline:
        m = re.search(r"PTY is (/dev/pts/\d+)", proc.stderr.readline())
        if m:
            paths.append(m.group(1))
    assert len(paths) == 2, "socat did not report two ptys"
    try:
        yield paths[0], paths[1], proc
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)


class PrinterSim(threading.Thread):
    """The printer. Faults trigger once `after` job bytes (status queries excluded) were read."""

    def __init__(self, path: str, *, rate: float = 960.0, fault: str = "", after: int = 0,
                 socat: subprocess.Popen[str] | None = None, status: dict[int, int] | None = None) -> None:
        super().__init__(daemon=True)
        import serial  # lazily: only serial printer kiosks and tests need pyserial

        self._serial: Any = serial
        self.port: Any = serial.Serial(path, 9600, timeout=0.02)
        self.rate = rate                     # bytes per second it reads (9600 baud = 960)
        self.fault = fault                   # '', die, close, unplug, paper_out, silent, garbage, near_end, xoff
        self.hold = 1.0                      # xoff: seconds the printer holds XOFF before XON
        self.after = after
        self.socat = socat
        self.status = dict(status or READY)
        self.received = bytearray()          # everything, queries included
        self.job = bytearray()               # job bytes only
        self.queries = 0
        self.answers: list[int] = []
        self.faulted = threading.Event()
        self.stop = threading.Event()
        self._tail = b""
        self._t0 = 0.0
        self.started_at = 0.0                # when the first byte was read (wire time measurements)
        self.last_at = 0.0                   # when the last byte was read
        if fault and after == 0:             # a printer that was like this from the start
            self._trigger()

    def run(self) -> None:
        self._t0 = time.monotonic()
        try:
            while not self.stop.is_set():
                if self.faulted.is_set() and self.fault in ("die", "close", "unplug"):
                    time.sleep(0.01)
                    continue
                # Read no faster than the line would deliver.
                due = int((time.monotonic() - self._t0) * self.rate) - len(self.received)
                if due <= 0:
                    time.sleep(0.005)
                    continue
                chunk = self.port.read(min(due, 256))
                if not chunk:
                    self._t0 = time.monotonic() - len(self.received) / self.rate   # idle line
                    continue
                for b in chunk:
                    self._byte(b)
        except (OSError, self._serial.SerialException):
            pass                             # port gone (unplugged): the printer is dead too

    def _byte(self, b: int) -> None:
        now = time.monotonic()
        self.started_at = self.started_at or now
        self.last_at = now
        self.received.append(b)
        self._tail = (self._tail + bytes([b]))[-3:]
        if len(self._tail) == 3 and self._tail[:2] == DLE_EOT and self._tail[2] in self.status:
            self.queries += 1
            del self.job[-2:]
            self._answer(self._tail[2])
            self._tail = b""
            return
        self.job.append(b)
        if self.fault and not self.faulted.is_set() and len(self.job) >= self.after:
            self._trigger()

    def _answer(self, n: int) -> None:
        if self.faulted.is_set() and self.fault in ("silent", "die", "close", "unplug"):
            return
        reply = 0xFF if self.faulted.is_set() and self.fault == "garbage" else self.status[n]
        self.answers.append(reply)
        self.port.write(bytes([reply]))

    def _trigger(self) -> None:
        self.faulted.set()
        if self.fault == "close":
            self.port.close()
        elif self.fault == "unplug" and self.socat is not None:
            os.kill(self.socat.pid, signal.SIGTERM)
            self.socat.wait(timeout=5)
        elif self.fault == "paper_out":
            self.status = dict(PAPER_END)
        elif self.fault == "near_end":
            self.status = dict(NEAR_END)
        elif self.fault == "xoff":           # buffer full: XOFF, stop reading a while, then XON
            self.port.write(b"\x13")
            time.sleep(self.hold)
            self.port.write(b"\x11")
            self._t0 = time.monotonic() - len(self.received) / self.rate

    def wait_for(self, n: int, timeout: float = 30.0) -> bool:
        """Wait until `n` job bytes were read (True) or the timeout passed."""
        deadline = time.monotonic() + timeout
        while len(self.job) < n and time.monotonic() < deadline:
            time.sleep(0.02)
        return len(self.job) >= n

    def close(self) -> None:
        """Stop reading and release the port."""
        self.stop.set()
        self.join(timeout=5)
        with contextlib.suppress(Exception):
            self.port.close()
