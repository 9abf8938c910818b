"""Hostile text never breaks the layout: no line wider than the paper, text always valid GB18030."""
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, ImageDraw, ImageFont

from kiosk.catalogue.spec import SiteSpec
from kiosk.config import PrinterSettings
from kiosk.printing.escpos import DEFAULT_FONT, EscPosEncoder, printable, render_text_image
from kiosk.printing.layout import encode_receipt
from kiosk.printing.preview import render
from kiosk.printing.receipt import Receipt, receipt_for
from kiosk.printing.sample import SampleSubmission, sample_form, sample_receipt
from kiosk.printing.textwidth import COLUMN_DOTS, LINE_DOTS, char_width, columns_for, sanitize, text_width

LONG_ADDRESS = ("浙江省杭州市西湖区幸福里街道幸福路八十八号幸福里社区" * 12)[:300]
HOSTILE = ["😀👨‍👩‍👧", "𠀀𠀁𠀂", "，。！？" * 30, LONG_ADDRESS, "张𠀀明", "A" * 300, "\x1b@\x1dV\x00注入",
           "é̃ combining", "ＡＢＣ全角字母１２３", "\u200b\u200d\ufeff"]


def check_layout(data: bytes, paper_mm: int):
    shown = render(data, paper_mm)         # raises on undecodable text or any line/image wider than paper
    cols = columns_for(paper_mm)
    for line in shown.lines:
        assert text_width(line) <= cols, line
        assert line.encode("gb18030").decode("gb18030") == line
    assert shown.image.width == {58: 384, 80: 576}[paper_mm] + 32
    return shown


def hostile_receipt(text: str) -> Receipt:
    base = sample_receipt()
    return Receipt(**{**base.to_dict(), "created_at": base.created_at, "documents": (text, text[:50]),
                      "title": text, "department": text, "opening_hours": text, "centre_name": text,
                      "applicant_name": text, "address": text, "proxy_relation": text})


def test_hostile_strings_in_every_receipt_field_keep_layout():
    for text in HOSTILE:
        for paper in (58, 80):
            for profile in ("native_qr", "raster_qr"):
                check_layout(encode_receipt(hostile_receipt(text), PrinterSettings(paper_mm=paper, profile=profile)),
                             paper)


def drawn_glyph_by_glyph(text: str) -> Image.Image:
    """The line as PIL draws it one character at a time, each centred in its printer cell."""
    cols = max(1, sum(char_width(ch, "gb18030") for ch in text))
    img = Image.new("L", (cols * COLUMN_DOTS, LINE_DOTS), 255)
    draw = ImageDraw.Draw(img)
    font = ImageFont.truetype(DEFAULT_FONT, LINE_DOTS - 2)
    col = 0
    for ch in text:
        w = char_width(ch, "gb18030")
        if w:
            draw.text((col * COLUMN_DOTS + max(0, (w * COLUMN_DOTS - font.getlength(ch)) / 2), 1), ch, font=font, fill=0)
        col += w
    return img


def test_cached_glyphs_draw_every_line_exactly_as_drawing_each_character():
    # render_text_image draws each glyph once and inks it through as a mask; glyphs wider than their
    # cell (W, A, 𠀀) overlap their neighbours, where a different blend would differ by a grey level.
    for text in ["WWAA", "A" * 40, "张𠀀明 Wj@|_%&", "，。！？“”（）", "ＡＢＣ全角字母１２３", sanitize(HOSTILE[0]), "MW" * 8]:
        assert render_text_image(text).tobytes() == drawn_glyph_by_glyph(text).tobytes(), text
    assert render_text_image("WW", width_mult=2, height_mult=2).size == (48, 48)


def test_hostile_answers_are_masked_then_laid_out():
    sub = SampleSubmission(answers={"name": "😀𠀀明", "id_number": "X" * 300, "phone": "，。！？" * 10,
                                    "applicant": "proxy", "helper_relation": LONG_ADDRESS})
    r = receipt_for(sub, sample_form(), SiteSpec())
    assert r.applicant_name == "😀*明"
    shown = check_layout(encode_receipt(r, PrinterSettings(paper_mm=58)), 58)
    assert shown.images >= 1                               # the masked name drawn as an image, not '?'
    assert not any("?" in line for line in shown.lines)


def test_fullwidth_punctuation_only_prints_as_text():
    shown = check_layout(EscPosEncoder(paper_mm=58).init().text("，。！？").getvalue(), 58)
    assert shown.lines == ["，。！？"] and shown.images == 0


def test_300_character_address_wraps_without_losing_characters():
    data = EscPosEncoder(paper_mm=58).init().text(LONG_ADDRESS).getvalue()
    shown = check_layout(data, 58)
    assert "".join(shown.lines) == LONG_ADDRESS
    assert len(shown.lines) == -(-text_width(LONG_ADDRESS) // 32)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=0, max_size=120), st.sampled_from([58, 80]), st.integers(1, 2))
def test_any_text_keeps_layout_and_printable_text_round_trips(text, paper, width):
    enc = EscPosEncoder(paper_mm=paper).init().size(width, 1)
    data = enc.text(text).getvalue()
    shown = render(data, paper)
    for line in shown.lines:
        assert text_width(line) * width <= {58: 384, 80: 576}[paper] // 12
    clean = sanitize(text)
    if all(printable(ch, "gb18030") for ch in clean):
        # Every character arrives; blanks where a line breaks are not printed.
        assert "".join(shown.lines).replace(" ", "") == clean.replace(" ", "")
        assert shown.images == 0
