"""How answers are shown on screen and read back by TTS (each kind says how; see kinds/).

`display()` is the screen text ("138 1234 5678", "3号楼2单元1203室"); `spoken()` is what the
speaker says when confirming: numbers digit by digit in groups, dates and amounts in Chinese
words, and on a public speaker only the last four digits of an ID or phone number.
"""
from __future__ import annotations

from typing import Any

from kiosk.catalogue.spec import FieldSpec
from kiosk.dialogue.kinds import kind_of
from kiosk.dialogue.kinds.id_number import IdNumberKind
from kiosk.dialogue.kinds.phone import PhoneKind

PHONE_GROUPS = PhoneKind.group_sizes
ID_GROUPS = IdNumberKind.group_sizes


def display(field: FieldSpec, value: Any) -> str:
    """Screen text for an answer ('' when there is none)."""
    return kind_of(field.type).display(value, field)


def spoken(field: FieldSpec, value: Any, private_audio: bool = True) -> str:
    """Text for TTS; with private_audio False, personal numbers say only 尾号XXXX."""
    return kind_of(field.type).spoken(value, field, private_audio)
