"""Plausible spoken answers for any field, shaped exactly as vosk returns them.

Used by `kiosk bench` to run every form end to end, and by tests that script whole sessions.
The values are fictional (a made-up resident), never real people's data.
"""
from __future__ import annotations

import datetime as dt

import cn2an

from kiosk.catalogue.spec import FieldSpec, SiteSpec
from kiosk.dialogue.kinds import kind_of

_DIGIT = dict(zip("0123456789", "零一二三四五六七八九", strict=False))
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
    """One valid answer to `field`, as a vosk transcript (each kind knows its own)."""
    return kind_of(field.type).sample(field, site, today)
