"""Shared by PHONE and ID_NUMBER: numbers said digit by digit (幺 三 八 ... 叉)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds.base import FieldKind, groups, read_groups, tail_only
from kiosk.dialogue.refusal import Invalid

PADDING = ("身份证号码", "身份证号", "身份证", "手机号码", "手机号", "电话号码", "手机",
           "电话", "号码", "我的", "是", "号", "的", "嗯")
MAX_SAID = 200   # characters; anything longer is not one number
_DIGIT_RUN = re.compile("(?:" + "|".join(re.escape(k) for k in sorted(w.DIGITS, key=len, reverse=True)) + ")+")


class DigitsKind(FieldKind):
    """A fixed-length string of digits read back in groups."""

    length: ClassVar[int]
    group_sizes: ClassVar[tuple[int, ...]]
    guards_bare_sound: ClassVar[bool] = True
    touch_widget: ClassVar[str] = "digits"
    typed_on_touch: ClassVar[bool] = True

    @property
    def max_digits(self) -> int:
        """How many keys the keypad takes."""
        return self.length

    def digits_in(self, said: str) -> str | None:
        """The digits of a transcript, or None when it holds anything but digit words."""
        text = w.squash(said)
        if len(text) > MAX_SAID:
            return None
        for pad in PADDING:
            text = text.replace(pad, "")
        return w.spoken_digits(text)

    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        digits = self.digits_in(" ".join(words)) or self.whole_number_within(" ".join(words))
        if not digits:
            raise self.unclear(field)
        return digits

    def whole_number_within(self, said: str) -> str | None:
        """'我 换 了 个 号 一 三 九 …' / '我儿子的电话一三九…': the one run of digit words in a
        sentence that is a whole answer by itself (11 or 18 of them); None otherwise."""
        text = w.squash(said)
        if len(text) > MAX_SAID:
            return None
        runs = [w.spoken_digits(m) for m in _DIGIT_RUN.findall(text)]
        whole = [r for r in runs if r and len(r) == self.length]
        return whole[0] if len(whole) == 1 else None

    def corrected(self, field: FieldSpec, before: str, after: str) -> str | None:
        """'一三八…六七九 不对 五六七八': the digits after 不对 replace as many digits before it."""
        said, fixed = self.digits_in(before), self.digits_in(after)
        if not said or not fixed:
            return None
        return said[:max(0, len(said) - len(fixed))] + fixed

    def incomplete(self, field: FieldSpec, problem: Invalid, said: str = "") -> bool:
        count = problem.params.get("count")
        return (problem.key.endswith("_length") and isinstance(count, int) and 0 < count < self.length
                and self.could_begin(self.digits_in(said) or ""))

    def could_begin(self, digits: str) -> bool:
        """Whether these digits can start an answer (a mobile starts with 1): an 8-digit
        landline is refused at once, not waited on with 请接着说."""
        return True

    def so_far(self, field: FieldSpec, said: str) -> str:
        digits = self.digits_in(said)
        return self.display(digits, field) if digits else w.squash(said)

    def end_of_speech(self, field: FieldSpec, partial_transcript: str) -> bool:
        digits = self.digits_in(partial_transcript)
        return digits is not None and len(digits) >= self.length

    def display(self, value: Any, field: FieldSpec) -> str:
        return "" if value is None else " ".join(groups(str(value), self.group_sizes))

    def spoken(self, value: Any, field: FieldSpec, private_audio: bool = True) -> str:
        if value is None:
            return ""
        text = str(value)
        if not private_audio and len(text) > 4:
            return tail_only(text)     # a public hall: only 尾号一二三四
        return read_groups(text, self.group_sizes)

    def grammar(self, field: FieldSpec, site: SiteSpec | None = None) -> list[str]:
        return [k for k, d in w.DIGIT_WORDS.items() if d.isdigit()]
