"""Correct Mandarin readings for espeak-ng: tone-numbered pinyin only where espeak reads wrong.

espeak-ng's cmn-latn-pinyin voice reads each character with its most common reading, so it
says 银行 yín xíng, 着急 zhe jí, 办不了 bù le, never applies 一/不 tone sandhi, and reads the
surnames 曾 单 解 查 as céng dān jié chá. It does read tone-numbered pinyin written in the
text correctly (`办 yin2 hang2 业务`). So every spoken text passes through `pronounce()`:

1. the reference reading of each Han run comes from pypinyin's phrase data (polyphones in
   context), corrected for 一/不 tone sandhi, digit strings (一九五零 yi1), phrases pypinyin
   lacks, and surnames in name position (after 姓, or a short run that is a name);
2. espeak-ng's own reading of the run (`espeak-ng -q -x`, phonemes) is compared syllable by
   syllable with its reading of the reference pinyin;
3. only the characters whose phonemes differ are replaced by their pinyin.

The screen text never changes: only the speaker's copy is rewritten. Results are memoised
(fixed prompts repeat); the prompt cache keys on the pronounced text, so a fixed reading
re-renders. Without espeak-ng the text is returned unchanged.
"""
from __future__ import annotations

import functools
import logging
import re
import shutil
import subprocess
import threading

log = logging.getLogger(__name__)

VOICE = "cmn-latn-pinyin"
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff]+")
_DIGIT_CHARS = set("零〇一二两三四五六七八九十百千万幺")
# Readings a surname takes that differ from the character's common reading.
SURNAMES = {"曾": "zeng1", "单": "shan4", "解": "xie4", "查": "zha1", "仇": "qiu2", "区": "ou1",
            "朴": "piao2", "盖": "ge3", "乐": "yue4", "缪": "miao4", "繁": "po2", "尉": "yu4",
            "种": "chong2", "过": "guo1", "万": "wan4", "秘": "bi4", "谌": "chen2", "冼": "xian3"}
# Phrases pypinyin's data reads wrongly for what the kiosk means (重说 = say again).
PHRASE_FIXES = {"重说": ("chong2", "shuo1"), "重填": ("chong2", "tian2"), "重选": ("chong2", "xuan3"),
                "重输": ("chong2", "shu1"), "重来": ("chong2", "lai2"), "重写": ("chong2", "xie3"),
                "重新": ("chong2", "xin1"), "重复": ("chong2", "fu4"), "重办": ("chong2", "ban4"),
                "一月": ("yi1", "yue4")}
# 一 keeps tone 1 before these (ordinal or counted units read as numbers: 一号楼, 一单元).
_YI_AS_NUMBER_BEFORE = set("月号楼层单室栋幢期年")
_LOCK = threading.Lock()


def _tone(syllable: str) -> str:
    return syllable[-1] if syllable and syllable[-1].isdigit() else "5"


def reference(run: str) -> list[str]:
    """Tone-numbered pinyin for each character of a Han run, in context."""
    from pypinyin import Style, lazy_pinyin

    # No 3-3 sandhi here: espeak-ng applies it itself, to characters and pinyin alike.
    out = lazy_pinyin(run, style=Style.TONE3, neutral_tone_with_five=True)
    if len(out) != len(run):          # pypinyin kept something unconverted: no correction
        return out
    for phrase, readings in PHRASE_FIXES.items():
        for m in re.finditer(re.escape(phrase), run):
            out[m.start():m.end()] = list(readings)
    _surnames(run, out)
    _sandhi(run, out)
    return out


def _surnames(run: str, out: list[str]) -> None:
    """Surname readings in name position: after 姓, or a run that is itself a short name."""
    from pypinyin.phrases_dict import phrases_dict

    for i, char in enumerate(run):
        if char not in SURNAMES:
            continue
        after_xing = i > 0 and run[i - 1] == "姓"
        whole_name = i == 0 and 2 <= len(run) <= 4 and run[:2] not in phrases_dict and run[:3] not in phrases_dict
        if after_xing or whole_name:
            out[i] = SURNAMES[char]


def _sandhi(run: str, out: list[str]) -> None:
    """一/不 tone sandhi (pypinyin misses 一样, 一下, 一位): 4th tone next -> 2nd, else 一 -> 4th;
    一 stays 1st as a number (一九五零, 第一, 十一, 一号楼) and at the end of a phrase."""
    for i, char in enumerate(run):
        if char not in "一不":
            continue
        nxt = run[i + 1] if i + 1 < len(run) else ""
        prev = run[i - 1] if i > 0 else ""
        next_tone = _tone(out[i + 1]) if nxt else ""
        if char == "不":
            if next_tone == "4":
                out[i] = "bu2"
            elif nxt and out[i] == "bu2":
                out[i] = "bu4"
            continue
        # 看一看 (a verb doubled round 一) is neutral; 一位一位 is not a doubled verb.
        doubled = bool(prev) and prev == nxt and prev not in _DIGIT_CHARS and not (i >= 2 and run[i - 2] == "一")
        if doubled:
            out[i] = "yi5"
        elif (not nxt or prev in _DIGIT_CHARS or prev == "第" or nxt in _DIGIT_CHARS
                or nxt in _YI_AS_NUMBER_BEFORE):
            out[i] = "yi1"
        elif next_tone == "4" or next_tone == "5":
            out[i] = "yi2"
        else:
            out[i] = "yi4"


