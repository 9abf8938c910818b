"""What every field kind provides: the one place a field type's behaviour lives.

A kind answers, for one `FieldType`: how a transcript becomes a value (`parse`), how a value is
checked (`validate`) and bounded for the touch widgets (`bounds`), how it is shown (`display`,
`receipt_text`), read back aloud (`spoken`, private audio aware), masked (`mask`), which words
a recogniser should listen for (`grammar`), when the words so far already make a complete
answer (`end_of_speech`), which touch widget answers it (`touch_widget`) and an example the
resident hears after a second miss (`example`). Everything is pure: no Kivy, no I/O.
"""
from __future__ import annotations

import datetime as dt
import json
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.refusal import Invalid
from kiosk.voices import say

DEFAULT_SITE = SiteSpec()


class FieldKind:
    """Base of every kind; subclasses fill the class attributes and override the methods."""

    type: ClassVar[FieldType]
    touch_widget: ClassVar[str]          # name of the kiosk.ui.answers builder
    unclear_key: ClassVar[str]           # said when a transcript is not understood
    typed_on_touch: ClassVar[bool] = False     # touch answers are keyed in (您输入的是), not picked (您选的是)
    needs_readback_on_tap: ClassVar[bool] = True   # False: a tap is already unambiguous
    free_speech: ClassVar[bool] = False  # name/text: any words could be taken as the value
    guards_bare_sound: ClassVar[bool] = False  # a bare 嗯 at its read-back asks again
    takes_corrections: ClassVar[bool] = True   # 张三不对是李四 -> 李四 (free text keeps its words)
    joins_any_order: ClassVar[bool] = False    # parts said apart may come in any order (a date)

    # --- understanding and checking -------------------------------------------------------
    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        """vosk words -> a structured value (not yet validated), or raise Invalid."""
        raise NotImplementedError

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        """A structured value (touch or parse) -> normalised, or raise Invalid."""
        raise NotImplementedError

    def bounds(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> dict[str, Any]:
        """What the touch widget needs to stay inside what validate() accepts."""
        return {}

    def end_of_speech(self, field: FieldSpec, partial_transcript: str) -> bool:
        """True when the words heard so far already make a complete answer (stop listening)."""
        return False

    def corrected(self, field: FieldSpec, before: str, after: str) -> str | None:
        """What was meant when a correction came mid-answer: by default what followed it."""
        return after

    def incomplete(self, field: FieldSpec, problem: Invalid, said: str = "") -> bool:
        """True when the refusal only says 'not finished yet' (6 of 18 digits, a year alone):
        the engine keeps the words and puts them together with what is said next."""
        return False

    def so_far(self, field: FieldSpec, said: str) -> str:
        """An unfinished answer as the screen shows it while the resident goes on."""
        return w.squash(said)

    def unclear(self, field: FieldSpec) -> Invalid:
        """The refusal for a transcript this kind cannot read."""
        return Invalid(self.unclear_key)

    def example(self, field: FieldSpec) -> str:
        """An example answer, said after the second no-match ('比如：…')."""
        return say(f"example.{self.type.value}")

    # --- showing and saying ----------------------------------------------------------------
    def display(self, value: Any, field: FieldSpec) -> str:
        """Screen text for an answer ('' when there is none)."""
        return "" if value is None else str(value)

    def spoken(self, value: Any, field: FieldSpec, private_audio: bool = True) -> str:
        """What the speaker says for the value; personal numbers shortened on a public speaker."""
        return self.display(value, field)

    def receipt_text(self, value: Any, field: FieldSpec) -> str:
        """How the value appears on a printed receipt (personal data masked)."""
        return self.mask(value, field) if field.personal else self.display(value, field)

    def mask(self, value: Any, field: FieldSpec) -> str:
        """The value as a log or a staff list may show it; never raises."""
        if value is None:
            return ""
        if field.personal:
            return "***"
        if isinstance(value, str):
            return value
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)

    # --- listening -------------------------------------------------------------------------
    def grammar(self, field: FieldSpec, site: SiteSpec | None = None) -> list[str]:
        """Phrases a recogniser grammar should hold for this field (commands and yes/no added
        by `kiosk.dialogue.understand.grammar_phrases`); [] means free speech (no grammar)."""
        return []

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        """One valid answer as a vosk transcript (benchmarks and scripted sessions)."""
        raise NotImplementedError


def groups(text: str, sizes: tuple[int, ...]) -> list[str]:
    """Split into groups of the given sizes; anything left over forms a last group."""
    out, i = [], 0
    for size in sizes:
        if i >= len(text):
            break
        out.append(text[i:i + size])
        i += size
    if i < len(text):
        out.append(text[i:])
    return out


def read_digits(text: str) -> str:
    """'1X' -> '一 叉': digit by digit in Chinese words."""
    x = say("answer.show_x")
    return " ".join(x if c in "Xx" else w.chinese_digits(c) for c in text)


def read_groups(text: str, sizes: tuple[int, ...]) -> str:
    """Digits read one by one, groups separated by a pause."""
    x = say("answer.show_x")
    return "，".join(" ".join(x if c in "Xx" else c for c in g) for g in groups(text, sizes))


def tail_only(text: str) -> str:
    """'尾号一二三四': the last four digits only, for a public speaker."""
    return say("answer.spoken_tail", tail=read_digits(text[-4:]).replace(" ", ""))
