"""ID_NUMBER: the GB 11643-1999 resident ID, 18 characters with a MOD 11-2 check character."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds.digits import DigitsKind
from kiosk.dialogue.kinds.phone import digits_only
from kiosk.dialogue.refusal import Invalid
from kiosk.privacy import mask_id

# GB 11643-1999 / GB/T 2260: first two digits are the province (incl. 71 Taiwan, 81/82 HK/Macau).
PROVINCE_CODES = frozenset(
    [11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
     50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82]
)
_ID_WEIGHTS = [pow(2, 17 - i, 11) for i in range(17)]
_ID_CHECK = "10X98765432"
EARLIEST_BIRTH = dt.date(1900, 1, 1)
SAMPLE = "11010519491231002X"      # the GB 11643 worked example, not a person


def id_check_digit(first17: str) -> str:
    """GB 11643-1999 check character (ISO 7064 MOD 11-2) for 17 digits: '0'-'9' or 'X'."""
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return _ID_CHECK[sum(int(d) * wt for d, wt in zip(first17, _ID_WEIGHTS, strict=False)) % 11]


def birth_date_of(idn: str) -> str:
    """The ISO birth date inside a checked ID number."""
    return f"{idn[6:10]}-{idn[10:12]}-{idn[12:14]}"


class IdNumberKind(DigitsKind):
    """18-character resident ID."""

    type: ClassVar[FieldType] = FieldType.ID_NUMBER
    unclear_key: ClassVar[str] = "answer.unclear_id"
    length: ClassVar[int] = 18
    group_sizes: ClassVar[tuple[int, ...]] = (6, 8, 4)   # region, birth date, sequence + check

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        idn = digits_only(value)
        if idn is None or not idn:
            raise Invalid("answer.id_empty")
        if not idn.isascii() or not re.fullmatch(r"[0-9X]*", idn):
            raise Invalid("answer.id_characters")
        if len(idn) != 18:
            raise Invalid("answer.id_length", count=len(idn))
        if not idn[:17].isdigit():
            raise Invalid("answer.id_x_only_last")
        if int(idn[:2]) not in PROVINCE_CODES:
            raise Invalid("answer.id_region")
        try:
            born = dt.date(int(idn[6:10]), int(idn[10:12]), int(idn[12:14]))
        except ValueError:
            raise Invalid("answer.id_birth_date") from None
        if born > today:
            raise Invalid("answer.birth_in_future")
        if born < EARLIEST_BIRTH:
            raise Invalid("answer.id_birth_date")
        if id_check_digit(idn[:17]) != idn[17]:
            raise Invalid("answer.id_check_digit")
        return idn

    def could_begin(self, digits: str) -> bool:
        return len(digits) < 2 or (digits[:2].isdigit() and int(digits[:2]) in PROVINCE_CODES)

    def mask(self, value: Any, field: FieldSpec) -> str:
        return mask_id(value)

    def grammar(self, field: FieldSpec, site: SiteSpec | None = None) -> list[str]:
        return list(w.DIGIT_WORDS)      # with 叉 / 艾克斯 for the check character

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        from kiosk.dialogue.kinds.base import read_digits
        return read_digits(SAMPLE)


KIND = IdNumberKind()
