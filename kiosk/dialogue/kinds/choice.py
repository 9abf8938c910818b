"""CHOICE: one of the form's options, said by its words, a pinyin-near variant or 第二个.

Matching scores the words that name an option, not the whole utterance: in 燃气坏了 the word
燃气 decides, the shared 坏了 does not. Two options equally close are a question back
("是燃气，还是电梯？"), never a guess.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from kiosk.catalogue.spec import Choice, FieldSpec, FieldType, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds.base import FieldKind
from kiosk.dialogue.refusal import Invalid
from kiosk.voices import say

MAX_CHOICE_CHARS = 60    # longer speech is matched on its first part only


class Ambiguous(Invalid):
    """Two or more options fit what was said: ask which one."""

    def __init__(self, options: list[Choice]) -> None:
        labels = [c.label for c in options]
        if len(labels) == 2:
            super().__init__("answer.choice_which", first=labels[0], second=labels[1])
        else:
            super().__init__("answer.choice_ambiguous", options="、".join(labels))
        self.options = [c.value for c in options]


class ChoiceKind(FieldKind):
    """One option."""

    type: ClassVar[FieldType] = FieldType.CHOICE
    touch_widget: ClassVar[str] = "choice"
    unclear_key: ClassVar[str] = "answer.unclear_choice"
    needs_readback_on_tap: ClassVar[bool] = False

    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        text = w.squash(" ".join(words))[:MAX_CHOICE_CHARS]
        found = pick_one(field.choices, text)
        if isinstance(found, Choice):
            return found.value
        if found:
            raise Ambiguous(found)
        raise self.unclear(field)

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        values = [c.value for c in field.choices]
        if not isinstance(value, str) or value not in values:
            raise Invalid("answer.choice_unknown", options=labels(field))
        return value

    def unclear(self, field: FieldSpec) -> Invalid:
        return Invalid(self.unclear_key, options=labels(field))

    def example(self, field: FieldSpec) -> str:
        return say("example.choice", option=field.choices[0].label if field.choices else "")

    def end_of_speech(self, field: FieldSpec, partial_transcript: str) -> bool:
        text = w.squash(partial_transcript)[:MAX_CHOICE_CHARS]
        return bool(text) and isinstance(pick_one(field.choices, text), Choice)

    def display(self, value: Any, field: FieldSpec) -> str:
        return "" if value is None else label_of(field, value)

    def grammar(self, field: FieldSpec, site: SiteSpec | None = None) -> list[str]:
        return choice_grammar(field)

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        return field.choices[0].label


def labels(field: FieldSpec) -> str:
    """The options as one list for a sentence: 燃气、电梯、路灯."""
    return "、".join(c.label for c in field.choices)


def label_of(field: FieldSpec, value: Any) -> str:
    """The label of a choice value (the value itself when it is not an option)."""
    for c in field.choices:
        if c.value == value:
            return c.label
    return str(value)


def choice_grammar(field: FieldSpec) -> list[str]:
    """Option words, their ordinals (第二个) and bare numbers."""
    import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
    phrases: list[str] = []
    for choice in field.choices:
        phrases += [t for t in terms(choice) if w.has_han(t) or t.isdigit()]
    for n in range(1, len(field.choices) + 1):
        word = cn2an.an2cn(n)
        phrases += [f"第{word}个", f"第{word}", word]
    return phrases


# --- matching -------------------------------------------------------------------------------

def terms(choice: Choice) -> list[str]:
    """Everything a resident may say for a choice: label, value, aliases (normalised)."""
    said = (choice.label, choice.value, *choice.aliases)
    # "5号楼" is said 五号楼: match the spoken form of any arabic digits too.
    return list(dict.fromkeys(w.squash(t2) for t in said for t2 in (t, w.spoken_numbers(t)) if w.squash(t2)))


def strip_soft(text: str) -> str:
    """Drop 我要/我选/吧/的 etc. around an answer."""
    text = re.sub(r"^(我要选|我选|我要|我想要|选择|选|要|就是|是)", "", text)
    return re.sub(r"(吧|的|啊|呀|呢|这个|那个|这一项|这项)+$", "", text) or text


def exactly(choice: Choice, text: str) -> bool:
    """What was said is one of the option's words (filler stripped on both sides)."""
    said = terms(choice)
    return text in said or strip_soft(text) in {strip_soft(t) for t in said}


# Words so common in answers that they never name an option on their own.
_SHARED = ("坏了", "问题", "不亮", "不好", "不行", "出问题", "故障", "有点", "需要", "服务", "一下")


def _distinctive(t: str) -> str:
    """An option's term without the words it shares with the general run of answers."""
    for shared in _SHARED:
        if t != shared:
            t = t.replace(shared, "")
    return t


