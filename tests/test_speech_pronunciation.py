"""Pronunciation: espeak-ng's reading of every fixed prompt, form text and surname matches the
reference (pypinyin's phrase data with 一/不 sandhi and surnames in name position).

`pytest -k pronunciation` selects these. The comparison is in espeak-ng's own phonemes
(`espeak-ng -v cmn-latn-pinyin -q -x`): the text as the kiosk gives it to the speaker
(after `pronounce`) must sound exactly like the reference pinyin read by the same voice.
"""
from __future__ import annotations

import shutil
import subprocess

import pytest

from kiosk.config import REPO_DIR
from kiosk.speech.cache import PromptCache, cache_key, fixed_prompts
from kiosk.speech.pronounce import (
    PHONEME_RATE,
    VOICE,
    espeak_phonemes,
    pronounce,
    pronounce_all,
    reference,
    reference_pinyin,
)

pytestmark = pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng not installed")
SURNAMES_FILE = REPO_DIR / "kiosk" / "dialogue" / "kinds" / "surnames.txt"


def surnames() -> list[str]:
    names: list[str] = []
    for line in SURNAMES_FILE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            names += line.split()
    return names


def texts_to_check() -> list[str]:
    texts = fixed_prompts(REPO_DIR / "forms")
    for name in surnames():
        texts += [f"姓{name}", f"您说的是：{name}建华。对吗？"]
    return texts


def mismatches(texts: list[str]) -> list[tuple[str, str]]:
    """(text, what the speaker is given) for every text espeak-ng would read unlike the reference."""
    given = pronounce_all(texts)
    said = espeak_phonemes(given)
    wanted = espeak_phonemes([reference_pinyin(t) for t in texts])
    return [(t, g) for t, g, a, b in zip(texts, given, said, wanted, strict=True) if a != b]


def test_pronunciation_of_every_fixed_prompt_form_text_and_surname_matches_the_reference():
    texts = texts_to_check()
    assert len(texts) > 300
    bad = mismatches(texts)
    assert bad == [], f"{len(bad)} of {len(texts)} texts mispronounced, e.g. {bad[:5]}"


def test_espeak_prints_the_same_phonemes_at_the_fast_checking_rate_as_at_its_default():
    # The check reads phonemes at PHONEME_RATE (less discarded audio to synthesise); that is only
    # sound if the rate never changes the phonemes: sandhi, tones, pauses and syllables alike.
    texts = texts_to_check()[::15]
    sample = "\n".join(t + "。" for t in texts + [reference_pinyin(t) for t in texts] + ["1 3 8 0 0", "一九五零年"])

    def phonemes(*rate: str) -> str:
        return subprocess.run(["espeak-ng", "-v", VOICE, "-q", "-x", *rate, "--stdin"], input=sample,
                              capture_output=True, text=True, timeout=120, check=True).stdout

    default = phonemes()
    assert len(default.splitlines()) >= 2 * len(texts) and "21" in default   # 3-3 sandhi shows
    assert phonemes("-s", str(PHONEME_RATE)) == default


def test_pronunciation_check_catches_what_espeak_gets_wrong_unaided():
    # Without the step espeak-ng misreads these; the check above would fail on them.
    raw = ["请拿好您的银行卡。", "您别着急。", "这件事办不了。", "请说地区码。", "请再重复一遍。",
           "姓曾", "姓单", "姓解", "姓查", "您说的是：仇建华。对吗？", "一样", "不对"]
    said = espeak_phonemes(raw)
    wanted = espeak_phonemes([reference_pinyin(t) for t in raw])
    assert all(a != b for a, b in zip(said, wanted, strict=True)), [t for t, a, b in zip(raw, said, wanted, strict=True) if a == b]
    assert mismatches(raw) == []


def test_pronunciation_reference_readings_in_context():
    assert reference("银行卡") == ["yin2", "hang2", "ka3"]
    assert reference("着急") == ["zhao2", "ji2"]
    assert reference("办不了") == ["ban4", "bu4", "liao3"]
    assert reference("地区")[0] == "di4" and reference("重复")[0] == "chong2"
    assert reference("姓曾") == ["xing4", "zeng1"] and reference("曾经")[0] == "ceng2"
    assert reference("单元")[0] == "dan1" and reference("单建华")[0] == "shan4"
    assert reference("一样")[0] == "yi2" and reference("一起")[0] == "yi4"
    assert reference("一九五零")[0] == "yi1" and reference("第一")[1] == "yi1"
    assert reference("不对")[0] == "bu2" and reference("不行")[0] == "bu4"


def test_pronunciation_leaves_correct_text_alone_and_never_touches_digits():
    assert pronounce("您好，请说手机号码。") == "您好，请说手机号码。"
    assert pronounce("欢迎") != "欢迎"           # espeak-ng says 欢 with a low tone in 欢迎
    assert pronounce("1 3 8 0 0") == "1 3 8 0 0"
    assert pronounce("银行卡") == "银 hang2 卡"       # only the misread character changes


def test_pronunciation_is_part_of_the_prompt_cache_key(tmp_path):
    cache = PromptCache(tmp_path, "cmn-latn-pinyin", 130)
    text = "请带好银行卡。"
    assert cache.path_for(text).name == f"{cache_key(pronounce(text), 'cmn-latn-pinyin', 130)}.wav"
    assert cache.path_for(text) != tmp_path / f"{cache_key(text, 'cmn-latn-pinyin', 130)}.wav"
