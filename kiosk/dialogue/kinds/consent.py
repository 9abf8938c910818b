"""CONSENT: an explicit yes to a plain statement; anything else is a refusal staff hear about."""
from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds.base import FieldKind
from kiosk.dialogue.refusal import Invalid
from kiosk.voices import say

CONSENT_REFUSED = "answer.consent_needed"


class ConsentRefused(Invalid):
    """The resident did not agree (tickets open a no_consent ticket on this type, not on wording)."""

    def __init__(self) -> None:
        super().__init__(CONSENT_REFUSED)


class ConsentKind(FieldKind):
    """同意 to the data statement."""

    type: ClassVar[FieldType] = FieldType.CONSENT
    touch_widget: ClassVar[str] = "consent"
    unclear_key: ClassVar[str] = "answer.unclear_consent"
    needs_readback_on_tap: ClassVar[bool] = False

    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        answer = w.yes_no(" ".join(words))
        if answer is None:
            raise self.unclear(field)
        return answer

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        if value is True:
            return True
        raise ConsentRefused()

    def end_of_speech(self, field: FieldSpec, partial_transcript: str) -> bool:
        return w.yes_no(partial_transcript) is not None

    def display(self, value: Any, field: FieldSpec) -> str:
        if value is None:
            return ""
        return say("answer.show_consent") if value is True else say("answer.show_no_consent")

    def grammar(self, field: FieldSpec, site: SiteSpec | None = None) -> list[str]:
        return list(w.YES_WORDS + w.NO_WORDS)

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        return "同意"


KIND = ConsentKind()
