"""Byte-exact tests of the ESC/POS encoder."""
import pytest

from kiosk.printing.escpos import EncodingError, EscPosEncoder, printable, qr_fit
from kiosk.printing.textwidth import columns_for, sanitize, text_width, wrap

GB = "gb18030"


def enc(**kw):
    return EscPosEncoder(**kw)


def test_init_selects_chinese_mode():
    assert enc().init().getvalue() == b"\x1b@\x1c&"
    assert enc(encoding="gbk").init().getvalue() == b"\x1b@\x1c&"
    assert enc(encoding="big5").init().getvalue() == b"\x1b@\x1c&"
    assert enc(encoding="utf-8").init().getvalue() == b"\x1b@\x1c(C\x02\x000\x02"


def test_chinese_text_is_gb18030_after_fs_and():
    out = enc().init().text("受理号").getvalue()
    assert out == b"\x1b@\x1c&" + b"\xca\xdc\xc0\xed\xba\xc5\n"


def test_fullwidth_punctuation_only_is_printed_not_question_marks():
    out = enc().text("，。！？").getvalue()
    assert out == "，。！？".encode(GB) + b"\n" == b"\xa3\xac\xa1\xa3\xa3\xa1\xa3\xbf\n"


def test_other_encodings():
    assert enc(encoding="gbk").text("中心").getvalue() == "中心".encode("gbk") + b"\n"
    assert enc(encoding="big5").text("中心").getvalue() == "中心".encode("big5") + b"\n"
    assert enc(encoding="utf-8").text("中心").getvalue() == "中心".encode("utf-8") + b"\n"


def test_sizes_alignment_bold_sent_only_on_change():
    e = enc()
    e.align("center").align("center").size(2, 2).size(2, 2).bold(True).bold(True)
    e.size(1, 2).size(1, 1).bold(False).align("left")
    assert e.getvalue() == (b"\x1ba\x01" + b"\x1d!\x11" + b"\x1bE\x01"
                            + b"\x1d!\x01" + b"\x1d!\x00" + b"\x1bE\x00" + b"\x1ba\x00")


def test_size_out_of_range_rejected():
    with pytest.raises(EncodingError):
        enc().size(9, 1)


def test_feed_and_cut():
    assert enc().feed(2).cut().getvalue() == b"\x1bd\x02" + b"\x1dVB\x03"


def test_native_qr_bytes():
    out = enc().qr_native("KIOSK:X", module=6).getvalue()
    assert out == (b"\x1d(k\x04\x001A2\x00"       # model 2
                   b"\x1d(k\x03\x001C\x06"        # module 6 dots
                   b"\x1d(k\x03\x001E1"           # EC level M
                   b"\x1d(k\x0a\x001P0KIOSK:X"    # store 7 bytes (+3)
                   b"\x1d(k\x03\x001Q0")          # print


def test_native_qr_module_fitted_to_paper():
    data = "KIOSK:20261123-K01-0007:A0R1KY"
    version, m58 = qr_fit(data, 58)
    _, m80 = qr_fit(data, 80)
    modules = 17 + 4 * version
    assert m80 > m58 >= 3
    assert modules * m58 <= 384 and modules * m80 <= 576
    assert bytes([m58]) == enc(paper_mm=58).qr_native(data).getvalue()[16:17]


def test_raster_qr_is_gs_v_0_of_qr_size():
    data = "KIOSK:20261123-K01-0007:A0R1KY"
    version, module = qr_fit(data, 58)
    side = (17 + 4 * version) * module
    out = enc(paper_mm=58, profile="raster_qr").qr(data).getvalue()
    width_bytes = (side + 7) // 8
    assert out[:8] == b"\x1dv0\x00" + width_bytes.to_bytes(2, "little") + side.to_bytes(2, "little")
    assert len(out) == 8 + width_bytes * side


def test_profile_picks_qr_kind():
    assert enc(profile="native_qr").qr("A").getvalue().startswith(b"\x1d(k")
    assert enc(profile="raster_qr").qr("A").getvalue().startswith(b"\x1dv0")


def test_wrap_at_character_boundaries_by_display_width():
    e = enc(paper_mm=58)                      # 32 columns
    out = e.text("a" + "中" * 20).getvalue()
    first, second, _ = out.split(b"\n")
    assert first == ("a" + "中" * 15).encode(GB)        # 31 columns; a 16th CJK would need 33
    assert second == ("中" * 5).encode(GB)


def test_wrap_width_follows_character_width_multiplier():
    e = enc(paper_mm=58).size(2, 1)
    assert e.columns == 16
    lines = e.text("中" * 10).getvalue()[3:].split(b"\n")
    assert lines[0] == ("中" * 8).encode(GB)


def test_control_characters_cannot_inject_commands():
    out = enc().text("A\x1b@B\x1dV\x00C\nD").getvalue()
    assert out == b"A@BVC D\n"


def test_unprintable_characters_become_a_raster_line_not_question_marks():
    from kiosk.printing.preview import render
    out = enc(paper_mm=58).text("张𠀀明").getvalue()
    shown = render(out, 58)
    assert shown.lines == [] and shown.images == 1     # no text line, so no '?' anywhere
    # 3 characters x 2 columns x 12 dots = 72 dots wide (9 bytes), 24 dots high
    assert out[:8] == b"\x1dv0\x00\x09\x00\x18\x00"
    assert len(out) == 8 + 9 * 24


def test_emoji_line_becomes_image_and_keeps_neighbouring_lines_as_text():
    out = enc(paper_mm=58).text("中" * 16 + "好😀").getvalue()
    assert out.startswith(("中" * 16).encode(GB) + b"\n")
    assert out[33:37] == b"\x1dv0\x00"


def test_printable_repertoire():
    assert printable("中", "gb18030") and printable("，", "gb18030") and printable("A", "big5")
    assert not printable("𠀀", "gb18030")       # 4-byte GB18030: not in printer fonts
    assert not printable("😀", "gb18030")
    assert not printable("😀", "utf-8")
    assert printable("張", "big5") and not printable("张", "big5")


def test_image_wider_than_paper_is_refused():
    from PIL import Image
    with pytest.raises(EncodingError):
        enc(paper_mm=58).image(Image.new("L", (400, 10), 255))


def test_textwidth_helpers():
    assert text_width("A中，") == 5
    assert text_width("e\u0301") == 1
    assert wrap("", 10) == [""]
    assert wrap("e\u0301e\u0301", 1) == ["e\u0301", "e\u0301"]
    assert sanitize("a\tb\u200dc") == "a bc"
    assert columns_for(58) == 32 and columns_for(80) == 48 and columns_for(80, 2) == 24


def test_closing_punctuation_never_starts_a_line():
    assert wrap("民政服务窗口（1号窗口）", 21) == ["民政服务窗口（1号", "窗口）"]   # 1号 and 窗口 stay whole
    assert wrap("好，", 2) == ["好", "，"]            # nothing to carry: the rule yields to the width
