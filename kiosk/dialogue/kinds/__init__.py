"""The field-kind registry: everything about one field type lives in one module here.

    from kiosk.dialogue.kinds import kind_of
    kind = kind_of(field.type)
    kind.parse / validate / bounds / end_of_speech / display / spoken / mask / receipt_text /
    grammar / example / sample / touch_widget

A new field type touches: its kind module here (registered in KINDS below), the `FieldType`
enum in kiosk/catalogue/spec.py, and its touch widget in kiosk/ui/answers.py (BUILDERS, keyed by
`touch_widget`). tests/test_kinds.py fails if any part is missing.
"""
from __future__ import annotations

from kiosk.catalogue.spec import FieldType
from kiosk.dialogue.kinds import (
    address,
    choice,
    consent,
    date,
    id_number,
    integer,
    multi_choice,
    name,
    phone,
    text,
    yes_no,
)
from kiosk.dialogue.kinds.base import FieldKind

KINDS: dict[FieldType, FieldKind] = {
    k.type: k for k in (
        choice.KIND, multi_choice.KIND, yes_no.KIND, consent.KIND, integer.KIND, phone.KIND,
        id_number.KIND, date.KIND, name.KIND, address.KIND, text.KIND,
    )
}


def kind_of(field_type: FieldType | str) -> FieldKind:
    """The kind for a field type (its enum or its string value); KeyError for an unknown one."""
    return KINDS[FieldType(field_type)]


__all__ = ["KINDS", "FieldKind", "kind_of"]
