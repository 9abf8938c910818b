"""GA 467 frames: what the host sends and what the reader answers.

Host -> reader:  AA AA AA 96 69 | LEN1 LEN2 | CMD PARA | DATA | CHK
Reader -> host:  AA AA AA 96 69 | LEN1 LEN2 | SW1 SW2 SW3 | DATA | CHK
LEN (big-endian) counts everything after itself, checksum included; CHK is the XOR of the
length bytes and everything after them. SW1 SW2 relay the card's APDU status, SW3 is the
reader's own status (0x90 done, 0x9F card found, 0x80 no card, ...).
"""
from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import reduce

from kiosk.errors import KioskError

PREAMBLE = b"\xaa\xaa\xaa\x96\x69"

# (CMD, PARA) of the commands this kiosk uses.
RESET_SAM = (0x10, 0xFF)
SAM_STATUS = (0x11, 0xFF)
SAM_ID = (0x12, 0xFF)
FIND_CARD = (0x20, 0x01)
SELECT_CARD = (0x20, 0x02)
READ_TEXT_PHOTO = (0x30, 0x01)

# SW3: the reader's status byte.
SW3_OK = 0x90
SW3_FOUND = 0x9F
SW3_NO_CARD = 0x80
SW3_SELECT_FAILED = 0x81
SW3_READ_FAILED = 0x41
SW3_BAD_CHECKSUM = 0x10
SW3_BAD_LENGTH = 0x11
SW3_BAD_COMMAND = 0x21
SW3_SELF_TEST_FAILED = 0x60
SW3_NOT_AUTHORISED = 0x66
SAM_FAULTS = frozenset({SW3_SELF_TEST_FAILED, SW3_NOT_AUTHORISED, 0x24, 0x47})
CARD_FAULTS = frozenset({0x31, 0x32, 0x33, 0x40, SW3_READ_FAILED, SW3_SELECT_FAILED})

MIN_ANSWER_LEN = 4           # SW1 SW2 SW3 CHK
MAX_ANSWER_LEN = 0x0600      # text + photo answer is 0x0508; anything much bigger is not a reader
MAX_SKIP = 256               # bytes of noise tolerated before a preamble


class FrameError(KioskError):
    """A byte stream that is not a well-formed reader answer; `code` names the fault."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class Answer:
    """One decoded reader answer (no card data is ever put in its repr)."""

    sw1: int
    sw2: int
    sw3: int
    data: bytes

    def __repr__(self) -> str:
        return f"Answer(sw={self.sw1:02X}{self.sw2:02X}{self.sw3:02X}, {len(self.data)} bytes)"


def xor(data: bytes) -> int:
    """XOR of all bytes (the GA 467 checksum)."""
    return reduce(lambda a, b: a ^ b, data, 0)


def encode_command(command: tuple[int, int], data: bytes = b"") -> bytes:
    """A host -> reader frame."""
    body = bytes(command) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([xor(length + body)])


def encode_answer(sw3: int, data: bytes = b"", sw1: int = 0, sw2: int = 0) -> bytes:
    """A reader -> host frame (used by the simulator and tests)."""
    body = bytes([sw1, sw2, sw3]) + data
    length = (len(body) + 1).to_bytes(2, "big")
    return PREAMBLE + length + body + bytes([xor(length + body)])


def _checked(length_bytes: bytes, rest: bytes) -> bytes:
    if xor(length_bytes + rest[:-1]) != rest[-1]:
        raise FrameError("bad_checksum", "checksum does not match")
    return rest[:-1]


def decode_command(frame: bytes) -> tuple[tuple[int, int], bytes]:
    """Inverse of encode_command: ((cmd, para), data); raises FrameError."""
    if not frame.startswith(PREAMBLE) or len(frame) < len(PREAMBLE) + 5:
        raise FrameError("truncated", "command frame too short")
    length = int.from_bytes(frame[5:7], "big")
    if length != len(frame) - 7:
        raise FrameError("bad_length", "length does not match")
    body = _checked(frame[5:7], frame[7:])
    return (body[0], body[1]), body[2:]


def decode_answer(frame: bytes) -> Answer:
    """Inverse of encode_answer; raises FrameError."""
    if not frame.startswith(PREAMBLE) or len(frame) < len(PREAMBLE) + 2 + MIN_ANSWER_LEN:
        raise FrameError("truncated", "answer frame too short")
    length = int.from_bytes(frame[5:7], "big")
    if length != len(frame) - 7:
        raise FrameError("bad_length", "length does not match")
    body = _checked(frame[5:7], frame[7:])
    return Answer(body[0], body[1], body[2], bytes(body[3:]))


Read = Callable[[int], bytes]


def read_frame(read: Read, deadline: float, *, clock: Callable[[], float] = time.monotonic,
               min_len: int = MIN_ANSWER_LEN, max_len: int = MAX_ANSWER_LEN) -> bytes:
    """Read one whole frame from `read(n)` (a serial port's read with a short timeout).

    Noise before the preamble is skipped (up to MAX_SKIP bytes); a length outside
    [min_len, max_len], silence past `deadline` or a frame cut short raise FrameError.
    """
    window = b""
    skipped = 0
    while True:
        if clock() > deadline:
            raise FrameError("no_answer" if not window and not skipped else "truncated", "no preamble in time")
        byte = read(1)
        if not byte:
            continue
        window = (window + byte)[-len(PREAMBLE):]
        if window == PREAMBLE:
            break
        skipped += 1
        if skipped > MAX_SKIP:
            raise FrameError("garbage", "no preamble in the byte stream")
    head = _read_exact(read, 2, deadline, clock)
    length = int.from_bytes(head, "big")
    if not min_len <= length <= max_len:
        raise FrameError("bad_length", f"length {length} outside {min_len}..{max_len}")
    return PREAMBLE + head + _read_exact(read, length, deadline, clock)


def _read_exact(read: Read, n: int, deadline: float, clock: Callable[[], float]) -> bytes:
    out = bytearray()
    while len(out) < n:
        if clock() > deadline:
            raise FrameError("truncated", f"frame cut short ({len(out)} of {n} bytes)")
        out += read(n - len(out))
    return bytes(out)