@functools.lru_cache(maxsize=1)
def _espeak() -> str | None:
    path = shutil.which("espeak-ng")
    if path is None:
        log.warning("espeak-ng not found: texts are spoken without pronunciation fixes")
    return path


_MARK = "XQX"                          # a separator sentence whose phonemes are easy to spot


# espeak-ng still synthesises (and discards) the audio with -q, so its CPU time grows with the
# number of samples: at its fastest plain rate it makes fewer of them and prints the same
# phonemes (tests/test_speech_pronunciation.py checks that). From 450 on it switches to the
# slower sonic speed-up.
PHONEME_RATE = 449


def _espeak_x(exe: str, text: str, rate: int = PHONEME_RATE) -> str:
    return subprocess.run([exe, "-v", VOICE, "-q", "-x", "-s", str(rate), "--stdin"], input=text,
                          capture_output=True, text=True, timeout=120, check=False).stdout


@functools.lru_cache(maxsize=1)
def _mark_line(exe: str) -> str:
    return _espeak_x(exe, _MARK + "。").strip()


def espeak_phonemes(texts: list[str]) -> list[list[str]]:
    """espeak-ng's phonemes, one list of syllables per text (one espeak-ng run for all)."""
    exe = _espeak()
    if exe is None or not texts:
        return [[] for _ in texts]
    # espeak-ng prints one line per sentence; a marker sentence between texts tells them apart.
    joined = f"\n{_MARK}。\n".join(t.strip() + "。" for t in texts)
    out: list[list[str]] = [[]]
    mark = _mark_line(exe)
    for line in _espeak_x(exe, joined).splitlines():
        if line.strip() == mark:
            out.append([])
        else:
            out[-1] += line.split()
    if len(out) != len(texts):         # a text said the marker itself: one run per text
        out = [_espeak_x(exe, t).split() for t in texts]
    return out


_FIXED: dict[str, str] = {}            # Han run -> what the speaker is given (memo)
_MAX_MEMO = 20000


def _fix(run: str, ref: list[str], said: list[str], wanted: list[str]) -> str:
    """The run with pinyin for the characters whose phonemes differ from the reference."""
    if said == wanted:
        return run
    if len(said) != len(run) or len(wanted) != len(run):
        return " " + " ".join(ref) + " "   # syllables do not line up: read the whole run as pinyin
    return "".join(c if mine == right else f" {p} " for c, mine, right, p in zip(run, said, wanted, ref, strict=True))


def _learn(runs: list[str]) -> None:
    """Work out the runs not seen before, with one espeak-ng run for all of them."""
    new = [r for r in dict.fromkeys(runs) if r not in _FIXED]
    if not new:
        return
    refs = [reference(r) for r in new]
    checkable = [i for i, ref in enumerate(refs) if len(ref) == len(new[i])]
    phonemes = espeak_phonemes([new[i] for i in checkable] + [" ".join(refs[i]) for i in checkable])
    half = len(checkable)
    if len(_FIXED) > _MAX_MEMO:
        _FIXED.clear()
    for run in new:
        _FIXED[run] = run               # unchecked runs (pypinyin kept a character) as they are
    for k, i in enumerate(checkable):
        _FIXED[new[i]] = _fix(new[i], refs[i], phonemes[k], phonemes[half + k])


def pronounce_all(texts: list[str]) -> list[str]:
    """pronounce() for many texts with one espeak-ng run (building the prompt cache, tests)."""
    if _espeak() is None:
        return list(texts)
    with _LOCK:
        _learn([m.group(0) for t in texts for m in _HAN.finditer(t or "")])
        return [_apply(t) for t in texts]


def _apply(text: str) -> str:
    return re.sub(r" {2,}", " ", _HAN.sub(lambda m: _FIXED.get(m.group(0), m.group(0)), text))


def pronounce(text: str) -> str:
    """The text as espeak-ng should be given it: pinyin only where its reading would be wrong."""
    if not text or _espeak() is None:
        return text
    return pronounce_all([text])[0]


def reference_pinyin(text: str) -> str:
    """The whole text with every Han run written as reference pinyin (the pronunciation test)."""
    return _HAN.sub(lambda m: " " + " ".join(reference(m.group(0))) + " ", text)
