"""Pinyin to Chinese characters for the on-screen keyboard (no Kivy, no wording).

A toneless syllable or the start of one ("zhang", "zh") gives single characters, most common
first. The index is built from pypinyin's own data: readings from `pinyin_dict`, and how
common a character is *with that reading* from how often it appears in `phrases_dict` (a
fair stand-in for frequency; 长 counts for cháng and zhǎng separately). Only GB2312 characters
of the basic CJK block are offered, so rare variants never crowd the page.

Building takes about 0.6 s (import included), so nothing happens at import time: `warm()`
starts a background build when a keyboard appears, and `candidates()` waits for it (or builds)
on first use. ü is typed as v (lv -> 吕) and, as most elders expect, also found under u (lu).
"""
from __future__ import annotations

import logging
import threading
import time
import unicodedata
from bisect import bisect_left
from collections import Counter
from functools import lru_cache

log = logging.getLogger(__name__)

# The most common surnames (2020 census order), ranked first while a name is still empty.
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林高罗郑梁谢宋唐许韩邓冯曹彭曾肖田董潘袁蔡蒋余于杜叶程魏"
    "苏吕丁任卢姚沈钟姜崔谭陆范汪廖石金韦贾夏付方邹熊白孟秦邱侯江尹薛闫段雷龙黎史陶贺毛郝顾龚邵万"
    "覃武钱戴严莫孔向常汤康易乔赖文"
)
# Surnames whose surname reading is not pypinyin's first reading.
SURNAME_READINGS = {"曾": "zeng", "覃": "qin", "单": "shan", "解": "xie", "仇": "qiu", "区": "ou"}
# Characters common in the given names of today's elders (秀英, 桂兰, 淑珍, 建国 ...), ranked
# first once the surname is in.
GIVEN_NAME_CHARS = (
    "秀英兰华珍玉凤芳淑桂梅霞明国建文德福荣军平红云春丽金海林生志永成良忠义"
    "美琴玲萍芬娟宝贵祥清秋菊莲香翠兴仁发富强庆顺民洪家"
)

_lock = threading.Lock()
_index: dict[str, list[str]] | None = None      # syllable -> characters, most common first
_syllables: list[str] = []                      # sorted, for prefix search
_score: dict[tuple[str, str], int] = {}          # (character, syllable) -> phrase count


def _plain(reading: str) -> str:
    """'zhǎng' -> 'zhang', 'lǚ' -> 'lv'; '' for readings that are not plain letters."""
    decomposed = unicodedata.normalize("NFD", reading).replace("u\u0308", "v")
    out = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return out if out.isascii() and out.isalpha() else ""


def _wanted(ch: str) -> bool:
    """Basic-block CJK ideograph in GB2312: common enough to offer."""
    if not "\u4e00" <= ch <= "\u9fff":
        return False
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _build() -> None:
    global _index, _syllables, _score
    started = time.perf_counter()
    from pypinyin.phrases_dict import phrases_dict
    from pypinyin.pinyin_dict import pinyin_dict

    score: Counter[tuple[str, str]] = Counter()
    for phrase, readings in phrases_dict.items():
        for ch, options in zip(phrase, readings, strict=False):
            if options:
                syllable = _plain(options[0])
                if syllable:
                    score[(ch, syllable)] += 1
    index: dict[str, set[str]] = {}
    for code, readings in pinyin_dict.items():
        ch = chr(code)
        if not _wanted(ch):
            continue
        for reading in readings.split(","):
            syllable = _plain(reading)
            if not syllable:
                continue
            index.setdefault(syllable, set()).add(ch)
            if "v" in syllable:   # lǚ: also under lu, as people who never learnt 'v' type it
                index.setdefault(syllable.replace("v", "u"), set()).add(ch)
                alias = (ch, syllable.replace("v", "u"))
                score[alias] = max(score[alias], score[(ch, syllable)])
    _score = dict(score)
    _index = {s: sorted(chars, key=lambda c, s=s: (-_score.get((c, s), 0), c)) for s, chars in index.items()}
    _syllables = sorted(_index)
    log.info("pinyin index: %d syllables in %.2f s", len(_syllables), time.perf_counter() - started)


def _ready() -> dict[str, list[str]]:
    with _lock:
        if _index is None:
            _build()
    return _index  # type: ignore[return-value]


def ready() -> bool:
    """True once the index is built (callers on a UI thread can avoid waiting for it)."""
    return _index is not None


def warm() -> threading.Thread | None:
    """Build the index on a background thread (None when it is already built)."""
    if _index is not None:
        return None
    thread = threading.Thread(target=_ready, daemon=True, name="pinyin-index")
    thread.start()
    return thread


def is_prefix(text: str) -> bool:
    """True when some syllable starts with `text` (so one more letter can still lead somewhere)."""
    _ready()
    text = text.lower()
    i = bisect_left(_syllables, text)
    return i < len(_syllables) and _syllables[i].startswith(text)


@lru_cache(maxsize=512)
def _ranked(prefix: str, boost: str) -> tuple[str, ...]:
    index = _ready()
    exact = index.get(prefix, [])
    longer: dict[str, int] = {}
    i = bisect_left(_syllables, prefix)
    while i < len(_syllables) and _syllables[i].startswith(prefix):
        syllable = _syllables[i]
        if syllable != prefix:
            for ch in index[syllable]:
                longer[ch] = max(longer.get(ch, 0), _score.get((ch, syllable), 0))
        i += 1
    rest = [c for c in sorted(longer, key=lambda c: (-longer[c], c)) if c not in exact]
    ranked = list(exact) + rest
    if boost:
        # Boosted characters first (whole-syllable matches before longer ones), each group in
        # the boost list's own order; only characters with a reading under prefix.
        if boost == SURNAMES:
            readings = {c: _surname_reading(c) for c in SURNAMES}
            match = {c: r for c, r in readings.items() if r.startswith(prefix)
                     or r.replace("v", "u").startswith(prefix)}
            first = sorted(match, key=lambda c: match[c] not in (prefix, prefix.replace("u", "v")))
        else:
            first = [c for c in boost if c in exact] + [c for c in boost if c in longer and c not in exact]
        ranked = first + [c for c in ranked if c not in first]
    return tuple(ranked)


def _surname_reading(ch: str) -> str:
    if ch in SURNAME_READINGS:
        return SURNAME_READINGS[ch]
    from pypinyin.pinyin_dict import pinyin_dict

    return _plain(pinyin_dict[ord(ch)].split(",")[0])


def candidates(pinyin_prefix: str, limit: int = 8, page: int = 0, boost: str = "") -> list[str]:
    """Page `page` of single characters for a toneless syllable or its start, most common first.

    `boost` is a string of characters to rank first when they have a matching reading: pass
    SURNAMES while a name is empty, GIVEN_NAME_CHARS after its surname. Unknown pinyin -> [].
    """
    prefix = pinyin_prefix.strip().lower().replace("ü", "v")
    if not prefix or not prefix.isascii() or not prefix.isalpha() or limit <= 0 or page < 0:
        return []
    ranked = _ranked(prefix, boost)
    return list(ranked[page * limit:(page + 1) * limit])


def count(pinyin_prefix: str, boost: str = "") -> int:
    """How many characters `candidates` can page through for this prefix."""
    prefix = pinyin_prefix.strip().lower().replace("ü", "v")
    if not prefix or not prefix.isascii() or not prefix.isalpha():
        return 0
    return len(_ranked(prefix, boost))
