"""Masking of personal data for anything shown or printed outside the encrypted store.

Used by the receipt printer, the staff audit log and the UI. Masks keep just enough for a
resident to recognise their own record (张*明, 110105********1234, 138****5678, 3号楼) and
never enough to identify someone else. Every helper accepts any value and never raises, so a
malformed answer can never leak through an exception message.
"""
from __future__ import annotations

import re
from typing import Any

STAR = "*"

_BUILDING = re.compile(r"^\s*(.*?号楼|.*?栋|.*?幢|.*?座)")


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def mask_name(value: Any) -> str:
    """'张小明' -> '张*明'; '张三' -> '张*'; '欧阳小明' -> '欧**明'."""
    name = _text(value)
    if not name:
        return ""
    if len(name) == 1:
        return STAR
    if len(name) == 2:
        return name[0] + STAR
    return name[0] + STAR * (len(name) - 2) + name[-1]


def mask_id(value: Any) -> str:
    """An 18-character ID as first 6 + '********' + last 4; anything too short is all stars."""
    ident = re.sub(r"\s", "", _text(value))
    if len(ident) < 12:
        return STAR * len(ident)
    return ident[:6] + STAR * 8 + ident[-4:]


def mask_phone(value: Any) -> str:
    """'13812345678' -> '138****5678'; short numbers keep only their last 2 digits."""
    phone = re.sub(r"[\s-]", "", _text(value))
    if len(phone) >= 11:
        return phone[:3] + STAR * 4 + phone[-4:]
    if len(phone) <= 2:
        return STAR * len(phone)
    return STAR * (len(phone) - 2) + phone[-2:]


def mask_address(value: Any) -> str:
    """Keep only the building ('3号楼2单元1201室' -> '3号楼'); unit and room are dropped."""
    if isinstance(value, dict):
        return _text(value.get("building"))
    address = _text(value)
    m = _BUILDING.match(address)
    return m.group(1).strip() if m else ""
