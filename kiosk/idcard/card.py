"""The text block of a resident ID card: 256 bytes of UCS-2 (UTF-16LE) in fixed-width fields.

Layout (bytes): name 30, sex 2, ethnicity 4, birth date 16, address 70, ID number 36,
issuing authority 30, validity start 16, validity end 16, reserved 36. Fields are padded with
spaces. A card is accepted only when it agrees with itself: the ID number passes the kiosk's
GB 11643 check (region, date, check digit), the printed birth date is the one inside the ID
number, the sex code matches the ID's sequence digit, and the validity dates make sense. The
photo block that follows the text on the wire never reaches this module.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue.validate import Invalid, validate
from kiosk.errors import KioskError

TEXT_LEN = 256
PHOTO_LEN = 1024
LAYOUT: tuple[tuple[str, int], ...] = (
    ("name", 30), ("sex", 2), ("ethnicity", 4), ("birth", 16), ("address", 70),
    ("id_number", 36), ("authority", 30), ("valid_from", 16), ("valid_until", 16), ("reserved", 36),
)
LONG_TERM = "长期"
SEX_CODES = {"1": "male", "2": "female"}

_ID_FIELD = FieldSpec(id="id_number", type=FieldType.ID_NUMBER, label="id", prompt="id number")


class CardRefused(KioskError):
    """The card's text cannot be trusted; `code` names why (never the card's content)."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class IdCard:
    """What the kiosk may use from one card. `repr` shows masked values only."""

    name: str
    sex: str                        # "male" | "female"
    ethnicity: str                  # GB 3304 two-digit code, e.g. "01" (汉)
    birth_date: dt.date
    address: str
    id_number: str
    authority: str
    valid_from: dt.date
    valid_until: dt.date | None     # None: 长期 (valid for life)

    @property
    def tail(self) -> str:
        """The last four characters of the ID number (what the kiosk says aloud)."""
        return self.id_number[-4:]

    def masked(self) -> dict[str, str]:
        """Every field masked for printing in a terminal or a log-free status line."""
        until = LONG_TERM if self.valid_until is None else self.valid_until.isoformat()
        return {
            "name": mask_name(self.name),
            "sex": self.sex,
            "birth_date": f"{self.birth_date.year}-**-**",
            "address": self.address[:3] + "*" * max(0, len(self.address) - 3),
            "id_number": self.id_number[:3] + "*" * 11 + self.tail,
            "valid": f"{self.valid_from.year}…{until[:4]}",
        }

    def __repr__(self) -> str:
        return "IdCard(…)"   # nothing from the card, not even masked, in a repr

    __str__ = __repr__


def mask_name(name: str) -> str:
    """'张三丰' -> '张**'."""
    return name[:1] + "*" * max(0, len(name) - 1)


def _date(text: str, code: str) -> dt.date:
    if len(text) != 8 or not text.isascii() or not text.isdigit():
        raise CardRefused(code)
    try:
        return dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise CardRefused(code) from None


def split_text(block: bytes) -> dict[str, str]:
    """The raw fields of a text block, spaces and NULs stripped; CardRefused when not UCS-2."""
    if len(block) != TEXT_LEN:
        raise CardRefused("unreadable")
    out: dict[str, str] = {}
    pos = 0
    for name, width in LAYOUT:
        raw = block[pos:pos + width]
        pos += width
        try:
            text = raw.decode("utf-16-le")
        except UnicodeDecodeError:
            raise CardRefused("unreadable") from None
        out[name] = text.replace("\x00", " ").strip()
    return out


def parse_text(block: bytes, today: dt.date | None = None) -> IdCard:
    """Check and parse a 256-byte text block; CardRefused(code) when the card does not agree."""
    today = today or dt.date.today()
    raw = split_text(block)
    if not raw["name"] or not raw["address"] or any(not ch.isprintable() for ch in raw["name"] + raw["address"]):
        raise CardRefused("unreadable")
    try:
        id_number = validate(_ID_FIELD, raw["id_number"], SiteSpec(), today)
    except Invalid as problem:
        raise CardRefused("check_digit" if problem.key == "answer.id_check_digit" else "mismatch") from None
    birth = _date(raw["birth"], "mismatch")
    if birth.strftime("%Y%m%d") != id_number[6:14]:
        raise CardRefused("mismatch")
    sex = SEX_CODES.get(raw["sex"])
    if sex is None or (sex == "male") != (int(id_number[16]) % 2 == 1):
        raise CardRefused("mismatch")
    valid_from = _date(raw["valid_from"], "mismatch")
    valid_until = None if raw["valid_until"] == LONG_TERM else _date(raw["valid_until"], "mismatch")
    if valid_from < birth or valid_from > today or (valid_until is not None and valid_until <= valid_from):
        raise CardRefused("mismatch")
    if valid_until is not None and valid_until < today:
        raise CardRefused("expired")
    return IdCard(name=raw["name"], sex=sex, ethnicity=raw["ethnicity"], birth_date=birth,
                  address=raw["address"], id_number=id_number, authority=raw["authority"],
                  valid_from=valid_from, valid_until=valid_until)


def encode_text(fields: dict[str, str]) -> bytes:
    """A 256-byte text block from raw field strings (the simulator's cards; no checks)."""
    out = bytearray()
    for name, width in LAYOUT:
        data = fields.get(name, "").encode("utf-16-le")[:width]
        out += data + " ".encode("utf-16-le") * ((width - len(data)) // 2)
    return bytes(out)


def card_fields(card: IdCard) -> dict[str, str]:
    """The raw field strings of a parsed card (inverse of parse_text, for twins and tests)."""
    code = {v: k for k, v in SEX_CODES.items()}[card.sex]
    return {
        "name": card.name, "sex": code, "ethnicity": card.ethnicity,
        "birth": card.birth_date.strftime("%Y%m%d"), "address": card.address,
        "id_number": card.id_number, "authority": card.authority,
        "valid_from": card.valid_from.strftime("%Y%m%d"),
        "valid_until": LONG_TERM if card.valid_until is None else card.valid_until.strftime("%Y%m%d"),
    }
