"""MULTI_CHOICE: one or more options, said together ("助餐 和 助浴") or as 都要."""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from kiosk.catalogue.spec import Choice, FieldSpec, FieldType, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds import choice as one
from kiosk.dialogue.kinds.base import FieldKind
from kiosk.dialogue.refusal import Invalid
from kiosk.voices import say

ALL_WORDS = ("都要", "全部", "全都要", "都选", "全选", "所有的", "都需要")
_ALL = re.compile(r"(我)?(两个|两顿|两样|两种|这些|几样|全部)?(都|全)(要|订|选|需要)(了|吧|的)?")
_JOINERS = re.compile(r"还有|以及|也要|还要|加上|另外|和|跟|与|、|，|,|；|;")


class MultiChoiceKind(FieldKind):
    """Several options."""

    type: ClassVar[FieldType] = FieldType.MULTI_CHOICE
    touch_widget: ClassVar[str] = "multi_choice"
    unclear_key: ClassVar[str] = "answer.unclear_multi"

    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        text = w.squash(" ".join(words))[:one.MAX_CHOICE_CHARS * 2]
        if one.strip_soft(text) in ALL_WORDS or _ALL.fullmatch(text):
            return [c.value for c in field.choices]  # validate() says so if that is too many
        whole = one.pick_one(field.choices, text)
        if isinstance(whole, Choice) and one.exactly(whole, text):
            return [whole.value]
        picked: list[Choice] = []
        for part in _JOINERS.split(text):
            part = one.strip_soft(part)
            if not part:
                continue
            found = one.pick_one(field.choices, part)
            if isinstance(found, Choice):
                picked.append(found)
                continue
            several = one.all_within(field.choices, part)
            if not several:
                raise self.unclear(field)
            picked += several
        if not picked:
            raise self.unclear(field)
        return list(dict.fromkeys(c.value for c in picked))

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, (list, tuple, set, frozenset)):
            raise Invalid("answer.choice_unknown", options=one.labels(field))
        known = [c.value for c in field.choices]
        if any(not isinstance(v, str) or v not in known for v in value):
            raise Invalid("answer.choice_unknown", options=one.labels(field))
        picked = set(value)
        result = [v for v in known if v in picked]  # screen order, duplicates gone
        if len(result) < field.min_selected:
            key = "answer.multi_too_few_one" if field.min_selected == 1 else "answer.multi_too_few"
            raise Invalid(key, least=field.min_selected)
        if field.max_selected is not None and len(result) > field.max_selected:
            raise Invalid("answer.multi_too_many", most=field.max_selected, count=len(result))
        return result

    def bounds(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> dict[str, Any]:
        return {"min_selected": field.min_selected, "max_selected": field.max_selected}

    def unclear(self, field: FieldSpec) -> Invalid:
        return Invalid(self.unclear_key, example="和".join(c.label for c in field.choices[:2]))

    def example(self, field: FieldSpec) -> str:
        return say("example.multi_choice", example="和".join(c.label for c in field.choices[:2]))

    def end_of_speech(self, field: FieldSpec, partial_transcript: str) -> bool:
        # A list can go on ("助餐 和 ..."): complete once enough options are named and the
        # words do not end on a joiner.
        text = w.squash(partial_transcript)[:one.MAX_CHOICE_CHARS * 2]
        if not text:
            return False
        if one.strip_soft(text) in ALL_WORDS:
            return True
        if re.search(rf"(?:{_JOINERS.pattern})$", text):
            return False
        return len(one.all_within(field.choices, text)) >= max(1, field.min_selected)

    def display(self, value: Any, field: FieldSpec) -> str:
        if value is None:
            return ""
        values = [value] if isinstance(value, str) else list(value)
        known = [c.value for c in field.choices]
        ordered = [v for v in known if v in values] + [v for v in dict.fromkeys(values) if v not in known]
        return "、".join(one.label_of(field, v) for v in ordered)

    def grammar(self, field: FieldSpec, site: SiteSpec | None = None) -> list[str]:
        return one.choice_grammar(field) + ["和", "还有", *ALL_WORDS]

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        return field.choices[0].label


KIND = MultiChoiceKind()
