"""Understanding one spoken answer: a vosk transcript in, a structured value (or command) out.

Transcripts arrive as vosk writes them: words separated by spaces ("一 三 八 幺 二 ...",
"一九五零 年 三月 五 号", "第二 个", "张 三"). `understand()` first looks for a command
(valid on every screen), then for what is not an answer at all (a filler, "I don't know", a
question about the question), then asks the field's kind (kiosk.dialogue.kinds) to parse the
answer and validate it, so a `Heard` carries a valid value, a command, an aside or a problem the
resident can be told about. It never raises, whatever the transcript.
"""
from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass
from enum import Enum

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds import kind_of
from kiosk.dialogue.refusal import Invalid
from kiosk.dialogue.words import (  # re-exported: the lexicon's public names
    COMMAND_WORDS,
    DIGIT_WORDS,
    NO_WORDS,
    YES_WORDS,
    Command,
    command_in,
    spoken_digits,
    spoken_number,
    yes_no,
)

log = logging.getLogger(__name__)

__all__ = ["COMMAND_WORDS", "DIGIT_WORDS", "NO_WORDS", "YES_WORDS", "Aside", "Command", "Heard",
           "aside_in", "command_in", "grammar_phrases", "spoken_digits", "spoken_number",
           "understand", "warm_up", "yes_no"]


class Aside(str, Enum):
    """Said instead of an answer, and not a command: never the value, never a failure."""

    FILLER = "filler"          # 嗯 / 那个 / 呃: still thinking
    DONT_KNOW = "dont_know"    # 我不知道 / 忘了
    WHY = "why"                # 为什么要名字？
    WHAT_IS_THIS = "what_is_this"  # 这个是干什么的？ (about the service)
    COST = "cost"              # 要钱吗？ / 多少钱？


@dataclass(frozen=True)
class Heard:
    """One transcript and what it meant for the current field."""

    transcript: str                # as received
    command: Command | None = None
    value: object = None           # structured, validated value when understood
    problem: Invalid | None = None  # when not understood or not acceptable
    aside: Aside | None = None


_YES_NO_TYPES = (FieldType.YES_NO, FieldType.CONSENT)
_NOT_AT_HAND = re.compile(r"记不住|记不清|记不得|记不起|想不起|不记得|没带|忘带|忘了带|没拿|忘拿")
_ABOUT_THE_QUESTION = ("名字", "姓名", "这个", "电话", "号码", "身份证", "信息", "生日", "地址")
_WHY = re.compile(r"^(为什么|为啥|干嘛|干吗|凭什么)(要|问|得|需要|还要)|(干什么用|有什么用|干啥用|干嘛用)"
                  r"|^(这|这个|你)?(是)?(什么意思|啥意思)|^(保存|存)(多久|多长时间)|(谁能看|谁看得到|会不会泄露|安全吗)")


_WHY_THIS = re.compile(r"(要|问|说)(我的?)?(身份证|电话|号码|名字|姓名|这个|生日|地址|手机|年龄)(号码?|号)?"
                       r"(干啥|干嘛|干吗|干什么|做什么|有啥用|有什么用)")
_WHAT_IS_THIS = re.compile(r"^(你们?)?(这个|这|这里|那个)(是|是个)?(干什么|干啥|干嘛|做什么|办什么|办啥|什么|啥)"
                           r"(的|用的|东西|机器)?(呀|啊|呢|吗)?$")
_COST = re.compile(r"(多少钱|要不要钱|收不收费|收不收钱|花不花钱|要钱|收钱|收费|花钱|交钱|免费)(吗|吧|不|呀|啊|呢)?$")


