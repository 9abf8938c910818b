"""Understanding one spoken answer: a vosk transcript in, a structured value (or command) out.

Transcripts arrive as vosk writes them: words separated by spaces ("一 三 八 幺 二 ...",
"一九五零 年 三月 五 号", "第二 个", "张 三"). `understand()` first looks for a command
(repeat / back / help / cancel, valid on every screen), then parses the answer the field asks
for and passes it through `validate()`, so a `Heard` either carries a valid value or a problem
the resident can be told about. The word lists here also feed the vosk grammars.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import Enum

from rapidfuzz import fuzz

from kiosk.catalogue.spec import Choice, FieldSpec, FieldType, SiteSpec, resolve_date_bound
from kiosk.dialogue.validate import Invalid, validate


class Command(str, Enum):
    """What a resident can ask for on any screen instead of answering."""

    REPEAT = "repeat"
    BACK = "back"
    HELP = "help"
    CANCEL = "cancel"


@dataclass(frozen=True)
class Heard:
    """One transcript and what it meant for the current field."""

    transcript: str                # as received
    command: Command | None = None
    value: object = None           # structured, validated value when understood
    problem: Invalid | None = None  # when not understood or not acceptable


# --- word lists (also used to build vosk grammars) ---------------------------------------

DIGIT_WORDS: dict[str, str] = {
    "零": "0", "〇": "0", "洞": "0",
    "一": "1", "幺": "1",
    "二": "2", "两": "2",
    "三": "3", "四": "4", "五": "5", "六": "6", "七": "7", "八": "8", "九": "9",
    "叉": "X", "艾克斯": "X",
}
# Homophones vosk writes for the same sounds; understood, but never put into grammars.
_DIGIT_SOUNDALIKES = {"腰": "1", "妖": "1", "邀": "1", "插": "X", "差": "X", "爱克斯": "X",
                      "艾克思": "X", "x": "X", "X": "X"}
_DIGITS = {**DIGIT_WORDS, **_DIGIT_SOUNDALIKES, **{str(i): str(i) for i in range(10)}}

YES_WORDS: tuple[str, ...] = (
    "是", "是的", "对", "对的", "没错", "好", "好的", "确认", "可以", "嗯",
    "同意", "行", "没问题", "不错", "有", "要", "需要",
)
NO_WORDS: tuple[str, ...] = (
    "不是", "不对", "错了", "重说", "不要", "不", "不同意", "不行", "不用", "不需要", "没有", "否",
)
# Neither yes nor no, although they start with 不.
_UNSURE_WORDS = ("不知道", "不清楚", "不确定", "不懂", "不记得", "不好说")
_SOFT_WORDS = ("吧", "啊", "呀", "呢", "了", "的", "哦", "噢", "我", "就", "那", "这个", "请", "嘛")

COMMAND_WORDS: dict[Command, tuple[str, ...]] = {
    Command.REPEAT: ("重复", "再说一遍", "再说一次", "再讲一遍", "没听清", "没听清楚", "听不清"),
    Command.BACK: ("返回", "上一步", "上一个", "退回", "回上一步"),
    Command.HELP: ("人工", "帮忙", "工作人员", "找人", "帮助", "求助", "帮帮我", "不会用"),
    Command.CANCEL: ("取消", "不办了", "不弄了", "退出"),
}
# Politeness around a command ("请再说一遍", "我要找工作人员", "麻烦帮我找人"); a command is
# only taken when nothing else was said, so "我想找人帮我修水管" stays a text answer.
_COMMAND_PADDING = (
    "麻烦", "一下", "可以", "还是", "一个", "这个", "我们", "请", "我", "要", "想", "你", "您",
    "吧", "啊", "呀", "呢", "了", "再", "嗯", "哦", "那", "就", "能", "给", "找", "叫", "吗",
    "帮", "个", "到", "回", "先", "的", "说",
)
_COMMAND_OF = {w: c for c, words in COMMAND_WORDS.items() for w in words}
_COMMAND_VOCABULARY = tuple(_COMMAND_OF) + _COMMAND_PADDING
_ALL_WORDS = ("都要", "全部", "全都要", "都选", "全选", "所有的", "都需要")
_JOINERS = re.compile(r"还有|以及|也要|还要|加上|另外|和|跟|与|、|，|,|；|;")
_PUNCT = re.compile(r"[\s。，,！!？?、；;：:\"'“”‘’（）()《》<>…\-]+")
_UNK = "[unk]"

_UNCLEAR = {
    FieldType.CHOICE: "answer.unclear_choice",
    FieldType.MULTI_CHOICE: "answer.unclear_multi",
    FieldType.YES_NO: "answer.unclear_yes_no",
    FieldType.INTEGER: "answer.unclear_integer",
    FieldType.PHONE: "answer.unclear_phone",
    FieldType.ID_NUMBER: "answer.unclear_id",
    FieldType.DATE: "answer.unclear_date",
    FieldType.NAME: "answer.unclear_name",
    FieldType.ADDRESS: "answer.unclear_address",
    FieldType.TEXT: "answer.unclear_text",
    FieldType.CONSENT: "answer.unclear_consent",
}


# --- public entry points ------------------------------------------------------------------

def understand(field: FieldSpec, transcript: str, site: SiteSpec, today=None) -> Heard:
    """Commands first (valid in every field), then the field's own answer parse, then validate()."""
    words = [w for w in (transcript or "").split() if w.lower() != _UNK]
    if not words:
        key = "answer.heard_nothing" if not (transcript or "").strip() else _UNCLEAR[field.type]
        return Heard(transcript, problem=_unclear(field, key))
    command = command_in(transcript)
    if command is not None:
        return Heard(transcript, command=command)
    try:
        value = _PARSERS[field.type](field, words, site, today or dt.date.today())
        value = validate(field, value, site, today)
    except Invalid as problem:
        return Heard(transcript, problem=problem)
    return Heard(transcript, value=value)


