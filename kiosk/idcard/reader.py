"""Reading a card: the `CardReader` interface, its GA 467 serial implementation, and the factory.

A read is find (polled until a card is on the reader or the wait ends) -> select -> read text
and photo. The photo bytes are dropped as soon as the frame is decoded. Every failure is a
`ReadFailed` whose `code` names a wording `idcard.fail.<code>` in voices/text/idcard.yaml; the
log only ever sees the code, never what the card holds.
"""
from __future__ import annotations

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

from kiosk.errors import KioskError
from kiosk.idcard import frames
from kiosk.idcard.card import PHOTO_LEN, TEXT_LEN, CardRefused, IdCard, parse_text
from kiosk.idcard.frames import Answer, FrameError

log = logging.getLogger(__name__)

WAIT_S = 15.0            # how long the kiosk waits for a card to be placed
POLL_S = 0.25            # between two "find card" commands
COMMAND_TIMEOUT_S = 1.0  # a reader answers a short command well within this
READ_TIMEOUT_S = 3.0     # text + photo: ~1.3 KB plus the card's own radio time
FAIL_CODES = ("no_card", "removed", "unreadable", "check_digit", "mismatch", "expired",
              "sam_fault", "no_reader", "cancelled")


class ReadFailed(KioskError):
    """A read that gave no usable card; `code` is one of FAIL_CODES."""

    def __init__(self, code: str, detail: str = ""):
        super().__init__(f"{code}: {detail}" if detail else code)
        self.code = code


@dataclass(frozen=True)
class SamInfo:
    """The reader's security module: is it working, and its printed id (not personal)."""

    ok: bool
    code: str = ""          # a FAIL_CODES entry when not ok
    sam_id: str = ""


class CardReader(Protocol):
    """What the kiosk needs from any reader."""

    description: str

    def sam(self) -> SamInfo:
        """The security module's status and id."""
        ...

    def read_card(self, wait_s: float = WAIT_S, *, cancel: threading.Event | None = None,
                  today: dt.date | None = None) -> IdCard:
        """Wait for a card and read it; raises ReadFailed."""
        ...

    def close(self) -> None:
        """Release the port."""
        ...


def format_sam_id(data: bytes) -> str:
    """The SAM id as readers print it: 05.01-20101010-0012345678-1234567890."""
    if len(data) < 16:
        raise ReadFailed("sam_fault", "short SAM id")
    a = int.from_bytes(data[0:2], "little")
    b = int.from_bytes(data[2:4], "little")
    c = int.from_bytes(data[4:8], "little")
    d = int.from_bytes(data[8:12], "little")
    e = int.from_bytes(data[12:16], "little")
    return f"{a:02d}.{b:02d}-{c:08d}-{d:010d}-{e:010d}"


def split_read(data: bytes) -> tuple[bytes, int]:
    """(text block, photo length) from a 0x30 0x01 answer; the photo bytes are not kept."""
    if len(data) < 4:
        raise ReadFailed("unreadable", "answer too short")
    text_len = int.from_bytes(data[0:2], "big")
    photo_len = int.from_bytes(data[2:4], "big")
    if text_len != TEXT_LEN or photo_len > PHOTO_LEN or len(data) != 4 + text_len + photo_len:
        raise ReadFailed("unreadable", "block lengths do not add up")
    return data[4:4 + text_len], photo_len


