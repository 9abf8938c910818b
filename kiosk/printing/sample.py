"""The standard receipt: a fixed, fictional submission used by the benchmark, docs and tests."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.printing.receipt import Receipt, receipt_for


@dataclass
class SampleSubmission:
    """Shaped like kiosk.store.model.Submission (fictional data)."""

    receipt_no: str = "20261123-K01-0007"
    uuid: str = "0f6c1e1a9b7d4c2e8f3a5b6c7d8e9f00"
    form_id: str = "elderly_allowance"
    created_at: dt.datetime = dt.datetime(2026, 11, 23, 9, 41, tzinfo=dt.timezone(dt.timedelta(hours=8)))
    answers: dict = field(default_factory=lambda: {
        "name": "张小明", "id_number": "110105195003051234", "phone": "13812345678",
        "applicant": "proxy", "helper_name": "张丽", "helper_relation": "child", "helper_phone": "13900001111",
    })
    personal: set = field(default_factory=lambda: {"name", "id_number", "phone", "helper_name", "helper_phone"})
    check_code: str = "A0R1KY"


def sample_form() -> FormSpec:
    """A form like forms/elderly_allowance.yaml (receipt-relevant parts)."""
    return FormSpec.model_validate({
        "id": "elderly_allowance", "title": "高龄津贴申请", "short_name": "高龄津贴", "pictogram": "allowance",
        "intro": "您要申请高龄津贴。", "department": "民政服务窗口（1号窗口）",
        "opening_hours": "周一到周五，上午8:30到12:00，下午1:30到5:00",
        "documents": ["老人的身份证原件", "户口本", "老人本人的社保卡或银行卡"],
        "fields": [
            {"id": "name", "type": "name", "label": "老人姓名", "prompt": "请问老人叫什么名字？", "reuse": "name"},
            {"id": "id_number", "type": "id_number", "label": "身份证号", "prompt": "请说老人的身份证号码。"},
            {"id": "phone", "type": "phone", "label": "联系电话", "prompt": "请说联系电话。"},
        ],
    })


def sample_receipt(status_url_base: str = "") -> Receipt:
    """The standard receipt (masked), optionally with a status URL in the QR."""
    return receipt_for(SampleSubmission(), sample_form(), SiteSpec(), status_url_base)  # type: ignore[arg-type]