def aside_in(transcript: str) -> Aside | None:
    """A filler, 'I don't know' or a why-question, when that is all that was said."""
    text = w.squash(transcript)
    if not text or len(text) > 24:
        return None
    if all(known for _, known in w.tokens(text, w.FILLER_WORDS)):
        return Aside.FILLER
    core = re.sub(r"^(我也|我|嗯|那个|这个|呃)+", "", text)
    core = re.sub(r"(啊|呀|呢|了|哎)+$", "", core)
    if core in w.DONT_KNOW_WORDS or text in w.DONT_KNOW_WORDS or core in ("不知道", "不记得", "忘记了"):
        return Aside.DONT_KNOW
    # 记不住 / 身份证没带 / 我忘带了: heard perfectly well, the resident just does not have it
    if len(core) <= 10 and _NOT_AT_HAND.search(core):
        return Aside.DONT_KNOW
    # 为什么要名字 / 为什么问这个 is about the question; 为什么要交这么多物业费 is a complaint.
    if _WHY.search(text) and (len(text) <= 8 or any(k in text for k in _ABOUT_THE_QUESTION)):
        return Aside.WHY
    if len(text) <= 12 and _WHY_THIS.search(text):
        return Aside.WHY             # 要身份证干啥
    if _WHAT_IS_THIS.match(text):
        return Aside.WHAT_IS_THIS
    # 要钱吗 / 这个要多少钱, short and asked; 物业乱收费 (a complaint) is no question
    if len(text) <= 10 and _COST.search(text) and (re.search(r"(吗|多少|不要|不收|不花)", text)):
        return Aside.COST
    return None


def understand(field: FieldSpec, transcript: str, site: SiteSpec, today: dt.date | None = None) -> Heard:
    """Commands first (valid in every field), then asides, then the kind's parse and validate()."""
    transcript = transcript or ""
    words = w.words_of(transcript)
    kind = kind_of(field.type)
    if not words:
        if not transcript.strip():
            return Heard(transcript, problem=Invalid("answer.heard_nothing"))
        return Heard(transcript, problem=kind.unclear(field))
    command = command_in(transcript)
    if command is not None:
        return Heard(transcript, command=command)
    aside = aside_in(transcript)
    if aside is not None and kind.free_speech:
        return Heard(transcript, aside=aside)    # on a name screen 那个 is never the name
    when = today or dt.date.today()
    fixed = w.mid_correction(transcript) if kind.takes_corrections else None
    if fixed is not None:
        meant = kind.corrected(field, *fixed)
        if meant:
            words = [meant]
    try:
        value = kind.parse(field, words, site, when)
        value = kind.validate(field, value, site, when)
    except Invalid as problem:
        # 嗯 is a yes on a yes/no screen; where it is no answer, it is still not a mistake.
        if aside is None and len(w.squash(transcript)) <= 4 \
                and yes_no(transcript) is True and field.type not in _YES_NO_TYPES:
            aside = Aside.FILLER     # 对 / 好的 where a name or number was asked: ask again, no miss
        return Heard(transcript, aside=aside) if aside is not None else Heard(transcript, problem=problem)
    except Exception:  # a parser bug must never end the resident's visit
        log.exception("understanding a %s answer failed", field.type.value)
        return Heard(transcript, problem=kind.unclear(field))
    return Heard(transcript, value=value)


def grammar_phrases(field: FieldSpec, site: SiteSpec) -> list[str]:
    """Phrases this field can be answered with, plus commands and yes/no words (no [unk])."""
    answers = kind_of(field.type).grammar(field, site)
    if not answers:
        return []                    # free speech: the recogniser listens without a grammar
    phrases = list(answers)
    for said in COMMAND_WORDS.values():
        phrases += said
    phrases += YES_WORDS + NO_WORDS
    return list(dict.fromkeys(w.spaced(p) for p in phrases if p))


def warm_up() -> None:
    """Load the numeral and pinyin tables now (0.5 s), e.g. on a thread after Home is drawn.

    They are imported on first use so that they never delay the kiosk's first screen.
    """
    from kiosk.dialogue.kinds.choice import sound
    spoken_number("七十八")
    sound("张")
