"""Pinyin -> characters for the on-screen keyboard: ranking, prefixes, pages, boosts, no Kivy."""
from __future__ import annotations

import subprocess
import sys

import pytest
from pypinyin import Style, pinyin

from kiosk.ui import pinyin_ime as ime


def readings(ch: str) -> set[str]:
    return {r.replace("ü", "v") for r in pinyin(ch, style=Style.NORMAL, heteronym=True)[0]}


def test_common_name_characters_come_first():
    assert "张" in ime.candidates("zhang")[:3]
    assert "王" in ime.candidates("wang")[:3]
    assert "秀" in ime.candidates("xiu")[:8]
    assert "英" in ime.candidates("ying")[:8]
    assert "李" in ime.candidates("li", boost=ime.SURNAMES)[:3]
    assert "张" in ime.candidates("zhang", boost=ime.SURNAMES)[:3]
    assert "王" in ime.candidates("wang", boost=ime.SURNAMES)[:3]


def test_surname_boost_puts_surnames_first_and_only_with_a_matching_reading():
    zh = ime.candidates("zh", boost=ime.SURNAMES)
    assert zh[:4] == ["张", "赵", "周", "朱"]
    assert ime.candidates("li", boost=ime.SURNAMES)[0] == "李"
    assert ime.candidates("zeng", boost=ime.SURNAMES)[0] == "曾"    # not its usual reading céng
    assert "曾" not in ime.candidates("ceng", boost=ime.SURNAMES)[:1]
    assert ime.candidates("mo", boost=ime.SURNAMES)[0] == "莫"      # 万 (wàn, mò) reads wan as a surname
    assert ime.candidates("lv", boost=ime.SURNAMES)[0] == "吕"


def test_given_name_boost_ranks_elders_name_characters_first():
    assert ime.candidates("xiu", boost=ime.GIVEN_NAME_CHARS)[0] == "秀"
    assert ime.candidates("ying", boost=ime.GIVEN_NAME_CHARS)[0] == "英"
    assert ime.candidates("gui", boost=ime.GIVEN_NAME_CHARS)[0] == "桂"


def test_whole_syllable_before_longer_ones_and_every_result_reads_that_way():
    zhan = ime.candidates("zhan", limit=50)
    exact = [c for c in zhan if "zhan" in readings(c)]
    assert zhan[:len(exact)] == exact and len(exact) >= 8
    assert "张" in ime.candidates("zhan", limit=200)
    for ch in ime.candidates("zh", limit=100):
        assert any(r.startswith("zh") for r in readings(ch)), ch
    for ch in ime.candidates("zhang", limit=50):
        assert "zhang" in readings(ch), ch


def test_pages_do_not_repeat_and_cover_everything():
    total = ime.count("zh")
    assert total > 100
    seen: list[str] = []
    page = 0
    while chunk := ime.candidates("zh", limit=8, page=page):
        assert len(chunk) <= 8
        seen += chunk
        page += 1
    assert len(seen) == len(set(seen)) == total
    assert ime.candidates("zh", limit=8, page=1) == ime.candidates("zh", limit=16)[8:]


def test_only_common_characters_of_the_basic_block():
    for prefix in ("a", "b", "zh", "x", "yi", "shi"):
        for ch in ime.candidates(prefix, limit=1000):
            assert len(ch) == 1 and "\u4e00" <= ch <= "\u9fff"
            ch.encode("gb2312")


def test_v_and_u_for_lv_and_nv():
    assert ime.candidates("nv")[0] == "女"
    assert "女" in ime.candidates("nu")[:3]
    assert "绿" in ime.candidates("lv")[:3] and "绿" in ime.candidates("lu", limit=16)
    assert ime.candidates("lü") == ime.candidates("lv")


@pytest.mark.parametrize("bad", ["", "zhangx", "v", "i", "u", "xyz", "张", "1", "zh ang", "ZHANGQ"])
def test_unknown_pinyin_gives_nothing(bad):
    assert ime.candidates(bad) == []
    assert ime.count(bad) == 0


def test_case_and_spaces_do_not_matter_and_bad_paging_is_empty():
    assert ime.candidates(" Zhang ") == ime.candidates("zhang")
    assert ime.candidates("zhang", page=-1) == []
    assert ime.candidates("zhang", limit=0) == []
    assert ime.candidates("zhang", page=100) == []


def test_is_prefix():
    assert ime.is_prefix("zh") and ime.is_prefix("zhuan") and ime.is_prefix("l")
    assert not ime.is_prefix("zhx") and not ime.is_prefix("v") and not ime.is_prefix("zhangg")


def test_importing_builds_nothing_and_loads_no_kivy():
    code = ("import sys; import kiosk.ui.pinyin_ime as m; "
            "assert m._index is None; "
            "assert not any(k == 'kivy' or k.startswith('kivy.') for k in sys.modules); "
            "assert 'pypinyin.phrases_dict' not in sys.modules; "
            "t = m.warm(); t.join(); assert m._index is not None and m.warm() is None; "
            "print(m.candidates('wang')[0])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "王"