def command_in(transcript: str) -> Command | None:
    """The command said, when the utterance is a command and nothing else."""
    text = _squash(transcript)
    said: set[Command] = set()
    for token, known in _tokens(text, _COMMAND_VOCABULARY):
        if not known:
            return None
        if token in _COMMAND_OF:
            said.add(_COMMAND_OF[token])
    return said.pop() if len(said) == 1 else None


def yes_no(transcript: str) -> bool | None:
    """True for a yes, False for a no, None when it is neither (or both)."""
    tokens = _tokens(_squash(transcript), YES_WORDS + NO_WORDS + _UNSURE_WORDS + _SOFT_WORDS)
    decisive: list[bool] = []
    for token, known in tokens:
        if not known:
            if not decisive:
                return None  # "他不是..." - something else came first; ask again
            continue
        if token in _UNSURE_WORDS:
            return None
        if token in NO_WORDS:
            decisive.append(False)
        elif token in YES_WORDS and token != "嗯":
            decisive.append(True)
    if not decisive:
        # A bare 嗯 is a yes; 嗯 before a no ("嗯 不是") is only hesitation.
        return True if any(t == "嗯" for t, _ in tokens) else None
    return decisive[0] if len(set(decisive)) == 1 else None


def grammar_phrases(field: FieldSpec, site: SiteSpec) -> list[str]:
    """Phrases this field can be answered with, plus commands and yes/no words (no [unk])."""
    import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
    t = field.type
    if t in (FieldType.NAME, FieldType.TEXT):
        return []
    phrases: list[str] = []
    if t in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        for choice in field.choices:
            phrases += [w for w in _terms(choice) if _has_han(w) or w.isdigit()]
        for n in range(1, len(field.choices) + 1):
            word = cn2an.an2cn(n)
            phrases += [f"第{word}个", f"第{word}", word]
        if t is FieldType.MULTI_CHOICE:
            phrases += ["和", "还有", *_ALL_WORDS]
    elif t is FieldType.INTEGER:
        low, high = field.min, field.max
        if high - low <= 1000:
            phrases += [cn2an.an2cn(n) for n in range(low, high + 1)]
        else:
            phrases += [w for w in DIGIT_WORDS if DIGIT_WORDS[w].isdigit()] + ["十", "百", "千", "万"]
        if field.unit:
            phrases.append(field.unit)
    elif t in (FieldType.PHONE, FieldType.ID_NUMBER):
        phrases += [w for w, d in DIGIT_WORDS.items() if d.isdigit() or t is FieldType.ID_NUMBER]
    elif t is FieldType.DATE:
        phrases += [w for w, d in DIGIT_WORDS.items() if d.isdigit()]
        phrases += ["十", "年", "月", "日", "号", "今天", "明天", "后天"]
    elif t is FieldType.ADDRESS:
        phrases += [_spoken_numbers(b) for b in site.buildings]
        phrases += [_spoken_numbers(u) for u in site.units]
        phrases += [w for w, d in DIGIT_WORDS.items() if d.isdigit()]
        phrases += ["十", "百", "千", "号", "楼", "单元", "室"]
    for words in COMMAND_WORDS.values():
        phrases += words
    phrases += YES_WORDS + NO_WORDS
    return list(dict.fromkeys(_spaced(p) for p in phrases if p))


