"""A card read fills the form's fields through the engine (no Kivy): whose card, which fields, what is kept."""
from __future__ import annotations

import datetime as dt

import pytest
from idcard_support import TODAY

from kiosk.catalogue.loader import load_catalogue
from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.config import REPO_DIR
from kiosk.dialogue import prelude
from kiosk.dialogue.engine import Stage, Visit
from kiosk.dialogue.events import EventType
from kiosk.idcard import fill
from kiosk.idcard.twin import demo_card
from kiosk.store.memory import MemoryStore

FORMS = load_catalogue(REPO_DIR / "forms").forms
HELPER = demo_card(name="李建国", birth=dt.date(1985, 4, 2), sex="male")


@pytest.fixture
def visit():
    v = Visit(SiteSpec(), MemoryStore("K01"), TODAY)
    v.card_reader = True
    return v


def to_field(session, field_id):
    """Answer by touch until `field_id` is asked."""
    taps = {"applicant": "self", "consent": True}
    while session.field.id != field_id:
        assert session.stage is Stage.ASK, session.stage
        session.answer(taps[session.field.id])
        session.confirm(True)


def test_senior_card_fields_filled_from_the_elders_card(visit):
    events = []
    visit.subscribe(events.append)
    session = visit.start(FORMS["senior_card"])
    to_field(session, "name")
    assert fill.offers_reader(session.fields, session.field) == fill.RESIDENT
    values = fill.values_for(demo_card(), session.fields, fill.RESIDENT)
    assert set(values) == {"name", "id_number", "birth_date"}      # the form asks for no address
    refused = session.fill(values, via="idcard")
    assert refused == {}
    assert session.answers["name"] == "张秀英"
    assert session.answers["birth_date"] == "1955-08-10"
    assert session.field.id == "kind" and session.stage is Stage.ASK
    confirmed = [e for e in events if e.type is EventType.CONFIRMED and e.data.get("via") == "idcard"]
    assert [e.data["field_id"] for e in confirmed] == ["name", "id_number", "birth_date"]
    draft = visit.store.load_draft(session.draft_id)
    assert {"name", "id_number", "birth_date"} <= set(draft.personal)      # sealed like typed answers
    assert draft.answers["id_number"] == demo_card().id_number
    assert not {"ethnicity", "authority", "photo", "address"} & set(draft.answers)
    hidden = visit.store.load_draft(session.draft_id, reveal=False)
    assert hidden.answers.get("id_number") != demo_card().id_number


def test_the_consent_says_the_card_is_read_only_when_a_reader_is_offered(visit):
    form = FORMS["senior_card"]
    assert "身份证" in prelude.consent_prompt(form, {}, True)
    assert prelude.consent_prompt(form, {}, True).endswith("您同意吗？")
    assert "刷身份证" not in prelude.consent_prompt(form, {}, False)
    assert "刷身份证" not in prelude.consent_prompt(FORMS["complaint"], {}, True)


def test_proxy_helper_card_fills_only_helper_fields_and_elder_card_only_the_elders(visit):
    session = visit.start(FORMS["senior_card"])
    session.answer("proxy")
    session.confirm(True)
    assert session.field.id == "helper_name"
    assert fill.offers_reader(session.fields, session.field) == fill.HELPER
    helper_values = fill.values_for(HELPER, session.fields, fill.HELPER)
    assert helper_values == {"helper_name": "李建国"}
    session.fill(helper_values, via="idcard")
    assert session.answers["helper_name"] == "李建国"
    assert "name" not in session.answers and "id_number" not in session.answers
    assert session.field.id == "helper_relation"
    session.answer("child")
    session.confirm(True)
    session.answer("13800138000")
    session.confirm(True)
    session.answer(True)
    session.confirm(True)
    assert session.field.id == "name"
    assert fill.offers_reader(session.fields, session.field) == fill.RESIDENT
    elder = fill.values_for(demo_card(), session.fields, fill.RESIDENT)
    assert "helper_name" not in elder
    session.fill(elder, via="idcard")
    assert session.answers["helper_name"] == "李建国" and session.answers["name"] == "张秀英"


def test_a_card_value_the_form_refuses_is_asked_instead(visit):
    session = visit.start(FORMS["senior_card"])
    to_field(session, "name")
    young = demo_card(birth=dt.date(1990, 1, 1))
    refused = session.fill(fill.values_for(young, session.fields, fill.RESIDENT), via="idcard")
    assert set(refused) == {"birth_date"}
    assert "birth_date" not in session.answers
    assert session.field.id == "birth_date" and session.stage is Stage.ASK


def test_only_asked_items_are_taken():
    form = FormSpec.model_validate({
        "id": "t", "title": "测试表格", "short_name": "测试", "pictogram": "card", "intro": "测试。",
        "department": "窗口", "opening_hours": "全天", "allow_proxy": False,
        "fields": [
            {"id": "id_number", "type": "id_number", "label": "身份证号", "prompt": "身份证号？"},
            {"id": "sex", "type": "choice", "label": "性别", "prompt": "性别？",
             "choices": [{"value": "m", "label": "男"}, {"value": "f", "label": "女"}]},
            {"id": "ethnicity", "type": "text", "label": "民族", "prompt": "民族？", "max_length": 10},
            {"id": "address", "type": "address", "label": "住址", "prompt": "住址？"},
        ],
    })
    values = fill.values_for(demo_card(), list(form.fields), fill.RESIDENT)
    assert values == {"id_number": demo_card().id_number, "sex": "f", "ethnicity": "汉族",
                      "address": {"building": "5号楼", "unit": "2单元", "room": "301"}}
    for f in FORMS["senior_card"].fields:
        assert fill.card_item(f) not in ("ethnicity", "authority")


def test_forms_without_an_id_number_do_not_offer_the_reader():
    form = FORMS["complaint"]
    fields = prelude.prelude_fields(form) + list(form.fields)
    assert all(fill.offers_reader(fields, f) is None for f in fields)


@pytest.mark.parametrize("address, parts", [
    ("浙江省杭州市西湖区幸福里5号楼2单元301室", {"building": "5号楼", "unit": "2单元", "room": "301"}),
    ("北京市朝阳区某路12栋3单元1203", {"building": "12号楼", "unit": "3单元", "room": "1203"}),
    ("浙江省杭州市西湖区某村18号", None),
])
def test_address_parts(address, parts):
    assert fill.address_parts(address) == parts