class Ga467Reader:
    """A GA 467 reader on a serial port (USB-serial or RS-232), 115200 8N1 by default."""

    def __init__(self, port: str, baud: int = 115200, *, clock: Callable[[], float] = time.monotonic,
                 sleep: Callable[[float], None] = time.sleep, serial_factory: Callable[..., Any] | None = None,
                 command_timeout_s: float = COMMAND_TIMEOUT_S, read_timeout_s: float = READ_TIMEOUT_S):
        self.port_name = port
        self.baud = baud
        self.description = f"GA 467 {port} {baud}"
        self.clock = clock          # the card wait (tests inject one); frame timeouts use real time
        self.sleep = sleep
        self.command_timeout_s = command_timeout_s
        self.read_timeout_s = read_timeout_s
        self._factory = serial_factory
        self._port: Any = None
        self._lock = threading.Lock()

    # ----------------------------------------------------------------- port
    def _open(self) -> Any:
        if self._port is None:
            try:
                if self._factory is None:
                    import serial

                    self._factory = serial.Serial
                self._port = self._factory(self.port_name, self.baud, timeout=0.02, write_timeout=1.0)
            except Exception as err:   # SerialException, OSError: unplugged, no permission
                raise ReadFailed("no_reader", type(err).__name__) from err
        return self._port

    def close(self) -> None:
        """Release the port (opened again on the next command)."""
        with self._lock:
            if self._port is not None:
                try:
                    self._port.close()
                finally:
                    self._port = None

    def command(self, command: tuple[int, int], timeout: float | None = None) -> Answer:
        """Send one command and return the decoded answer; FrameError / ReadFailed on failure."""
        with self._lock:
            port = self._open()
            try:
                port.reset_input_buffer()
                port.write(frames.encode_command(command))
                port.flush()
                raw = frames.read_frame(port.read, time.monotonic() + (timeout or self.command_timeout_s))
            except FrameError:
                raise
            except Exception as err:    # the port vanished mid-command
                self._port = None
                raise ReadFailed("no_reader", type(err).__name__) from err
            return frames.decode_answer(raw)

    # ----------------------------------------------------------------- SAM
    def sam(self) -> SamInfo:
        """SAM status (0x11) and id (0x12)."""
        try:
            status = self.command(frames.SAM_STATUS)
            if status.sw3 != frames.SW3_OK:
                return SamInfo(False, "sam_fault")
            ident = self.command(frames.SAM_ID)
            if ident.sw3 != frames.SW3_OK:
                return SamInfo(False, "sam_fault")
            return SamInfo(True, "", format_sam_id(ident.data))
        except FrameError as err:
            return SamInfo(False, "no_reader" if err.code == "no_answer" else "unreadable")
        except ReadFailed as err:
            return SamInfo(False, err.code)

    # ----------------------------------------------------------------- card
    def read_card(self, wait_s: float = WAIT_S, *, cancel: threading.Event | None = None,
                  today: dt.date | None = None) -> IdCard:
        """Find, select and read a card placed within `wait_s`; ReadFailed otherwise."""
        self._find(wait_s, cancel)
        self._select()
        text = self._read()
        try:
            return parse_text(text, today)
        except CardRefused as err:
            log.info("card refused: %s", err.code)
            raise ReadFailed(err.code) from None

    def _find(self, wait_s: float, cancel: threading.Event | None) -> None:
        deadline = self.clock() + wait_s
        while True:
            if cancel is not None and cancel.is_set():
                raise ReadFailed("cancelled")
            try:
                answer = self.command(frames.FIND_CARD)
            except FrameError as err:
                raise ReadFailed("no_reader" if err.code == "no_answer" else "unreadable", err.code) from None
            if answer.sw3 == frames.SW3_FOUND:
                return
            if answer.sw3 in frames.SAM_FAULTS:
                raise ReadFailed("sam_fault", f"SW3 {answer.sw3:02X}")
            if answer.sw3 != frames.SW3_NO_CARD:
                raise ReadFailed("unreadable", f"SW3 {answer.sw3:02X}")
            if self.clock() >= deadline:
                raise ReadFailed("no_card")
            self.sleep(POLL_S)

    def _select(self) -> None:
        try:
            answer = self.command(frames.SELECT_CARD)
        except FrameError as err:
            raise ReadFailed("removed" if err.code == "no_answer" else "unreadable", err.code) from None
        if answer.sw3 == frames.SW3_OK:
            return
        if answer.sw3 in (frames.SW3_SELECT_FAILED, frames.SW3_NO_CARD):
            raise ReadFailed("removed", f"SW3 {answer.sw3:02X}")
        if answer.sw3 in frames.SAM_FAULTS:
            raise ReadFailed("sam_fault", f"SW3 {answer.sw3:02X}")
        raise ReadFailed("unreadable", f"SW3 {answer.sw3:02X}")

    def _read(self) -> bytes:
        try:
            answer = self.command(frames.READ_TEXT_PHOTO, self.read_timeout_s)
        except FrameError as err:
            raise ReadFailed("removed" if err.code == "no_answer" else "unreadable", err.code) from None
        if answer.sw3 == frames.SW3_READ_FAILED:
            raise ReadFailed("removed", "SW3 41")
        if answer.sw3 in frames.SAM_FAULTS:
            raise ReadFailed("sam_fault", f"SW3 {answer.sw3:02X}")
        if answer.sw3 != frames.SW3_OK:
            raise ReadFailed("unreadable", f"SW3 {answer.sw3:02X}")
        text, _photo_len = split_read(answer.data)   # the photo is read past, never kept
        return text


def make_reader(settings: Any) -> CardReader | None:
    """The reader named by `[idcard] type`, or None when the kiosk has none."""
    conf = settings.idcard
    if conf.type == "none":
        return None
    if conf.type == "twin":
        from kiosk.idcard.twin import TwinReader

        return TwinReader(delay_s=conf.twin_delay_s)
    return Ga467Reader(conf.port, conf.baud)
