"""Which fields of a form an ID card can fill, and with what: no Kivy, no I/O.

A card belongs to one person. On a family-helper application (代办) the elder's card fills the
elder's fields only and the helper's card fills the helper's fields only (`prelude.HELPER_FIELDS`);
the kiosk says whose card it expects (`owner_for`). Only fields the form asks for are taken
from the card (`values_for`): ethnicity, issuing authority and the photo are never kept unless a
form has a field for them. A field matches a card item by its `reuse` key or id and its type.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from kiosk.catalogue.spec import FieldSpec, FieldType
from kiosk.dialogue import prelude
from kiosk.idcard.card import IdCard

RESIDENT, HELPER = "resident", "helper"

# card item -> the field types that can hold it
ITEM_TYPES: dict[str, tuple[FieldType, ...]] = {
    "name": (FieldType.NAME,),
    "id_number": (FieldType.ID_NUMBER,),
    "birth_date": (FieldType.DATE,),
    "address": (FieldType.ADDRESS,),
    "sex": (FieldType.CHOICE,),
    "ethnicity": (FieldType.TEXT, FieldType.CHOICE),
    "authority": (FieldType.TEXT,),
}
# GB 3304 ethnicity codes 01-56, in code order.
ETHNICITIES = (
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 拉祜 水 东乡 纳西 景颇 "
    "柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 "
    "塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺"
).split()
_ADDRESS = re.compile(r"(\d+)\s*(?:号楼|幢|栋|号)\s*(\d+)\s*单元\s*(\d{3,4})\s*(?:室|号|房)?")


def owner_of(field: FieldSpec) -> str:
    """Whose card may fill this field."""
    return HELPER if field.id in prelude.HELPER_FIELDS or field.id.startswith("helper_") else RESIDENT


def card_item(field: FieldSpec) -> str | None:
    """The card item this field holds, or None ('helper_name' holds the helper card's 'name')."""
    for key in (field.reuse, field.id):
        if not key:
            continue
        item = key.removeprefix("helper_")
        if item in ITEM_TYPES and field.type in ITEM_TYPES[item]:
            return item
    return None


def card_fields(fields: list[FieldSpec], owner: str) -> list[FieldSpec]:
    """The fields one owner's card can fill, in form order."""
    return [f for f in fields if owner_of(f) == owner and card_item(f) is not None]


def offers_reader(fields: list[FieldSpec], field: FieldSpec) -> str | None:
    """Whose card to offer when `field` is asked: the resident's on forms that ask for the ID
    number, the helper's on their own fields; None when a card cannot answer this question."""
    if card_item(field) is None:
        return None
    if not any(f.type is FieldType.ID_NUMBER for f in card_fields(fields, RESIDENT)):
        return None
    return owner_of(field)


def address_parts(address: str) -> dict[str, str] | None:
    """'…幸福里5号楼2单元301室' -> {'building': '5号楼', 'unit': '2单元', 'room': '301'}."""
    found = _ADDRESS.findall(address)
    if not found:
        return None
    building, unit, room = found[-1]
    return {"building": f"{int(building)}号楼", "unit": f"{int(unit)}单元", "room": room}


def _choice_for(field: FieldSpec, wanted: tuple[str, ...]) -> str | None:
    for c in field.choices:
        if c.value.lower() in wanted or c.label in wanted or any(a in wanted for a in c.aliases):
            return c.value
    return None


def item_value(card: IdCard, item: str, field: FieldSpec) -> Any | None:
    """The card's value for `item` in the shape `field` takes (None when it has no such shape)."""
    if item == "name":
        return card.name
    if item == "id_number":
        return card.id_number
    if item == "birth_date":
        return card.birth_date.isoformat()
    if item == "address":
        return address_parts(card.address)
    if item == "sex":
        words = ("male", "m", "男", "男性") if card.sex == "male" else ("female", "f", "女", "女性")
        return _choice_for(field, words)
    if item == "ethnicity":
        code = int(card.ethnicity) if card.ethnicity.isdigit() else 0
        name = ETHNICITIES[code - 1] + "族" if 1 <= code <= len(ETHNICITIES) else ""
        if not name:
            return None
        return name if field.type is FieldType.TEXT else _choice_for(field, (name, name[:-1]))
    if item == "authority":
        return card.authority
    return None


def values_for(card: IdCard, fields: list[FieldSpec], owner: str) -> dict[str, Any]:
    """{field id: value} for every field of `owner` this card can fill (nothing else is kept)."""
    out: dict[str, Any] = {}
    for f in card_fields(fields, owner):
        item = card_item(f)
        value = item_value(card, item, f) if item else None
        if value is not None:
            out[f.id] = value
    return out


def age_on(card: IdCard, day: dt.date) -> int:
    """Whole years of age on `day`."""
    b = card.birth_date
    return day.year - b.year - ((day.month, day.day) < (b.month, b.day))
