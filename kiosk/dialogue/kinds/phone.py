"""PHONE: a mainland mobile number, 11 digits starting 13-19."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue.kinds.digits import DigitsKind
from kiosk.dialogue.refusal import Invalid
from kiosk.privacy import mask_phone

SAMPLE = "13812345678"


def digits_only(value: Any) -> str | None:
    """A typed or spoken number without spaces and dashes, upper-cased; None when not text."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return None
    return re.sub(r"[\s\-]", "", value).upper()


class PhoneKind(DigitsKind):
    """11-digit mobile."""

    type: ClassVar[FieldType] = FieldType.PHONE
    unclear_key: ClassVar[str] = "answer.unclear_phone"
    length: ClassVar[int] = 11
    group_sizes: ClassVar[tuple[int, ...]] = (3, 4, 4)

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        phone = digits_only(value)
        if phone is None or not phone:
            raise Invalid("answer.phone_empty")
        if not phone.isascii() or not phone.isdigit():
            raise Invalid("answer.phone_digits")
        if len(phone) != 11:
            raise Invalid("answer.phone_length", count=len(phone))
        if phone[0] != "1" or phone[1] not in "3456789":
            raise Invalid("answer.phone_not_mobile")
        return phone

    def could_begin(self, digits: str) -> bool:
        return digits[:1] == "1" and (len(digits) < 2 or digits[1] in "3456789")

    def mask(self, value: Any, field: FieldSpec) -> str:
        return mask_phone(value)

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        from kiosk.dialogue.kinds.base import read_digits
        return read_digits(SAMPLE)


KIND = PhoneKind()
