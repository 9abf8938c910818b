"""Checking answers: one rule set for touch and speech, kind Mandarin when an answer is refused.

`validate(field, value, site)` takes the structured value a screen or `understand()` produced
and returns it normalised, or raises `Invalid` whose key names a wording in
voices/text/answers.yaml (the resident hears `Invalid.message()`). The rules of each field type
live in its kind module (kiosk.dialogue.kinds).
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from kiosk.catalogue.spec import FieldSpec, SiteSpec
from kiosk.dialogue.kinds import kind_of
from kiosk.dialogue.kinds.date import date_words
from kiosk.dialogue.kinds.id_number import EARLIEST_BIRTH, PROVINCE_CODES, id_check_digit
from kiosk.dialogue.kinds.name import MIDDLE_DOT
from kiosk.dialogue.refusal import Invalid

__all__ = ["EARLIEST_BIRTH", "MIDDLE_DOT", "PROVINCE_CODES", "Invalid", "date_words",
           "id_check_digit", "validate"]


def validate(field: FieldSpec, value: Any, site: SiteSpec, today: dt.date | None = None) -> Any:
    """Check a structured answer (from touch or from understand()) and return it normalised, or raise Invalid."""
    return kind_of(field.type).validate(field, value, site, today or dt.date.today())
