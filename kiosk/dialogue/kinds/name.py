"""NAME: a Chinese personal name, taken out of what people wrap it in (我叫张三, 张三就是我).

How a spoken name is accepted: after the carrier phrase and trailing particles are removed, it
must be 2-4 characters (or a minority name with ·) and start with a known surname (compound
first: 欧阳, 司马; list in surnames.txt). Anything else is refused kindly and the keyboard offered.
A typed name (the resident's keyboard, or staff) is taken as written: validate() checks only
its characters and length.
"""
from __future__ import annotations

import datetime as dt
import functools
import re
import unicodedata
from pathlib import Path
from typing import Any, ClassVar

from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
from kiosk.dialogue import words as w
from kiosk.dialogue.kinds.base import FieldKind
from kiosk.dialogue.refusal import Invalid
from kiosk.privacy import mask_name

MIDDLE_DOT = "·"
# Dots people or keyboards type for the name separator in ethnic-minority names.
_DOT_VARIANTS = str.maketrans({c: MIDDLE_DOT for c in "•・‧∙⋅．."})
SAMPLE = "张 秀 英"
MAX_SPOKEN = 40
_LEADS = re.compile(r"^(?:嗯|那个|这个|呃|啊|哦|就是)*"
                    r"(?:(?:找|是)?(?:我的|我)?(?:儿子|女儿|闺女|儿媳妇|儿媳|女婿|孙子|孙女|外孙女|外孙|侄子|侄女|外甥|"
                    r"老伴|爱人|邻居|哥哥|弟弟|姐姐|妹妹|朋友)(?:的名字|名字)?(?:叫做|叫|是)?|"   # a contact: 我儿子王强
                    r"(?:她|他|老人家|老人|我妈妈|我妈|我爸爸|我爸|我母亲|我父亲|我老伴|老伴|我爱人)"
                    r"(?:的名字|名字)?(?:叫做|叫|是)|"      # a family member applying: 她叫王秀英
                    r"我的名字叫|我的名字是|我的姓名是|我名字叫|我名字是|名字叫|名字是|姓名是|姓名叫|"
                    r"我叫做|我叫|叫我|本人叫|本人是|我就是|我是|叫|是)?")
_TITLES = re.compile(r"(阿姨|叔叔|大爷|大妈|大娘|奶奶|爷爷|老师|师傅|大姐|大哥|老头|老太|老太太|同志)$")
_TRAIL = re.compile(r"(?:啊|呢|吧|呀|哦|嘛|啦|哈|哇|了|的|就是我|是我|就是)+$")


@functools.lru_cache(maxsize=1)
def surnames() -> tuple[frozenset[str], frozenset[str]]:
    """(single-character surnames, compound surnames) from surnames.txt."""
    single: set[str] = set()
    compound: set[str] = set()
    for line in (Path(__file__).with_name("surnames.txt")).read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        for name in line.split():
            (single if len(name) == 1 else compound).add(name)
    return frozenset(single), frozenset(compound)


def surname_of(name: str) -> str | None:
    """The surname a name starts with (compound first), or None."""
    single, compound = surnames()
    if name[:2] in compound:
        return name[:2]
    return name[0] if name[:1] in single else None


def name_in(said: str) -> str | None:
    """The name inside a spoken answer ('我 姓 张 叫 张 三' -> '张三'), or None when none is."""
    text = w.squash(said)[:MAX_SPOKEN]
    m = re.fullmatch(r"(?:我)?姓(.{1,2}?)(?:名字)?叫(.+)", text)
    if m:
        surname, given = m[1], _TRAIL.sub("", m[2])
        return given if given.startswith(surname) else surname + given
    m = re.fullmatch(r"(.+?)(?:就是我|是我)(?:啊|呀|呢|吧)?", text)
    if m:
        text = m[1]
    text = _LEADS.sub("", text, count=1)
    text = _TRAIL.sub("", text)
    return _first_clause(text) or None


# Where a rambling answer goes on after the name: 王秀英我今年七十八了住在七号楼 -> 王秀英
_GOES_ON = re.compile(r"我|今年|住|家住|家在|今天|岁|在|是|，")


def _first_clause(text: str) -> str:
    """A known surname's name ends where the sentence goes on to something else."""
    surname = surname_of(text) if len(text) > 4 else None
    if surname is None:
        return text
    m = _GOES_ON.search(text, len(surname) + 1)
    if m is None or m.start() > len(surname) + 2:
        return text
    return _TRAIL.sub("", text[:m.start()])


def _is_han(ch: str) -> bool:
    return unicodedata.category(ch) == "Lo" and "CJK" in unicodedata.name(ch, "")


class NameKind(FieldKind):
    """A person's name."""

    type: ClassVar[FieldType] = FieldType.NAME
    touch_widget: ClassVar[str] = "keyboard"
    typed_on_touch: ClassVar[bool] = True
    unclear_key: ClassVar[str] = "answer.unclear_name"
    free_speech: ClassVar[bool] = True

    def parse(self, field: FieldSpec, words: list[str], site: SiteSpec, today: dt.date) -> Any:
        name = name_in(" ".join(words))
        if not name or any(not w.has_han(c) and c not in "·•・" for c in name):
            raise self.unclear(field)
        plain = name.replace("·", "").replace("•", "").replace("・", "")
        if MIDDLE_DOT not in name and len(plain) >= 2 and surname_of(name) is None:
            raise Invalid("answer.name_unlikely")     # 等一下那个 / 名字不对 is not a name
        if _TITLES.search(name):
            raise Invalid("answer.name_title")        # 李阿姨 / 王师傅: the full name, please
        return name

    def validate(self, field: FieldSpec, value: Any, site: SiteSpec, today: dt.date) -> Any:
        if not isinstance(value, str):
            raise Invalid("answer.name_needed")
        name = re.sub(r"\s+", "", value).translate(_DOT_VARIANTS)
        if not name:
            raise Invalid("answer.name_needed")
        if any(not (_is_han(c) or c == MIDDLE_DOT) for c in name):
            raise Invalid("answer.name_characters")
        if name.startswith(MIDDLE_DOT) or name.endswith(MIDDLE_DOT) or MIDDLE_DOT * 2 in name:
            raise Invalid("answer.name_characters")
        count = len(name.replace(MIDDLE_DOT, ""))
        if count < 2:
            raise Invalid("answer.name_too_short")
        if count > 20:
            raise Invalid("answer.name_too_long")
        return name

    def bounds(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> dict[str, Any]:
        return {"max_length": 20}

    def end_of_speech(self, field: FieldSpec, partial_transcript: str) -> bool:
        # 张 / 张三 may still go on (张三丰); a surname with a two-character given name is how
        # most names end, so three or more characters after a known surname complete it.
        name = name_in(partial_transcript)
        if not name or not w.has_han(name) or MIDDLE_DOT in name:
            return False
        surname = surname_of(name)
        return surname is not None and len(name) - len(surname) >= 2 and len(name) <= 4

    def mask(self, value: Any, field: FieldSpec) -> str:
        return mask_name(value)

    def sample(self, field: FieldSpec, site: SiteSpec, today: dt.date | None) -> str:
        return SAMPLE


KIND = NameKind()
