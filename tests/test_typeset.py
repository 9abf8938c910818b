"""break_lines: UAX #14 breaks plus Chinese 禁则, the same function for receipts and screens."""
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.typeset import NO_LINE_END, NO_LINE_START, break_lines


def cols(s: str) -> int:
    """Printer-like measure: 2 per non-ASCII character."""
    return sum(1 if ord(c) < 128 else 2 for c in s)


HOURS = "周一到周五，上午8:30到12:00，下午1:30到5:00。请带上身份证（原件）和“户口本”。"


def test_times_dates_and_punctuation_stay_whole_at_every_width():
    for width in range(12, 60):
        lines = break_lines(HOURS, width, cols)
        assert "".join(lines) == HOURS
        for ln in lines:
            assert cols(ln) <= width
            assert ln[0] not in NO_LINE_START, lines
            assert ln[-1] not in NO_LINE_END, lines
        joined = "|".join(lines)
        for token in ("8:30", "12:00", "1:30", "5:00", "下午1:30", "身份证", "户口本", "原件"):
            assert token in joined, (width, lines)


def test_receipt_number_phone_and_protected_word_never_split_when_they_fit():
    text = "由家属代办：女儿，受理号20261123-K01-0007，电话13812345678，身份证110105********1234"
    for width in range(22, 50):
        joined = "|".join(break_lines(text, width, cols))
        for token in ("家属", "代办", "20261123-K01-0007", "13812345678", "110105********1234"):
            assert token in joined, (width, joined)


def test_a_number_longer_than_the_line_breaks_after_a_hyphen():
    assert break_lines("20261123-K01-0007", 14, cols) == ["20261123-K01-", "0007"]


def test_newlines_are_kept_and_empty_text_gives_one_line():
    assert break_lines("", 10, cols) == [""]
    assert break_lines("一\n\n二", 10, cols) == ["一", "", "二"]


def test_the_measure_decides_not_the_character_count():
    # A measure where every character is 10 units wide: 3 fit in 30.
    assert break_lines("请您带上材料", 30, lambda s: 10 * len(s)) == ["请您带", "上材料"]


def test_latin_words_break_at_spaces():
    assert break_lines("status url here", 10, len) == ["status url", "here"]


text_chars = st.sampled_from(list("社区服务中心请带上身份证家属代办，。、；：？！（）《》“”…0123456789:-年月日 abcXY"))


@settings(max_examples=200, deadline=None)
@given(st.lists(text_chars, max_size=80).map("".join), st.integers(min_value=4, max_value=48))
def test_any_text_fits_and_keeps_every_character(text, width):
    lines = break_lines(text, width, cols)
    assert re.sub(" ", "", "".join(lines)) == re.sub(" ", "", text)
    for ln in lines:
        assert cols(ln) <= width, (text, width, lines)      # the width is a hard limit


def test_a_short_quoted_name_stays_whole():
    text = "这个页面会一直留着，请稍等工作人员；办好了请点“办完了”。"
    for width in range(14, 40):
        joined = "|".join(break_lines(text, width, cols))
        assert "“办完了”。" in joined and "工作人员" in joined, (width, joined)
