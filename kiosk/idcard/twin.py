"""An in-memory card reader for tests and the demo kiosk: scripted outcomes, no port.

Each `read_card` takes the next scripted outcome: an `IdCard` (read), or a failure code
(raised as `ReadFailed`). With nothing scripted it reads the demo card, a made-up resident
whose ID number passes GB 11643 and whose address is on the default site's lists.
"""
from __future__ import annotations

import datetime as dt
import threading
from collections import deque

from kiosk.dialogue.validate import id_check_digit
from kiosk.idcard.card import CardRefused, IdCard, card_fields, encode_text, parse_text
from kiosk.idcard.reader import WAIT_S, ReadFailed, SamInfo

DEMO_SAM_ID = "05.01-20260101-0000000001-0000000001"


def make_id(region: str, birth: dt.date, sequence: str) -> str:
    """A well-formed ID number: 6-digit region, birth date, 3-digit sequence, check digit."""
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + id_check_digit(first17)


def demo_card(name: str = "张秀英", birth: dt.date = dt.date(1955, 8, 10), sex: str = "female",
              address: str = "浙江省杭州市西湖区幸福里5号楼2单元301室",
              valid_until: dt.date | None = None) -> IdCard:
    """A made-up card (not a real person's): female seq 024, male seq 013."""
    sequence = "024" if sex == "female" else "013"
    return IdCard(name=name, sex=sex, ethnicity="01", birth_date=birth, address=address,
                  id_number=make_id("330106", birth, sequence), authority="杭州市公安局西湖分局",
                  valid_from=dt.date(2016, 3, 1), valid_until=valid_until)


class TwinReader:
    """A reader that answers from a script."""

    def __init__(self, outcomes: list[IdCard | str] | None = None, *, delay_s: float = 0.0,
                 sam: SamInfo | None = None):
        self.description = "twin"
        self.outcomes: deque[IdCard | str] = deque(outcomes or [])
        self.delay_s = delay_s
        self.sam_info = sam or SamInfo(True, "", DEMO_SAM_ID)
        self.reads = 0
        self.gate: threading.Event | None = None    # hold(): reads wait until release()

    def hold(self) -> None:
        """Make reads wait (the card is not on the reader yet) until `release()` or a cancel."""
        self.gate = threading.Event()

    def release(self) -> None:
        """The card is put down: waiting reads go on."""
        if self.gate is not None:
            self.gate.set()

    def script(self, *outcomes: IdCard | str) -> None:
        """Queue what the next reads return (a card, or a failure code)."""
        self.outcomes.extend(outcomes)

    def sam(self) -> SamInfo:
        """The scripted SAM state."""
        return self.sam_info

    def read_card(self, wait_s: float = WAIT_S, *, cancel: threading.Event | None = None,
                  today: dt.date | None = None) -> IdCard:
        """The next scripted outcome (the demo card when none is scripted)."""
        self.reads += 1
        if self.delay_s and cancel is not None and cancel.wait(self.delay_s):
            raise ReadFailed("cancelled")
        gate = self.gate
        while gate is not None and not gate.is_set():
            if cancel is not None and cancel.wait(0.02):
                raise ReadFailed("cancelled")
            gate.wait(0.02)
        if cancel is not None and cancel.is_set():
            raise ReadFailed("cancelled")
        if not self.sam_info.ok:
            raise ReadFailed(self.sam_info.code or "sam_fault")
        outcome = self.outcomes.popleft() if self.outcomes else demo_card()
        if isinstance(outcome, str):
            raise ReadFailed(outcome)
        try:   # the same checks as a card read off the wire
            return parse_text(encode_text(card_fields(outcome)), today)
        except CardRefused as err:
            raise ReadFailed(err.code) from None

    def close(self) -> None:
        """Nothing to release."""
