"""YES_NO: 是 / 不是, and the many ways older speakers say them (当然, 没毛病, 可不是...)."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds.base import FieldKind
from kiosk.dialogue.refusal import Invalid
from kiosk.voices import say

_NOT_ECHOES = frozenset("您你我他她吗呢吧啊的了是有要在")   # alone they say nothing about the question
_ECHO = re.compile(r"(没有|没|不)?(.{1,4}?)(了|的|过|啊|呀|着呢)*")


def echoed(prompt: str, said: str) -> bool | None:
    """How Mandarin answers yes/no: by echoing the question's verb. 您今天带照片了吗？ —
    '带了' is a yes, '没带' a no; 是不是很着急？ — '急' yes, '不急' no. None when no echo."""
    text = re.sub(r"^(嗯|哦|啊|我|那个)+", "", w.squash(said))
    m = _ECHO.fullmatch(text)
    if not m or m[2] in _NOT_ECHOES or not w.has_han(m[2]) or m[2] not in w.squash(prompt):
        return None
    return m[1] is None


class YesNoKind(FieldKind):
    """A plain yes or no."""

    type: ClassVar[FieldType] = FieldType.YES_NO
    touch_widget: ClassVar[str] = "yes_no"
    unclear_key: ClassVar[str] = "answer.unclear_yes_no"
    needs_readback_on_tap: ClassVar[bool] = False

    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        answer = w.yes_no(" ".join(words))
        if answer is None:
            answer = echoed(field.prompt, " ".join(words))
        if answer is None:
            raise self.unclear(field)
        return answer

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        if not isinstance(value, bool):
            raise Invalid("answer.yes_no_needed")
        return value

    def end_of_speech(self, field: FieldSpec, partial_transcript: str) -> bool:
        return w.yes_no(partial_transcript) is not None

    def display(self, value: Any, field: FieldSpec) -> str:
        if value is None:
            return ""
        return say("answer.show_yes") if value is True else say("answer.show_no")

    def grammar(self, field: FieldSpec, site: SiteSpec | None = None) -> list[str]:
        return list(w.YES_WORDS + w.NO_WORDS)

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        return "是"


KIND = YesNoKind()
