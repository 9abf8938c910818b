"""A protocol-level reader simulator: answers GA 467 commands on a serial port as a reader would.

Run it on one end of a socat pty pair and point `Ga467Reader` at the other: the real serial
code is then exercised byte for byte. A `scenario` picks the behaviour (a good card, no card,
a card lifted mid-read, corrupted or malformed answers, a SAM fault). With `pace=True` it
holds each answer for its time on the wire at `baud` (socat itself ignores the baud rate),
which is what `kiosk bench` measures. Card contents here are made up.
"""
from __future__ import annotations

import contextlib
import os
import random
import re
import shutil
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from typing import Any

from kiosk.idcard import frames
from kiosk.idcard.card import PHOTO_LEN, TEXT_LEN, encode_text
from kiosk.idcard.frames import FrameError, encode_answer

SCENARIOS = ("valid", "no_card", "removed", "bad_checksum", "sam_fault", "garbage", "truncated",
             "wrong_length", "oversize", "silent_read")
CARD_SCENARIOS = ("expired", "check_digit", "mismatch")   # a well-behaved reader, a bad card
SAM_ID_BYTES = bytes([5, 0, 1, 0]) + (20260101).to_bytes(4, "little") + (1).to_bytes(4, "little") \
    + (42).to_bytes(4, "little")


def bad_card(card: dict[str, str], kind: str) -> dict[str, str]:
    """The card's raw fields spoiled one way: expired, wrong check digit, or birth date not the ID's."""
    card = dict(card)
    if kind == "expired":
        card["valid_from"], card["valid_until"] = "20060301", "20160301"
    elif kind == "check_digit":
        idn = card["id_number"]
        card["id_number"] = idn[:17] + ("0" if idn[17] != "0" else "1")
    elif kind == "mismatch":
        birth = card["birth"]
        card["birth"] = birth[:6] + ("02" if birth[6:] != "02" else "03")
    return card


