"""Receipt content, masking, QR payload, and the PNG preview decoded with zbar."""
import dataclasses

import pytest
from pyzbar.pyzbar import decode

from kiosk.catalogue.spec import SiteSpec
from kiosk.config import PrinterSettings
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
