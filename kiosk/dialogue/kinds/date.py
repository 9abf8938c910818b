"""DATE: a calendar date within the field's bounds, said 一九五零年三月五号 or picked on screen."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec, resolve_date_bound
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds.base import FieldKind
from kiosk.dialogue.refusal import Invalid
from kiosk.voices import say

_PADDING = ("出生日期", "出生于", "出生", "生日", "日期", "我是", "我的", "是", "在", "的", "嗯")
_RELATIVE = {"今天": 0, "明天": 1, "后天": 2, "大后天": 3}
MAX_SAID = 60
_SPOKEN_DATE = re.compile(r"(?:(.+?)年)?(.+?)月(?:(.+?)(?:日|号)?)?")


# Lunar-calendar words: 农历/阴历, 初一…初十, the lunar month names. Older residents often know
# their birthday only this way; converting needs the year's leap months and is easy to get wrong,
# so the kiosk asks for the solar date (on the ID card) instead of guessing.
_LUNAR = re.compile(r"农历|阴历|老历|闰|初[一二三四五六七八九十]|正月|腊月|冬月|十冬月")
_AGE_WORDS = re.compile(r"周岁|岁数|岁|今年|快|都|已经|有|多|了|啦|我|呀|啊")


def _said_an_age(text: str) -> bool:
    """快八十了 / 我七十八岁 / 今年七十八: an age where a date was asked."""
    if re.search(r"[年月号日]", text.replace("今年", "")):
        return False
    number = w.spoken_number(_AGE_WORDS.sub("", text))
    if number is None:
        return False
    return "岁" in text or 32 <= number <= 120


def date_words(d: dt.date) -> str:
    """'1950年3月5日' - how dates appear on screen and inside messages."""
    return f"{d.year}年{d.month}月{d.day}日"


def as_date(value: Any) -> dt.date:
    """A date from a date, datetime or ISO string."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def low_bound(field: FieldSpec, today: dt.date | None) -> dt.date:
    """The earliest date the field accepts (1900-01-01 when it says nothing)."""
    return resolve_date_bound(field.min_date or "1900-01-01", today)


def high_bound(field: FieldSpec, today: dt.date | None) -> dt.date:
    """The latest date the field accepts (ten years ahead when it says nothing)."""
    return resolve_date_bound(field.max_date or "today+3650d", today)