def pick_one(choices: list[Choice], text: str) -> Choice | list[Choice] | None:
    """The one choice meant, a list of candidates when ambiguous, or None."""
    text = strip_soft(text)
    if not text:
        return None
    exact = [c for c in choices if exactly(c, text)]
    if len(exact) == 1:
        return exact[0]
    ordinal = _ordinal(choices, text)
    if ordinal is not None:
        return ordinal
    # Words of an option inside what was said ("燃气坏了" -> 燃气). Its distinctive words count
    # first (路灯不亮了 names 路灯, not 灯不亮), then the longest match, so an alias like 我
    # does not beat 家属 in "我 家属 代办".
    scores = [(max((len(d) for t in terms(c) if len(d := _distinctive(t)) >= 2 and d in text), default=0),
               max((len(t) for t in terms(c) if t in text), default=0)) for c in choices]
    if any(raw for _, raw in scores):
        top = max(scores)
        winners = [c for c, s in zip(choices, scores, strict=False) if s == top]
        return winners[0] if len(winners) == 1 else winners
    # Part of an option's words ("助浴服务" option, resident says "助浴"), two characters or more;
    # one character only when no other option has it (租的 -> 租的房子, after 的 was stripped).
    if len(text) >= 1:
        partial = [c for c in choices if any(text in t for t in terms(c))]
        if len(partial) == 1 and (len(text) >= 2 or (w.has_han(text) and w.spoken_number(text) is None)):
            return partial[0]
        if len(partial) > 1 and len(text) >= 2:
            return partial
    return _by_sound(choices, text)


def _best(choices: list[Choice], scores: list[float] | list[int]) -> Choice | list[Choice] | None:
    """The choice with the single highest positive score, or the tied ones."""
    top = max(scores, default=0)
    if top <= 0:
        return None
    winners = [c for c, s in zip(choices, scores, strict=False) if s == top]
    return winners[0] if len(winners) == 1 else winners


_ORDINAL = re.compile(r"(第)?(.+?)(个|项|种|条)?")


def _ordinal(choices: list[Choice], text: str) -> Choice | None:
    """第二个 / 第二 / 二 -> the second option; a bare number only when no option names it."""
    if len(text) > 8:
        return None
    m = _ORDINAL.fullmatch(text)
    if not m:
        return None
    n = w.spoken_number(m[2])
    if n is None or not 1 <= n <= len(choices):
        return None
    if not (m[1] or m[3]):
        import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
        spoken = {m[2], str(n), cn2an.an2cn(n)}
        if any(s in t for c in choices for t in terms(c) for s in spoken):
            return None  # "二" could be the option "二楼" - not an ordinal
    return choices[n - 1]


_FOLD = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("ang", "an"), ("eng", "en"), ("ing", "in")]


def sound(text: str) -> list[str]:
    """Toneless pinyin with the usual southern mergers folded (zh=z, n=l, in=ing...)."""
    from pypinyin import Style, lazy_pinyin  # first use only: 0.3 s at start-up
    out = []
    # pypinyin takes a list from `errors` (one syllable per character) though its stubs say str.
    for syllable in lazy_pinyin(text, style=Style.NORMAL,
                                errors=lambda s: list(s.lower())):  # type: ignore[arg-type,return-value]
        for a, b in _FOLD:
            syllable = syllable.replace(a, b)
        if syllable.startswith("n"):
            syllable = "l" + syllable[1:]
        out.append(syllable)
    return out


def _by_sound(choices: list[Choice], text: str) -> Choice | list[Choice] | None:
    """Homophones vosk produced (组参 for 助餐): same pinyin inside, else close pinyin."""
    from rapidfuzz import fuzz  # first use only: the registry is imported before Home is drawn
    heard = sound(text)
    joined = " ".join(heard)
    inside = [0.0] * len(choices)
    near = [0.0] * len(choices)
    for i, c in enumerate(choices):
        for t in terms(c):
            s = sound(t)
            if (len(s) >= 2 or len(heard) == 1) and f" {' '.join(s)} " in f" {joined} ":
                inside[i] = max(inside[i], len(s))
            near[i] = max(near[i], fuzz.ratio(" ".join(s), joined))
    if any(inside):
        return _best(choices, inside)
    ranked = sorted(zip(choices, near, strict=False), key=lambda kv: kv[1], reverse=True)
    if ranked and ranked[0][1] >= 80:
        if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] - 5:
            return [ranked[0][0], ranked[1][0]]
        return ranked[0][0]
    return None


def all_within(choices: list[Choice], text: str) -> list[Choice]:
    """Every option named inside one stretch of speech ("助餐助浴"), in the order said."""
    hits: list[tuple[int, int, Choice]] = []
    for c in choices:
        for t in terms(c):
            pos = text.find(t)
            if pos >= 0:
                hits.append((pos, pos + len(t), c))
    # Drop a hit lying inside a longer hit of another option (我 inside 我自己).
    kept = [h for h in hits if not any(o[2] is not h[2] and o[0] <= h[0] and h[1] <= o[1]
                                       and o[1] - o[0] > h[1] - h[0] for o in hits)]
    kept.sort(key=lambda h: h[0])
    ordered: list[Choice] = []
    for _, _, c in kept:
        if all(c is not o for o in ordered):
            ordered.append(c)
    return ordered


KIND = ChoiceKind()
