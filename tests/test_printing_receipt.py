"""Receipt content, masking, QR payload, and the PNG preview decoded with zbar."""
import dataclasses

import pytest
from pyzbar.pyzbar import decode

from kiosk.catalogue.spec import SiteSpec
from kiosk.config import PrinterSettings
from kiosk.printing.escpos import EscPosEncoder
from kiosk.printing.layout import encode_receipt
from kiosk.printing.preview import PreviewError, render
from kiosk.printing.receipt import Receipt, qr_payload, receipt_for
from kiosk.printing.sample import SampleSubmission, sample_form, sample_receipt
from kiosk.voices import say

RAW_PERSONAL = ["小明", "110105195003051234", "19500305", "13812345678", "12345678", "张丽", "13900001111"]


def test_receipt_holds_only_masked_personal_data():
    r = sample_receipt()
    assert (r.applicant_name, r.id_number, r.phone) == ("张*明", "110105********1234", "138****5678")
    assert r.proxy and r.proxy_relation == "子女"   # the stored choice value "child", in Chinese
    text = repr(r.to_dict())
    for raw in RAW_PERSONAL:
        assert raw not in text


def test_qr_payload_plain_and_url():
    assert qr_payload("20261123-K01-0007", "A0R1KY") == "KIOSK:20261123-K01-0007:A0R1KY"
    assert (qr_payload("20261123-K01-0007", "A0R1KY", "https://s.example.cn/")
            == "https://s.example.cn/r/20261123-K01-0007?c=A0R1KY")


def test_self_applicant_has_no_proxy_line():
    sub = SampleSubmission(answers={"name": "王芳", "applicant": "self"})
    r = receipt_for(sub, sample_form(), SiteSpec())
    assert not r.proxy and r.applicant_name == "王*" and r.id_number == "" and r.phone == ""
    lines = render(encode_receipt(r, PrinterSettings())).lines
    assert say("receipt_proxy") not in "".join(lines)
    assert not any(ln.startswith(say("receipt_id_label") + "：") for ln in lines)


def test_receipt_round_trips_through_dict():
    r = sample_receipt("https://s.example.cn")
    assert Receipt.from_dict(r.to_dict()) == r
    older = {k: v for k, v in r.to_dict().items() if k not in ("address", "schema")}
    older["removed_field"] = 1
    assert Receipt.from_dict(older).receipt_no == r.receipt_no


@pytest.mark.parametrize("paper_mm", [58, 80])
@pytest.mark.parametrize("profile", ["native_qr", "raster_qr"])
def test_preview_qr_decodes_to_reference_without_personal_data(paper_mm, profile):
    r = sample_receipt()
    data = encode_receipt(r, PrinterSettings(paper_mm=paper_mm, profile=profile))
    shown = render(data, paper_mm)
    codes = decode(shown.image)
    assert [c.data.decode() for c in codes] == ["KIOSK:20261123-K01-0007:A0R1KY"]
    for raw in RAW_PERSONAL:
        assert raw.encode("gb18030") not in data and raw.encode() not in data


def test_preview_shows_every_part_of_the_receipt():
    lines = render(encode_receipt(sample_receipt(), PrinterSettings()), 80).lines
    text = "\n".join(lines)
    for part in ["幸福里社区服务中心", "高龄津贴申请", "20261123-K01-0007", "2026年11月23日 09:41", "张*明",
                 "110105********1234", "138****5678", "由家属代办：子女", "户口本", "民政服务窗口（1号窗口）",
                 "上午8:30", "0571-12345"]:
        assert part in text, part


def test_url_qr_decodes_from_preview():
    r = sample_receipt("https://fuwu.example.gov.cn/kiosk")
    codes = decode(render(encode_receipt(r, PrinterSettings(paper_mm=58)), 58).image)
    assert codes[0].data.decode() == "https://fuwu.example.gov.cn/kiosk/r/20261123-K01-0007?c=A0R1KY"