class DateKind(FieldKind):
    """A day."""

    type: ClassVar[FieldType] = FieldType.DATE
    touch_widget: ClassVar[str] = "date"
    unclear_key: ClassVar[str] = "answer.unclear_date"
    joins_any_order: ClassVar[bool] = True     # 三月五号 … 一九五零年 also makes a date

    def incomplete(self, field: FieldSpec, problem: Invalid, said: str = "") -> bool:
        return problem.key in ("answer.date_need_month_day", "answer.date_need_year")

    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        text = self._cleaned(" ".join(words))
        if _LUNAR.search(text):
            raise Invalid("answer.date_lunar")      # 初五 / 腊月: never misread as a solar date
        if _said_an_age(text):
            raise Invalid("answer.date_is_age")
        if text in _RELATIVE:
            return (today + dt.timedelta(days=_RELATIVE[text])).isoformat()
        ahead = _ahead(field, text, today)
        if ahead is not None:
            return ahead
        m = re.fullmatch(r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})", text)
        if m:
            return _real_date(int(m[1]), int(m[2]), int(m[3]))
        m = _SPOKEN_DATE.fullmatch(text)
        if m:
            year_words, month_words, day_words = m.groups()
            month = w.spoken_number(month_words)
            day = w.spoken_number(day_words) if day_words else None
            if month is None or day is None:
                raise self.unclear(field)
            if year_words is None:
                return _without_year(field, month, day, today)
            year = _year(year_words, month, day, field, today)
            if year is None:
                raise self.unclear(field)
            return _real_date(year, month, day)
        if re.fullmatch(r".+年", text) and _year(text[:-1], 1, 1, field, today) is not None:
            raise Invalid("answer.date_need_month_day")
        digits = w.spoken_digits(text)
        if digits and len(digits) == 8 and digits.isdigit():  # "一九五零零三零五"
            return _real_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
        raise self.unclear(field)

    @staticmethod
    def _cleaned(said: str) -> str:
        text = w.squash(said)[:MAX_SAID]
        text = re.sub(r"(出生的|生的|生人|那天)$", "", text)     # 一九五零年三月五号生的
        for pad in _PADDING:
            text = text.replace(pad, "")
        return text

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        if isinstance(value, dt.datetime):
            value = value.date()
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value.strip())
            except ValueError:
                raise Invalid("answer.date_needed") from None
        if not isinstance(value, dt.date):
            raise Invalid("answer.date_needed")
        if field.min_date:
            low = resolve_date_bound(field.min_date, today)
            if value < low:
                if low == today:
                    raise Invalid("answer.date_before_today", label=field.label)
                raise Invalid("answer.date_too_early", label=field.label, bound=date_words(low))
        if field.max_date:
            high = resolve_date_bound(field.max_date, today)
            if value > high:
                if high == today:
                    raise Invalid("answer.date_after_today", label=field.label)
                raise Invalid("answer.date_too_late", label=field.label, bound=date_words(high))
        return value.isoformat()

    def bounds(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> dict[str, Any]:
        return {"min": low_bound(field, today).isoformat(), "max": high_bound(field, today).isoformat()}

    def end_of_speech(self, field: FieldSpec, partial_transcript: str) -> bool:
        text = self._cleaned(partial_transcript)
        if text in _RELATIVE:
            return True
        m = _SPOKEN_DATE.fullmatch(text)
        if not m or not m[3]:
            return False
        day = re.sub(r"(日|号)$", "", m[3])
        if w.spoken_number(day) is None:
            return False
        # Only a field that starts today or later takes 三月五号 without a year.
        bound = field.min_date or ""
        needs_year = not (bound == "today" or bound.startswith("today+"))
        # 二十 / 三十 may still go on (三十一): wait for 号 or a day that cannot grow.
        if not m[3].endswith(("日", "号")) and day.endswith("十"):
            return False
        return bool(m[1]) or not needs_year

    def display(self, value: Any, field: FieldSpec) -> str:
        if value is None:
            return ""
        try:
            d = as_date(value)
        except (ValueError, TypeError):
            return str(value)
        return say("answer.show_date", year=d.year, month=d.month, day=d.day)

    def spoken(self, value: Any, field: FieldSpec, private_audio: bool = True) -> str:
        import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
        if value is None:
            return ""
        try:
            d = as_date(value)
        except (ValueError, TypeError):
            return str(value)
        year = w.chinese_digits(f"{d.year:04d}")  # 一九五零, not 一千九百五十
        return say("answer.show_date", year=year, month=cn2an.an2cn(d.month), day=cn2an.an2cn(d.day))

    def grammar(self, field: FieldSpec, site: SiteSpec | None = None) -> list[str]:
        return [k for k, d in w.DIGIT_WORDS.items() if d.isdigit()] + [
            "十", "年", "月", "日", "号", "今天", "明天", "后天"]

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
        low, high = low_bound(field, today), high_bound(field, today)
        pick = dt.date(1949, 12, 31)
        if not low <= pick <= high:
            pick = low + (high - low) // 2
        year = " ".join(w.chinese_digits(str(pick.year))).replace(" ", "")
        return f"{year} 年 {cn2an.an2cn(pick.month)} 月 {cn2an.an2cn(pick.day)} 号"


def _year(words: str, month: int, day: int, field: FieldSpec, today: dt.date) -> int | None:
    digits = w.spoken_digits(words)
    if digits is None or not digits.isdigit():
        number = w.spoken_number(words)  # 一千九百五十
        digits = str(number) if number is not None else None
    if digits is None:
        return None
    if len(digits) == 4:
        return int(digits)
    if len(digits) != 2:
        return None
    # Two-digit years: 19xx first (residents are elderly), 20xx when only that fits the field.
    candidates = [1900 + int(digits), 2000 + int(digits)]
    for year in candidates:
        try:
            if _within(field, dt.date(year, month, day), today):
                return year
        except ValueError:
            break
    return candidates[0]


_WEEKDAY = re.compile(r"(这个|这|本|下个|下|下下个|下下)?(礼拜|星期|周)([一二三四五六日天七1-7])")
_MONTH_DAY = re.compile(r"(这个月|本月|这月|下个月|下月)?(.+?)(号|日)")
_WEEKDAY_NUMBER = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "七": 6}


def _ahead(field: FieldSpec, text: str, today: dt.date) -> str | None:
    """下礼拜一 / 这周五 / 这个月二十号 / 下个月五号 / 二十号: only on a field for days ahead
    (a birth date never is); None when the words are no such day."""
    bound = field.min_date or ""
    if not (bound == "today" or bound.startswith("today+")):
        return None
    m = _WEEKDAY.fullmatch(text)
    if m:
        which, day = m[1] or "", m[3]
        weekday = _WEEKDAY_NUMBER.get(day, int(day) - 1 if day.isdigit() else 0)
        monday = today - dt.timedelta(days=today.weekday())
        weeks = 2 if which.startswith("下下") else 1 if which.startswith("下") else 0
        when = monday + dt.timedelta(days=7 * weeks + weekday)
        if not which and when < today:
            when += dt.timedelta(days=7)      # 礼拜一 alone: the next one
        return when.isoformat()
    m = _MONTH_DAY.fullmatch(text)
    if m and "月" not in m[2]:
        day = w.spoken_number(m[2])
        if day is None or not 1 <= day <= 31:
            return None
        year, month = today.year, today.month
        if (m[1] or "").startswith("下") or (not m[1] and day < today.day):
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        return _real_date(year, month, day)
    return None


def _without_year(field: FieldSpec, month: int, day: int, today: dt.date) -> str:
    """'三月五号': fine for a date ahead (next such day), not for a birth date."""
    low = resolve_date_bound(field.min_date, today) if field.min_date else None
    if low is None or low < today:
        raise Invalid("answer.date_need_year")
    for year in (today.year, today.year + 1):
        try:
            when = dt.date(year, month, day)
        except (ValueError, OverflowError):
            continue
        if when >= today:
            return when.isoformat()
    raise Invalid("answer.date_not_real", month=month, day=day)


def _within(field: FieldSpec, when: dt.date, today: dt.date) -> bool:
    if field.min_date and when < resolve_date_bound(field.min_date, today):
        return False
    return not (field.max_date and when > resolve_date_bound(field.max_date, today))


def _real_date(year: int, month: int, day: int) -> str:
    try:
        return dt.date(year, month, day).isoformat()
    except (ValueError, OverflowError):
        raise Invalid("answer.date_not_real", month=month, day=day) from None


KIND = DateKind()
