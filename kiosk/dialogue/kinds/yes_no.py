"""YES_NO: 是 / 不是, and the many ways older speakers say them (当然, 没毛病, 可不是...)."""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds.base import FieldKind
from kiosk.dialogue.refusal import Invalid
from kiosk.voices import say


class YesNoKind(FieldKind):
    """A plain yes or no."""

    type: ClassVar[FieldType] = FieldType.YES_NO
    touch_widget: ClassVar[str] = "yes_no"
    unclear_key: ClassVar[str] = "answer.unclear_yes_no"
    needs_readback_on_tap: ClassVar[bool] = False

    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        answer = w.yes_no(" ".join(words))
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