def test_standard_receipt_fits_byte_budget():
    assert len(encode_receipt(sample_receipt(), PrinterSettings(paper_mm=80))) <= 700
    assert len(encode_receipt(sample_receipt(), PrinterSettings(paper_mm=58))) <= 700


def test_receipt_number_is_double_size_where_it_fits():
    data80 = encode_receipt(sample_receipt(), PrinterSettings(paper_mm=80))
    data58 = encode_receipt(sample_receipt(), PrinterSettings(paper_mm=58))
    assert b"\x1d!\x11\x1bE\x0120261123-K01-0007\n" in data80
    assert b"\x1d!\x01\x1bE\x0120261123-K01-0007\n" in data58     # 17 chars do not fit 16 double-width columns


def test_interpreter_rejects_unknown_commands_and_bad_text():
    with pytest.raises(PreviewError):
        render(b"\x1b@\x1bZ")
    with pytest.raises(PreviewError):
        render(b"\xff\xff\xff\n")
    with pytest.raises(PreviewError):
        render(b"\x1dv0\x00\x10\x00")                 # truncated raster
    with pytest.raises(PreviewError):
        render(b"A" * 49 + b"\n", 80)                 # wider than the paper


def test_interpreter_reads_sizes_and_alignment():
    shown = render(b"\x1b@\x1c&\x1ba\x01\x1d!\x11AB\n", 58)
    dark = shown.image.point(lambda v: 255 if v < 128 else 0).getbbox()
    assert shown.lines == ["AB"]
    # 2 columns x 12 dots x 2 = 48 dots wide, centred on 384 dots (+16 margin)
    assert abs((dark[0] + dark[2]) / 2 - (16 + 192)) < 14
    assert dark[3] - dark[1] > 30                     # double height


def test_receipt_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        sample_receipt().applicant_name = "张小明"


def test_every_form_prints_at_58_and_80mm_with_what_was_booked(tmp_path):
    from kiosk.catalogue.loader import load_catalogue
    from kiosk.printing.gallery import sample_submission, write_gallery

    forms = load_catalogue("forms").forms
    paths = write_gallery(list(forms.values()), SiteSpec(), tmp_path)
    assert len(paths) == 2 * len(forms) + 1 and all(p.stat().st_size > 0 for p in paths)
    for form_id, booked in (("meal_booking", ["订哪几餐：午饭、晚饭", "用餐方式：送到家里"]),
                            ("home_service", ["服务项目：家政保洁", "希望日期：2026年12月3日", "希望时间：上午"])):
        r = receipt_for(sample_submission(forms[form_id], proxy=True), forms[form_id], SiteSpec())
        lines = render(encode_receipt(r, PrinterSettings(paper_mm=58)), 58).lines
        assert "预约内容：" in lines and "由家属代办：子女" in lines
        for line in booked:
            assert line in lines, (form_id, line)
        assert any(line.startswith("提交时间：2026年12月2日") for line in lines)
    plain = receipt_for(sample_submission(forms["senior_card"], proxy=False), forms["senior_card"], SiteSpec())
    assert plain.booked == () and not plain.proxy


def test_qr_caption_tells_who_can_use_the_code():
    staff_only = render(encode_receipt(sample_receipt(), PrinterSettings()), 80).lines
    assert "工作人员扫码调取" in staff_only and "手机扫码查看办理进度" not in staff_only
    phone = render(encode_receipt(sample_receipt("https://fuwu.example.gov.cn/kiosk"), PrinterSettings()), 80).lines
    assert "手机扫码查看办理进度" in phone and "工作人员扫码调取" not in phone


def test_full_width_punctuation_counts_two_printer_columns():
    from kiosk.printing.textwidth import text_width

    # East Asian Width calls these "ambiguous" (1 column); GB18030 printers print them 2 wide.
    assert text_width("“”—…·") == 10 and text_width("A1") == 2
    line = "“" + "好" * 15 + "”"                      # 34 columns: too wide for 58 mm as one line
    lines = render(EscPosEncoder(paper_mm=58).init().text(line).getvalue(), 58).lines
    assert len(lines) == 2 and all(text_width(x) <= 32 for x in lines)
