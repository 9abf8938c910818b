"""How answers are shown on screen and read back by TTS.

`display()` is the screen and receipt text ("138 1234 5678", "3号楼2单元1203室");
`spoken()` is what the speaker says when confirming: numbers digit by digit in groups,
dates and amounts in Chinese words, so espeak-ng reads them the way residents say them.
"""
from __future__ import annotations

import datetime as dt

from kiosk.catalogue.spec import FieldSpec, FieldType
from kiosk.voices import say

PHONE_GROUPS = (3, 4, 4)
ID_GROUPS = (6, 8, 4)  # region, birth date, sequence + check
_CHINESE_DIGITS = "零一二三四五六七八九"


def display(field: FieldSpec, value) -> str:
    """Screen text for an answer ('' when there is none)."""
    if value is None:
        return ""
    t = field.type
    if t is FieldType.CHOICE:
        return _label(field, value)
    if t is FieldType.MULTI_CHOICE:
        return "、".join(_label(field, v) for v in _in_choice_order(field, value))
    if t is FieldType.YES_NO:
        return say("answer.show_yes") if value else say("answer.show_no")
    if t is FieldType.CONSENT:
        return say("answer.show_consent") if value is True else say("answer.show_no")
    if t is FieldType.INTEGER:
        return f"{value}{field.unit}"
    if t is FieldType.PHONE:
        return " ".join(_groups(str(value), PHONE_GROUPS))
    if t is FieldType.ID_NUMBER:
        return " ".join(_groups(str(value), ID_GROUPS))
    if t is FieldType.DATE:
        d = _as_date(value)
        return say("answer.show_date", year=d.year, month=d.month, day=d.day)
    if t is FieldType.ADDRESS:
        return say("answer.show_address", **_address_parts(value))
    return str(value)


def spoken(field: FieldSpec, value) -> str:
    """Text for TTS: digits one by one in groups, dates and numbers in Chinese words."""
    import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
    if value is None:
        return ""
    t = field.type
    if t is FieldType.PHONE:
        return _read_groups(str(value), PHONE_GROUPS)
    if t is FieldType.ID_NUMBER:
        return _read_groups(str(value), ID_GROUPS)
    if t is FieldType.INTEGER:
        return f"{cn2an.an2cn(int(value))}{field.unit}"
    if t is FieldType.DATE:
        d = _as_date(value)
        year = "".join(_CHINESE_DIGITS[int(c)] for c in f"{d.year:04d}")  # 一九五零, not 一千九百五十
        return say("answer.show_date", year=year, month=cn2an.an2cn(d.month), day=cn2an.an2cn(d.day))
    if t is FieldType.ADDRESS:
        parts = _address_parts(value)
        room = "".join(_CHINESE_DIGITS[int(c)] if c.isdigit() else c for c in parts["room"])
        return say("answer.show_address", building=_words(parts["building"]),
                   unit=_words(parts["unit"]), room=room)
    return display(field, value)


def _label(field: FieldSpec, value: str) -> str:
    for c in field.choices:
        if c.value == value:
            return c.label
    return str(value)


def _in_choice_order(field: FieldSpec, values) -> list[str]:
    values = [values] if isinstance(values, str) else list(values)
    known = [c.value for c in field.choices]
    ordered = [v for v in known if v in values]
    return ordered + [v for v in dict.fromkeys(values) if v not in known]


def _groups(text: str, sizes: tuple[int, ...]) -> list[str]:
    """Split into groups of the given sizes; anything left over forms a last group."""
    out, i = [], 0
    for size in sizes:
        if i >= len(text):
            break
        out.append(text[i:i + size])
        i += size
    if i < len(text):
        out.append(text[i:])
    return out


def _read_groups(text: str, sizes: tuple[int, ...]) -> str:
    x = say("answer.show_x")
    return "，".join(" ".join(x if c in "Xx" else c for c in g) for g in _groups(text, sizes))


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _address_parts(value: dict) -> dict[str, str]:
    return {k: str(value.get(k, "")) for k in ("building", "unit", "room")}


def _words(text: str) -> str:
    """'12号楼' -> '十二号楼' so TTS says the number as people do."""
    import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
    return cn2an.transform(text, "an2cn")
