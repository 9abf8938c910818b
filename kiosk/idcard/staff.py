"""Assisted mode: staff fill a case's fields from the resident's ID card, like their own edits.

Each value goes through `DraftCase.set` (validated and audited as a staff edit, masked in the
audit log); a value the form refuses is left for staff to enter and named in the result, never
forced in. Only the fields the form asks for are taken from the card.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kiosk.idcard import fill
from kiosk.idcard.card import IdCard
from kiosk.staff.errors import StaffError


@dataclass
class CaseFill:
    """What a card put into a case: field ids filled, and {field id: why not} for the rest."""

    filled: list[str] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


def fill_case(case: Any, card: IdCard, owner: str = fill.RESIDENT) -> CaseFill:
    """Set every field of `owner` the card holds on a staff `DraftCase`."""
    out = CaseFill()
    for field_id, value in fill.values_for(card, case.fields, owner).items():
        if not case.applies(case.field(field_id)):
            continue
        try:
            case.set(field_id, value)      # no reason given: a refused value is never overridden
        except StaffError as err:
            out.refused[field_id] = err.message()
            continue
        out.filled.append(field_id)
    return out