# --- field parsers: words -> structured value, or Invalid -------------------------------------

def _parse_choice(field, words, site, today):
    text = _squash(" ".join(words))
    found = _pick_one(field.choices, text)
    if isinstance(found, Choice):
        return found.value
    if found:
        raise Invalid("answer.choice_ambiguous", options="、".join(c.label for c in found))
    raise _unclear(field, "answer.unclear_choice")


def _parse_multi(field, words, site, today):
    text = _squash(" ".join(words))
    if _strip_soft(text) in _ALL_WORDS:
        return [c.value for c in field.choices]  # validate() says so if that is too many
    whole = _pick_one(field.choices, text)
    if isinstance(whole, Choice) and _exactly(whole, text):
        return [whole.value]
    picked: list[Choice] = []
    for part in _JOINERS.split(text):
        part = _strip_soft(part)
        if not part:
            continue
        one = _pick_one(field.choices, part)
        if isinstance(one, Choice):
            picked.append(one)
            continue
        several = _all_within(field.choices, part)
        if not several:
            raise _unclear(field, "answer.unclear_multi")
        picked += several
    if not picked:
        raise _unclear(field, "answer.unclear_multi")
    return list(dict.fromkeys(c.value for c in picked))


def _parse_yes_no(field, words, site, today):
    answer = yes_no(" ".join(words))
    if answer is None:
        raise _unclear(field, _UNCLEAR[field.type])
    return answer


def _parse_integer(field, words, site, today):
    text = _squash(" ".join(words))
    for pad in sorted({field.unit, "周岁", "岁", "个", "人", "次", "口", "今年", "大概", "左右",
                       "我", "有", "了", "是", "一共", "共"} - {""}, key=len, reverse=True):
        # keep 一 of 一共 etc. from being read as a digit by removing whole padding words first
        text = text.replace(pad, "")
    number = spoken_number(text)
    if number is None:
        raise _unclear(field, "answer.unclear_integer")
    return number


_DIGIT_PADDING = ("身份证号码", "身份证号", "身份证", "手机号码", "手机号", "电话号码", "手机",
                  "电话", "号码", "我的", "是", "号", "的", "嗯")


def _parse_digits(field, words, site, today):
    text = _squash(" ".join(words))
    for pad in _DIGIT_PADDING:
        text = text.replace(pad, "")
    digits = spoken_digits(text)
    if digits is None or not digits:
        raise _unclear(field, _UNCLEAR[field.type])
    return digits


