"""render: screen text and TTS read-back of answers; read-backs are understood again."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalogue.spec import Choice, FieldSpec, FieldType, SiteSpec
from kiosk.dialogue.render import display, spoken
from kiosk.dialogue.understand import understand
from kiosk.dialogue.validate import id_check_digit

TODAY = dt.date(2025, 6, 1)
SITE = SiteSpec()


def field(type_: str, **extra) -> FieldSpec:
    return FieldSpec(id="f", type=FieldType(type_), label="字段", prompt="请回答", **extra)


CHOICES = [Choice(value="meal", label="助餐"), Choice(value="bath", label="助浴"), Choice(value="clean", label="保洁")]
PHONE, ID, BIRTH = field("phone"), field("id_number"), field("date", max_date="today")
AGE = field("integer", min=0, max=150, unit="岁")
ADDRESS = field("address")


@pytest.mark.parametrize("f, value, screen, speech", [
    (PHONE, "13812345678", "138 1234 5678", "1 3 8，1 2 3 4，5 6 7 8"),
    (ID, "11010519491231002X", "110105 19491231 002X", "1 1 0 1 0 5，1 9 4 9 1 2 3 1，0 0 2 叉"),
    (BIRTH, "1950-03-05", "1950年3月5日", "一九五零年三月五日"),
    (BIRTH, "2008-10-20", "2008年10月20日", "二零零八年十月二十日"),
    (AGE, 78, "78岁", "七十八岁"),
    (AGE, 102, "102岁", "一百零二岁"),
    (field("integer", min=0, max=20), 0, "0", "零"),
    (ADDRESS, {"building": "3号楼", "unit": "2单元", "room": "1203"}, "3号楼2单元1203室", "三号楼二单元一二零三室"),
    (ADDRESS, {"building": "12号楼", "unit": "1单元", "room": "302"}, "12号楼1单元302室", "十二号楼一单元三零二室"),
    (field("choice", choices=CHOICES), "bath", "助浴", "助浴"),
    (field("multi_choice", choices=CHOICES), ["clean", "meal"], "助餐、保洁", "助餐、保洁"),
    (field("yes_no"), True, "是", "是"),
    (field("yes_no"), False, "不是", "不是"),              # 不是, never 否
    (field("consent"), True, "同意", "同意"),
    (field("name"), "买买提·艾力", "买买提·艾力", "买买提·艾力"),
    (field("text", max_length=20), "水管漏了", "水管漏了", "水管漏了"),
])
def test_display_and_spoken(f, value, screen, speech):
    assert display(f, value) == screen
    assert spoken(f, value) == speech


def test_nothing_answered_shows_nothing():
    assert display(PHONE, None) == "" and spoken(PHONE, None) == ""


def test_date_objects_accepted():
    assert display(BIRTH, dt.date(1950, 3, 5)) == "1950年3月5日"


def read_back(f: FieldSpec, value):
    """What the resident would be understood as saying if they repeated the read-back."""
    h = understand(f, spoken(f, value), SITE, TODAY)
    assert h.problem is None, h.problem
    return h.value


@given(st.sampled_from("3456789"), st.text("0123456789", min_size=9, max_size=9))
def test_phone_read_back_round_trips(second, rest):
    phone = "1" + second + rest
    assert display(PHONE, phone).replace(" ", "") == phone
    assert read_back(PHONE, phone) == phone


@given(st.dates(dt.date(1900, 1, 1), TODAY), st.text("0123456789", min_size=3, max_size=3))
def test_id_read_back_round_trips(born, seq):
    first17 = "310104" + born.strftime("%Y%m%d") + seq
    number = first17 + id_check_digit(first17)
    assert display(ID, number).replace(" ", "") == number
    assert read_back(ID, number) == number


@given(st.dates(dt.date(1900, 1, 1), TODAY))
def test_date_read_back_round_trips(day):
    assert read_back(BIRTH, day.isoformat()) == day.isoformat()


@given(st.integers(0, 150))
def test_integer_read_back_round_trips(n):
    assert read_back(AGE, n) == n


@given(st.sampled_from(SITE.buildings), st.sampled_from(SITE.units),
       st.integers(1, SITE.floors), st.integers(1, SITE.rooms_per_floor))
def test_address_read_back_round_trips(building, unit, floor, room):
    value = {"building": building, "unit": unit, "room": f"{floor}{room:02d}"}
    assert read_back(ADDRESS, value) == value
