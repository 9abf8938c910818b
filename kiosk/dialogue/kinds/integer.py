"""INTEGER: a whole number within the field's min/max, said 七十八 or typed on the keypad."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds.base import FieldKind
from kiosk.dialogue.refusal import Invalid
from kiosk.voices import say

_PADDING = ("周岁", "岁", "个", "人", "次", "口", "今年", "大概", "左右", "我", "有", "了", "是", "一共", "共",
            # 就一份 / 开两张 / 要三天吧: the verb and the measure word around the number
            "给我", "就", "开", "要", "订", "张", "只", "吧", "啊", "呀", "来", "先", "那", "呢", "的")


_SPAN = re.compile(r"^(?:我要|要|订|大概)?(半|[一两二三四五六七八九十\d]+)?个?(礼拜|星期|周|月)(吧|的|了)?$")


def _days_in(text: str) -> int | None:
    """一个礼拜 -> 7, 两周 -> 14, 半个月 -> 15, 一个月 -> 30: how people count days."""
    m = _SPAN.match(text)
    if not m:
        return None
    per = 30 if m[2] == "月" else 7
    if m[1] == "半":
        return per // 2 if per == 30 else None
    count = w.spoken_number(m[1]) if m[1] else 1
    return count * per if count else None


class IntegerKind(FieldKind):
    """A bounded whole number."""

    type: ClassVar[FieldType] = FieldType.INTEGER
    touch_widget: ClassVar[str] = "digits"
    typed_on_touch: ClassVar[bool] = True
    unclear_key: ClassVar[str] = "answer.unclear_integer"
    max_digits: ClassVar[int] = 6

    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        number = self._number(field, " ".join(words))
        if number is None:
            raise self.unclear(field)
        return number

    @staticmethod
    def _number(field: FieldSpec, said: str) -> int | None:
        text = w.squash(said)
        if field.unit == "天":
            days = _days_in(text)
            if days is not None:
                return days
        for pad in sorted(set(_PADDING) | ({field.unit} - {""}), key=len, reverse=True):
            # whole padding words first, so 一 of 一共 is not read as a digit
            text = text.replace(pad, "")
        return w.spoken_number(text)

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        low, high = field.min, field.max
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d{1,18}\s*", value):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid("answer.integer_needed", low=low, high=high, unit=field.unit)
        if low is None or high is None or not low <= value <= high:
            raise Invalid("answer.integer_range", label=field.label, low=low, high=high,
                          unit=field.unit, value=value)
        return value

    def bounds(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> dict[str, Any]:
        return {"min": field.min, "max": field.max, "unit": field.unit}

    def unclear(self, field: FieldSpec) -> Invalid:
        return Invalid(self.unclear_key, low=field.min, high=field.max)

    def example(self, field: FieldSpec) -> str:
        import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
        low, high = field.min or 0, field.max or 0
        return say("example.integer", example=f"{cn2an.an2cn(max(low, min(high, 78)))}{field.unit}")

    def end_of_speech(self, field: FieldSpec, partial_transcript: str) -> bool:
        # 七十 may still become 七十八, 7 may still become 78: wait while a longer number fits.
        number = self._number(field, partial_transcript)
        if number is None or field.min is None or field.max is None:
            return False
        if not field.min <= number <= field.max:
            return False
        text = w.squash(partial_transcript)
        if field.unit and text.endswith(field.unit) or text.endswith("岁"):
            return True                      # 八十岁: the unit closes the number
        if text.isascii():
            return number * 10 > field.max
        if text.endswith(("十", "百", "千", "万")):
            return number + 1 > field.max
        return True

    def display(self, value: Any, field: FieldSpec) -> str:
        return "" if value is None else f"{value}{field.unit}"

    def spoken(self, value: Any, field: FieldSpec, private_audio: bool = True) -> str:
        import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
        if value is None:
            return ""
        try:
            return f"{cn2an.an2cn(int(value))}{field.unit}"
        except (ValueError, TypeError, OverflowError):
            return self.display(value, field)

    def grammar(self, field: FieldSpec, site: SiteSpec | None = None) -> list[str]:
        import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
        low, high = field.min or 0, field.max or 0
        phrases: list[str]
        if high - low <= 1000:
            phrases = [cn2an.an2cn(n) for n in range(low, high + 1)]
        else:
            phrases = [k for k, d in w.DIGIT_WORDS.items() if d.isdigit()] + ["十", "百", "千", "万"]
        if field.unit:
            phrases.append(field.unit)
        return phrases

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
        return " ".join(cn2an.an2cn(max(field.min or 0, min(field.max or 0, 78))))


KIND = IntegerKind()