def _parse_date(field, words, site, today):
    text = _squash(" ".join(words))
    for pad in ("出生日期", "出生于", "出生", "生日", "日期", "我是", "我的", "是", "在", "的", "嗯"):
        text = text.replace(pad, "")
    relative = {"今天": 0, "明天": 1, "后天": 2, "大后天": 3}
    if text in relative:
        return (today + dt.timedelta(days=relative[text])).isoformat()
    m = re.fullmatch(r"(\d{4})[./](\d{1,2})[./](\d{1,2})", text) or re.fullmatch(
        r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if m:
        return _real_date(int(m[1]), int(m[2]), int(m[3]))
    m = re.fullmatch(r"(?:(.+?)年)?(.+?)月(?:(.+?)(?:日|号)?)?", text)
    if m:
        year_words, month_words, day_words = m.groups()
        month = spoken_number(month_words)
        day = spoken_number(day_words) if day_words else None
        if month is None or day is None:
            raise _unclear(field, "answer.unclear_date")
        if year_words is None:
            return _without_year(field, month, day, today)
        year = _year(year_words, month, day, field, today)
        if year is None:
            raise _unclear(field, "answer.unclear_date")
        return _real_date(year, month, day)
    if re.fullmatch(r".+年", text) and _year(text[:-1], 1, 1, field, today) is not None:
        raise Invalid("answer.date_need_month_day")
    digits = spoken_digits(text)
    if digits and len(digits) == 8 and digits.isdigit():  # "一九五零零三零五"
        return _real_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    raise _unclear(field, "answer.unclear_date")


def _year(words: str, month: int, day: int, field: FieldSpec, today: dt.date) -> int | None:
    digits = spoken_digits(words)
    if digits is None or not digits.isdigit():
        number = spoken_number(words)  # 一千九百五十
        digits = str(number) if number is not None else None
    if digits is None:
        return None
    if len(digits) == 4:
        return int(digits)
    if len(digits) != 2:
        return None
    # Two-digit years: 19xx first (residents are elderly), 20xx when only that fits the field.
    candidates = [1900 + int(digits), 2000 + int(digits)]
    for year in candidates:
        try:
            if _within(field, dt.date(year, month, day), today):
                return year
        except ValueError:
            break
    return candidates[0]


def _without_year(field: FieldSpec, month: int, day: int, today: dt.date) -> str:
    """'三月五号': fine for a date ahead (next such day), not for a birth date."""
    low = resolve_date_bound(field.min_date, today) if field.min_date else None
    if low is None or low < today:
        raise Invalid("answer.date_need_year")
    for year in (today.year, today.year + 1):
        try:
            when = dt.date(year, month, day)
        except ValueError:
            continue
        if when >= today:
            return when.isoformat()
    raise Invalid("answer.date_not_real", month=month, day=day)


def _within(field: FieldSpec, when: dt.date, today: dt.date) -> bool:
    if field.min_date and when < resolve_date_bound(field.min_date, today):
        return False
    return not (field.max_date and when > resolve_date_bound(field.max_date, today))


def _real_date(year: int, month: int, day: int) -> str:
    try:
        return dt.date(year, month, day).isoformat()
    except ValueError:
        raise Invalid("answer.date_not_real", month=month, day=day) from None


def _parse_name(field, words, site, today):
    name = "".join(words)
    for lead in ("我的名字叫", "我的名字是", "名字叫", "名字是", "我叫", "叫"):
        if name.startswith(lead) and len(name) > len(lead) + 1:
            name = name[len(lead):]
            break
    name = re.sub(r"[。，,！!？?]+$", "", name)
    if not name or any(not _has_han(c) and c not in "·•・" for c in name):
        raise _unclear(field, "answer.unclear_name")
    return name


def _parse_text(field, words, site, today):
    text = " ".join(words)
    # vosk puts spaces between Chinese words; keep them only between Latin words.
    return re.sub(r"(?<=[^\x00-\x7f])\s+|\s+(?=[^\x00-\x7f])", "", text)


def _parse_address(field, words, site, today):
    text = _squash(" ".join(words))
    text = re.sub(r"^(我住在|我住|住在|地址是|我家在|我家住|在)", "", text)
    building, rest = _address_part(text, site.buildings, r"号楼|栋|幢|座|号|楼", "号楼")
    unit, rest = _address_part(rest, site.units, r"单元|门", "单元")
    if building is None or unit is None or not rest:
        raise Invalid("answer.address_incomplete")
    room_words = re.sub(r"(室|号|房间|房)$", "", rest)
    digits = spoken_digits(room_words)
    if digits is None or not digits.isdigit():
        number = spoken_number(room_words)
        digits = str(number) if number is not None else None
    if digits is None:
        raise _unclear(field, "answer.unclear_address")
    return {"building": building, "unit": unit, "room": digits}


def _address_part(text: str, names: list[str], markers: str, suffix: str):
    """Find a building/unit at the start of text: the site's own name, or number + marker."""
    for name in sorted(names, key=len, reverse=True):
        for said in (_squash(name), _squash(_spoken_numbers(name))):
            if text.startswith(said):
                return name, text[len(said):]
    m = re.match(rf"(.+?)(?:{markers})", text)
    if not m:
        return None, text
    number = spoken_number(m[1])
    if number is None:
        return None, text
    for name in names:
        if re.fullmatch(rf"0*{number}\D*", name):
            return name, text[m.end():]
    return f"{number}{suffix}", text[m.end():]  # validate() says the site has no such one


_PARSERS = {
    FieldType.CHOICE: _parse_choice,
    FieldType.MULTI_CHOICE: _parse_multi,
    FieldType.YES_NO: _parse_yes_no,
    FieldType.CONSENT: _parse_yes_no,
    FieldType.INTEGER: _parse_integer,
    FieldType.PHONE: _parse_digits,
    FieldType.ID_NUMBER: _parse_digits,
    FieldType.DATE: _parse_date,
    FieldType.NAME: _parse_name,
    FieldType.TEXT: _parse_text,
    FieldType.ADDRESS: _parse_address,
}


# --- numbers --------------------------------------------------------------------------------

_NUMERAL_CHARS = set("零〇一二三四五六七八九十百千万两幺洞廿")


def spoken_digits(text: str) -> str | None:
    """'幺三八 洞 1 叉' -> '1380 1X': digit words read one by one; None if anything else."""
    text = re.sub(r"\s+", "", text or "")
    out: list[str] = []
    i = 0
    keys = sorted(_DIGITS, key=len, reverse=True)
    while i < len(text):
        for key in keys:
            if text.startswith(key, i):
                out.append(_DIGITS[key])
                i += len(key)
                break
        else:
            return None
    return "".join(out)


def spoken_number(text: str | None) -> int | None:
    """'七十八', '七 十 八', '一百零二', '78', '两百' -> int; None when it is not a number."""
    import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
    text = re.sub(r"\s+", "", text or "")
    if not text:
        return None
    if text.isascii() and text.isdigit():
        return int(text)
    if not set(text) <= _NUMERAL_CHARS:
        return None
    text = text.replace("幺", "一").replace("洞", "零").replace("〇", "零")
    try:
        number = cn2an.cn2an(text, "smart")
    except (ValueError, KeyError, IndexError):
        return None
    return int(number) if float(number).is_integer() else None


# --- choices ------------------------------------------------------------------------------

def _terms(choice: Choice) -> list[str]:
    """Everything a resident may say for a choice: label, value, aliases (normalised)."""
    said = (choice.label, choice.value, *choice.aliases)
    # "5号楼" is said 五号楼: match the spoken form of any arabic digits too.
    return list(dict.fromkeys(_squash(w) for t in said for w in (t, _spoken_numbers(t)) if _squash(w)))


def _exactly(choice: Choice, text: str) -> bool:
    # Compare with filler stripped on both sides, so the option 租的 matches 租的 and 租.
    terms = _terms(choice)
    return text in terms or _strip_soft(text) in {_strip_soft(t) for t in terms}


def _pick_one(choices: list[Choice], text: str) -> Choice | list[Choice] | None:
    """The one choice meant, a list of candidates when ambiguous, or None."""
    text = _strip_soft(text)
    if not text:
        return None
    exact = [c for c in choices if _exactly(c, text)]
    if len(exact) == 1:
        return exact[0]
    ordinal = _ordinal(choices, text)
    if ordinal is not None:
        return ordinal
    # Words of an option inside what was said ("我要助餐"); the longest match wins so an
    # alias like 我 does not beat 家属 in "我 家属 代办".
    best = _best(choices, [max((len(t) for t in _terms(c) if t in text), default=0)
                           for c in choices])
    if best is not None:
        return best
    # Part of an option's words ("助浴服务" option, resident says "助浴"), two characters or more.
    if len(text) >= 2:
        partial = [c for c in choices if any(text in t for t in _terms(c))]
        if len(partial) == 1:
            return partial[0]
        if len(partial) > 1:
            return partial
    return _by_sound(choices, text)


def _best(choices: list[Choice], scores: list[float]) -> Choice | list[Choice] | None:
    """The choice with the single highest positive score, or the tied ones."""
    top = max(scores, default=0)
    if top <= 0:
        return None
    winners = [c for c, s in zip(choices, scores) if s == top]
    return winners[0] if len(winners) == 1 else winners


_ORDINAL = re.compile(r"(第)?(.+?)(个|项|种|条)?")


def _ordinal(choices: list[Choice], text: str) -> Choice | None:
    """第二个 / 第二 / 二 -> the second option; a bare number only when no option names it."""
    import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
    m = _ORDINAL.fullmatch(text)
    if not m:
        return None
    n = spoken_number(m[2])
    if n is None or not 1 <= n <= len(choices):
        return None
    if not (m[1] or m[3]):
        spoken = {m[2], str(n), cn2an.an2cn(n)}
        if any(s in t for c in choices for t in _terms(c) for s in spoken):
            return None  # "二" could be the option "二楼" - not an ordinal
    return choices[n - 1]


_FOLD = [("zh", "z"), ("ch", "c"), ("sh", "s"), ("ang", "an"), ("eng", "en"), ("ing", "in")]


def _sound(text: str) -> list[str]:
    """Toneless pinyin with the usual southern mergers folded (zh=z, n=l, in=ing...)."""
    from pypinyin import Style, lazy_pinyin  # first use only: 0.3 s at start-up
    out = []
    for syllable in lazy_pinyin(text, style=Style.NORMAL, errors=lambda s: [c for c in s.lower()]):
        for a, b in _FOLD:
            syllable = syllable.replace(a, b)
        if syllable.startswith("n"):
            syllable = "l" + syllable[1:]
        out.append(syllable)
    return out


def _by_sound(choices: list[Choice], text: str) -> Choice | list[Choice] | None:
    """Homophones vosk produced (组参 for 助餐): same pinyin inside, else close pinyin."""
    heard = _sound(text)
    joined = " ".join(heard)
    inside = [0.0] * len(choices)
    near = [0.0] * len(choices)
    for i, c in enumerate(choices):
        for t in _terms(c):
            s = _sound(t)
            if (len(s) >= 2 or len(heard) == 1) and f" {' '.join(s)} " in f" {joined} ":
                inside[i] = max(inside[i], len(s))
            near[i] = max(near[i], fuzz.ratio(" ".join(s), joined))
    if any(inside):
        return _best(choices, inside)
    ranked = sorted(zip(choices, near), key=lambda kv: kv[1], reverse=True)
    if ranked and ranked[0][1] >= 80:
        if len(ranked) > 1 and ranked[1][1] >= ranked[0][1] - 5:
            return [ranked[0][0], ranked[1][0]]
        return ranked[0][0]
    return None


def _all_within(choices: list[Choice], text: str) -> list[Choice]:
    """Every option named inside one stretch of speech ("助餐助浴"), in the order said."""
    hits: list[tuple[int, int, Choice]] = []
    for c in choices:
        for t in _terms(c):
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


# --- small text helpers ---------------------------------------------------------------------

def _squash(text: str) -> str:
    """Remove spaces and punctuation; lower-case Latin letters."""
    return _PUNCT.sub("", text or "").lower()


def _strip_soft(text: str) -> str:
    """Drop 我要/我选/吧/的 etc. around an answer."""
    text = re.sub(r"^(我要选|我选|我要|我想要|选择|选|要|就是|是)", "", text)
    return re.sub(r"(吧|的|啊|呀|呢|这个|那个|这一项|这项)+$", "", text) or text


def _tokens(text: str, vocabulary: tuple[str, ...]) -> list[tuple[str, bool]]:
    """Greedy longest-match split; (token, known) pairs, unknown characters one by one."""
    vocab = sorted(set(vocabulary), key=len, reverse=True)
    out, i = [], 0
    while i < len(text):
        for word in vocab:
            if text.startswith(word, i):
                out.append((word, True))
                i += len(word)
                break
        else:
            out.append((text[i], False))
            i += 1
    return out


def _has_han(text: str) -> bool:
    return any("\u4e00" <= c <= "\u9fff" or "\u3400" <= c <= "\u4dbf" for c in text)


def _spoken_numbers(text: str) -> str:
    """'12号楼' -> '十二号楼': how people say a name that contains arabic digits."""
    import cn2an  # imported on first use: it costs 0.2 s of kiosk start-up
    return cn2an.transform(text, "an2cn") if re.search(r"\d", text) else text


def _spaced(phrase: str) -> str:
    """One vosk word per Chinese character (always in the model's vocabulary); Latin runs kept."""
    parts = re.findall(r"[A-Za-z0-9]+|[^\sA-Za-z0-9]", _spoken_numbers(phrase))
    return " ".join(parts)


def _unclear(field: FieldSpec, key: str) -> Invalid:
    if key == "answer.unclear_choice":
        return Invalid(key, options="、".join(c.label for c in field.choices))
    if key == "answer.unclear_multi":
        return Invalid(key, example="和".join(c.label for c in field.choices[:2]))
    if key == "answer.unclear_integer":
        return Invalid(key, low=field.min, high=field.max)
    return Invalid(key)


def warm_up() -> None:
    """Load the numeral and pinyin tables now (0.5 s), e.g. on a thread after Home is drawn.

    They are imported on first use so that they never delay the kiosk's first screen.
    """
    spoken_number("七十八")
    _sound("张")
