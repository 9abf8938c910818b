"""Plausible spoken answers for any field, shaped exactly as vosk returns them.

Used by `kiosk bench` to run every form end to end, and by tests that script whole sessions.
The values are fictional (a made-up resident), never real people's data.
"""
from __future__ import annotations

import datetime as dt

import cn2an

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec, resolve_date_bound

_DIGIT = dict(zip("0123456789", "零一二三四五六七八九"))
SAMPLE_ID = "11010519491231002X"      # the GB 11643 worked example, not a person
SAMPLE_PHONE = "13812345678"
SAMPLE_NAME = "张 秀 英"


def spell_digits(digits: str) -> str:
    """'138' -> '一 三 八'; X -> 叉."""
    return " ".join(_DIGIT.get(d, "叉") for d in digits)


def spell_date(d: dt.date) -> str:
    """A date as vosk would give it: '一九四九 年 十二月 三十一 号'."""
    year = "".join(_DIGIT[c] for c in str(d.year))
    return f"{year} 年 {cn2an.an2cn(d.month)} 月 {cn2an.an2cn(d.day)} 号"


def sample_transcript(field: FieldSpec, site: SiteSpec, today: dt.date | None = None) -> str:
    """One valid answer to `field`, as a vosk transcript."""
    t = field.type
    if t in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        return field.choices[0].label
    if t in (FieldType.YES_NO, FieldType.CONSENT):
        return "同意" if t is FieldType.CONSENT else "是"
    if t is FieldType.INTEGER:
        return " ".join(cn2an.an2cn(max(field.min, min(field.max, 80))))
    if t is FieldType.PHONE:
        return spell_digits(SAMPLE_PHONE)
    if t is FieldType.ID_NUMBER:
        return spell_digits(SAMPLE_ID)
    if t is FieldType.DATE:
        low = resolve_date_bound(field.min_date or "1900-01-01", today)
        high = resolve_date_bound(field.max_date or "today+3650d", today)
        pick = dt.date(1949, 12, 31)
        if not low <= pick <= high:
            pick = low + (high - low) // 2
        return spell_date(pick)
    if t is FieldType.NAME:
        return SAMPLE_NAME
    if t is FieldType.ADDRESS:
        room = f"{min(3, site.floors)}0{min(2, site.rooms_per_floor)}"
        return f"{site.buildings[0]} {site.units[0]} {spell_digits(room)}"
    return "楼道 的 灯 坏 了"
