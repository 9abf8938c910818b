"""The shipped service forms (forms/*.yaml): they load cleanly and follow the plain-service rules."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from kiosk.catalogue import REUSE_KEYS, FieldType, load_catalogue, what_to_bring, where_to_go
from kiosk.catalogue.spec import resolve_date_bound
from kiosk.config import REPO_DIR

FORMS_DIR = REPO_DIR / "forms"
EXPECTED = {
    "elderly_allowance", "residence_certificate", "senior_card", "repair_request",
    "complaint", "meal_booking", "home_service", "living_alone_care",
}
CATALOGUE = load_catalogue(FORMS_DIR)
FORMS = list(CATALOGUE.forms.values())
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_every_shipped_form_loads_without_problems():
    assert [str(p) for p in CATALOGUE.problems] == []
    assert EXPECTED <= set(CATALOGUE.forms)


def test_forms_are_ordered_by_order_and_orders_are_distinct():
    orders = [f.order for f in FORMS]
    assert orders == sorted(orders)
    assert len(set(orders)) == len(orders)


def test_catalogue_uses_every_answer_type_except_consent():
    used = {f.type for form in FORMS for f in form.fields}
    assert used == set(FieldType) - {FieldType.CONSENT}


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_form_is_short_and_complete(form):
    assert 4 <= len(form.fields) <= 9, "complex forms shut elderly residents out"
    assert CJK.search(form.title) and CJK.search(form.intro) and CJK.search(form.department)
    assert form.pictogram.isidentifier()
    ids = {f.id for f in form.fields}
    assert not any(word in i for i in ids for word in ("applicant", "helper", "consent")), \
        "the engine adds the who-is-applying and consent prelude itself"


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_each_screen_asks_one_question_with_help(form):
    for f in form.fields:
        assert f.prompt.count("？") <= 1, f.id
        assert f.prompt[-1] in "？。", f.id
        assert len(f.help) >= 6, f.id
        assert "您" in f.prompt or "老人" in f.prompt or "？" in f.prompt, f.id


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_reused_and_personal_fields(form):
    for f in form.fields:
        if f.reuse:
            assert REUSE_KEYS[f.reuse] is f.type
            assert f.personal, f"{f.id} is fill-once personal data"
        if f.type in (FieldType.NAME, FieldType.PHONE, FieldType.ID_NUMBER, FieldType.ADDRESS):
            assert f.personal


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_spoken_choice_words_are_unambiguous(form):
    for f in form.fields:
        owner: dict[str, str] = {}
        for c in f.choices:
            for word in {c.label, *c.aliases}:
                assert owner.setdefault(word, c.value) == c.value, f"{f.id}: {word!r} names two choices"


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_date_bounds_leave_room_to_answer(form):
    today = dt.date(2026, 2, 28)
    for f in form.fields:
        if f.type is FieldType.DATE:
            assert f.min_date and f.max_date, f.id
            assert resolve_date_bound(f.min_date, today) < resolve_date_bound(f.max_date, today)


@pytest.mark.parametrize("form_id, field_id, guard, value", [
    ("repair_request", "visit_date", "needs_visit", True),
    ("repair_request", "visit_time", "needs_visit", True),
    ("meal_booking", "diet_needs", "has_diet_needs", True),
    ("meal_booking", "address", "pickup", "delivery"),
    ("complaint", "phone", "wants_callback", True),
])
def test_follow_up_questions_only_when_they_apply(form_id, field_id, guard, value):
    f = CATALOGUE.get(form_id).field(field_id)
    assert f.when.field == guard and f.when.equals == value
    assert f.when.holds({guard: value})
    assert not f.when.holds({guard: not value if isinstance(value, bool) else "dine_in"})


def test_living_alone_alarm_follow_up_tests_membership():
    f = CATALOGUE.get("living_alone_care").field("has_landline")
    assert f.when.holds({"care_needs": ["visit", "alarm"]})
    assert not f.when.holds({"care_needs": ["visit"]})


def test_residents_hear_where_to_go_and_what_to_bring():
    repair = CATALOGUE.get("repair_request")
    assert what_to_bring(repair) == "不用带材料。"
    assert where_to_go(repair).startswith("请到物业服务窗口（3号窗口）办理。办公时间：")
    assert what_to_bring(CATALOGUE.get("senior_card")).startswith("请带上：本人身份证原件；")


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_engine_understands_every_choice_word(form):
    """Each label and alias, said alone, picks its own choice (and is never taken as a command)."""
    from kiosk.catalogue import SiteSpec
    from kiosk.dialogue.understand import understand

    site = SiteSpec()
    for f in form.fields:
        for c in f.choices:
            for word in (c.label, *c.aliases):
                heard = understand(f, word, site)
                assert heard.command is None, f"{f.id}: {word!r} is a command word"
                got = heard.value if f.type is FieldType.CHOICE else (heard.value or [None])[0]
                assert got == c.value, f"{f.id}: {word!r} -> {heard}"