class ReaderSimulator(threading.Thread):
    """Answers commands read from `port` (a pyserial-like object) until `stop()`."""

    def __init__(self, port: Any, card: dict[str, str] | None = None, scenario: str = "valid", *,
                 find_misses: int = 0, pace: bool = False, baud: int = 115200, seed: int = 467):
        super().__init__(daemon=True, name="idcard-sim")
        if scenario in CARD_SCENARIOS and card is not None:
            card, scenario = bad_card(card, scenario), "valid"
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; one of {', '.join(SCENARIOS + CARD_SCENARIOS)}")
        self.port = port
        self.card = card
        self.scenario = scenario
        self.find_misses = find_misses     # "no card" answers before the card is found
        self.pace = pace
        self.baud = baud
        self.random = random.Random(seed)
        self.commands: list[tuple[int, int]] = []
        self.card_found = threading.Event()   # set when a find first answers 0x9F (bench: card placed)
        self.found_at = 0.0                   # perf_counter() of that answer
        self._halt = threading.Event()

    def stop(self) -> None:
        """End the loop (the port is left to its owner)."""
        self._halt.set()

    def run(self) -> None:
        while not self._halt.is_set():
            try:
                first = self.port.read(1)
                if not first:
                    continue
                # The deadline starts at the first byte: a quiet wait must never cut a command in two.
                pending = [first]

                def read(n: int, pending: list[bytes] = pending) -> bytes:
                    return pending.pop() if pending else self.port.read(n)

                raw = frames.read_frame(read, time.monotonic() + 1.0, min_len=3, max_len=64)
                command, _data = frames.decode_command(raw)
            except FrameError as err:
                if err.code not in ("no_answer",):
                    self._send(encode_answer(frames.SW3_BAD_CHECKSUM if err.code == "bad_checksum"
                                             else frames.SW3_BAD_LENGTH))
                continue
            except OSError:   # the port closed under us (SerialException is an OSError)
                return
            self.commands.append(command)
            answer = self.answer(command)
            if answer:
                self._send(answer)

    def _send(self, data: bytes) -> None:
        try:
            if self.pace:
                # 10 bits per byte (8N1) on the wire, sent in 64-byte chunks like a UART FIFO
                for i in range(0, len(data), 64):
                    chunk = data[i:i + 64]
                    self.port.write(chunk)
                    time.sleep(len(chunk) * 10 / self.baud)
            else:
                self.port.write(data)
            self.port.flush()
        except OSError:
            self._halt.set()

    # ----------------------------------------------------------------- behaviour
    def answer(self, command: tuple[int, int]) -> bytes:
        """The bytes a reader in this scenario sends back to `command`."""
        s = self.scenario
        if s == "sam_fault":
            return encode_answer(frames.SW3_SELF_TEST_FAILED)
        if command == frames.SAM_STATUS:
            return encode_answer(frames.SW3_OK)
        if command == frames.SAM_ID:
            return encode_answer(frames.SW3_OK, SAM_ID_BYTES)
        if command == frames.RESET_SAM:
            return encode_answer(frames.SW3_OK)
        if command == frames.FIND_CARD:
            if s == "no_card" or self.card is None or self.find_misses > 0:
                self.find_misses -= 1
                return encode_answer(frames.SW3_NO_CARD)
            if not self.card_found.is_set():
                self.found_at = time.perf_counter()
                self.card_found.set()
            return encode_answer(frames.SW3_FOUND, b"\x00\x00\x00\x00")
        if command == frames.SELECT_CARD:
            return encode_answer(frames.SW3_OK, bytes(8))
        if command == frames.READ_TEXT_PHOTO:
            return self._read_answer()
        return encode_answer(frames.SW3_BAD_COMMAND)

    def _read_answer(self) -> bytes:
        s = self.scenario
        if s == "removed":
            return encode_answer(frames.SW3_READ_FAILED, sw1=0x6A, sw2=0x82)
        if s == "silent_read":
            return b""
        assert self.card is not None
        text = encode_text(self.card)
        photo = bytes(self.random.getrandbits(8) for _ in range(PHOTO_LEN))
        data = TEXT_LEN.to_bytes(2, "big") + PHOTO_LEN.to_bytes(2, "big") + text + photo
        if s == "wrong_length":
            data = (200).to_bytes(2, "big") + data[2:]
        good = encode_answer(frames.SW3_OK, data)
        if s == "bad_checksum":
            return good[:-1] + bytes([good[-1] ^ 0x5A])
        if s == "truncated":
            return good[:len(good) // 3]
        if s == "oversize":
            return frames.PREAMBLE + b"\xff\xff" + good[7:]
        if s == "garbage":
            return bytes(self.random.choice(range(0xAA)) for _ in range(len(good)))
        return good


@contextlib.contextmanager
def pty_pair() -> Iterator[tuple[str, str]]:
    """(host end, device end) of a socat pty pair; socat is stopped by its PID afterwards."""
    if shutil.which("socat") is None:
        raise RuntimeError("socat is not installed (apt-get install socat)")
    proc = subprocess.Popen(["socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"],
                            stderr=subprocess.PIPE, text=True)
    try:
        paths: list[str] = []
        deadline = time.monotonic() + 5
        while len(paths) < 2 and time.monotonic() < deadline and proc.stderr is not None:
            m = re.search(r"PTY is (/dev/pts/\d+)", proc.stderr.readline())
            if m:
                paths.append(m.group(1))
        if len(paths) != 2:
            raise RuntimeError("socat did not report two ptys")
        yield paths[0], paths[1]
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            proc.wait(timeout=5)


@contextlib.contextmanager
def simulated_reader(card: dict[str, str] | None, scenario: str = "valid", **kwargs: Any) -> Iterator[tuple[str, ReaderSimulator]]:
    """A simulator answering on a fresh pty pair: yields (host port path, simulator)."""
    import serial

    with pty_pair() as (host, device_path):
        device = serial.Serial(device_path, kwargs.get("baud", 115200), timeout=0.02)
        sim = ReaderSimulator(device, card, scenario, **kwargs)
        sim.start()
        try:
            yield host, sim
        finally:
            sim.stop()
            sim.join(timeout=2)
            device.close()
