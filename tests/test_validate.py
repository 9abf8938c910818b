"""validate(): every field type accepts good answers normalised and refuses bad ones kindly."""
from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalogue.spec import Choice, FieldSpec, FieldType, SiteSpec
from kiosk.dialogue.validate import Invalid, id_check_digit, validate
from kiosk.voices import catalogue

TODAY = dt.date(2025, 6, 1)
SITE = SiteSpec()


def field(type_: str, **extra) -> FieldSpec:
    return FieldSpec(id="f", type=FieldType(type_), label=extra.pop("label", "年龄"),
                     prompt="请回答", **extra)


SERVICES = field("multi_choice", label="服务", choices=[
    Choice(value="meal", label="助餐"), Choice(value="bath", label="助浴"),
    Choice(value="clean", label="保洁")], max_selected=2)


def refused(f: FieldSpec, value, **kw) -> Invalid:
    with pytest.raises(Invalid) as caught:
        validate(f, value, kw.pop("site", SITE), kw.pop("today", TODAY))
    bad = caught.value
    assert bad.key in catalogue(), bad.key
    assert bad.message()  # formats without missing placeholders
    return bad


def valid_id(first17: str) -> str:
    return first17 + id_check_digit(first17)


# --- ID check digit -----------------------------------------------------------------------

@pytest.mark.parametrize("number", ["11010519491231002X", "440524188001010014"])
def test_published_id_examples_have_the_right_check_digit(number):
    assert id_check_digit(number[:17]) == number[17]


def test_published_id_example_validates():
    assert validate(field("id_number"), "11010519491231002X", SITE, TODAY) == "11010519491231002X"


def test_id_check_digit_rejects_non_digits():
    with pytest.raises(ValueError):
        id_check_digit("1101051949123100")
    with pytest.raises(ValueError):
        id_check_digit("1101051949123100X")


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_any_17_digits_give_a_check_character_that_validates_as_check(first17):
    check = id_check_digit(first17)
    assert check in "0123456789X"
    # re-checking the full number: weights over all 18 with X as 10 sum to 1 mod 11
    total = sum(int(d) * pow(2, 17 - i, 11) for i, d in enumerate(first17))
    assert (total + (10 if check == "X" else int(check))) % 11 == 1


birth_days = st.dates(min_value=dt.date(1900, 1, 1), max_value=TODAY)


@given(st.sampled_from(["11", "31", "44", "65", "82"]), st.text("0123456789", min_size=4, max_size=4),
       birth_days, st.text("0123456789", min_size=3, max_size=3),
       st.integers(0, 17), st.sampled_from("0123456789X"))
def test_any_single_character_change_is_rejected(prov, area, born, seq, pos, new):
    number = valid_id(prov + area + born.strftime("%Y%m%d") + seq)
    assert validate(field("id_number"), number, SITE, TODAY) == number
    if number[pos] == new:
        return
    changed = number[:pos] + new + number[pos + 1:]
    refused(field("id_number"), changed)


# --- ID number rules ----------------------------------------------------------------------

GOOD_ID = valid_id("11010119500305123")


def test_id_lowercase_x_and_spaces_are_normalised():
    number = valid_id("11010519491231002")
    assert validate(field("id_number"), " 110105 19491231 002x ", SITE, TODAY) == number


@pytest.mark.parametrize("value, key", [
    (GOOD_ID[:17], "answer.id_length"),
    (GOOD_ID + "1", "answer.id_length"),
    ("1" * 20, "answer.id_length"),
    ("11010X19500305123" + "4", "answer.id_x_only_last"),
    ("ABCDEFGHIJKLMNOPQR", "answer.id_characters"),
    (valid_id("99010119500305123"), "answer.id_region"),
    (valid_id("00010119500305123"), "answer.id_region"),
    (valid_id("11010119501305123"), "answer.id_birth_date"),   # month 13
    (valid_id("11010119500230123"), "answer.id_birth_date"),   # 30 February
    (valid_id("11010118991231123"), "answer.id_birth_date"),   # before 1900
    (valid_id("11010120300101123"), "answer.birth_in_future"),
    (None, "answer.id_empty"),
    ("", "answer.id_empty"),
])
def test_id_refusals(value, key):
    assert refused(field("id_number"), value).key == key


def test_wrong_check_digit_message():
    wrong = GOOD_ID[:17] + ("0" if GOOD_ID[17] != "0" else "1")
    bad = refused(field("id_number"), wrong)
    assert bad.key == "answer.id_check_digit"
    assert bad.message() == "身份证号最后一位好像不对，请再核对一下。"


def test_id_birth_in_future_message():
    assert refused(field("id_number"), valid_id("11010120300101123")).message() == "出生日期不能晚于今天。"


# --- phone ----------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["13812345678", "138 1234 5678", "138-1234-5678", 19912345678])
def test_phone_accepted(value):
    assert validate(field("phone"), value, SITE, TODAY) == str(value).replace(" ", "").replace("-", "")


@pytest.mark.parametrize("value, key", [
    ("138123456789", "answer.phone_length"),
    ("1381234567", "answer.phone_length"),
    ("1" * 20, "answer.phone_length"),
    ("12812345678", "answer.phone_not_mobile"),
    ("23812345678", "answer.phone_not_mobile"),
    ("0571123456", "answer.phone_length"),
    ("1381234567a", "answer.phone_digits"),
    ("", "answer.phone_empty"),
    (None, "answer.phone_empty"),
])
def test_phone_refusals(value, key):
    assert refused(field("phone"), value).key == key


def test_phone_length_message_counts_digits():
    assert refused(field("phone"), "138123456789").message() == "手机号应该是11位数字，您说了12位，请再说一遍。"


# --- integer ------------------------------------------------------------------------------

AGE = field("integer", min=60, max=120, unit="岁")


@pytest.mark.parametrize("value, expected", [(78, 78), ("78", 78), (60, 60), (120, 120), (78.0, 78)])
def test_integer_accepted(value, expected):
    assert validate(AGE, value, SITE, TODAY) == expected


@pytest.mark.parametrize("value, key", [
    (59, "answer.integer_range"), (121, "answer.integer_range"), (True, "answer.integer_needed"),
    ("七十八", "answer.integer_needed"), (7.5, "answer.integer_needed"), (None, "answer.integer_needed"),
])
def test_integer_refusals(value, key):
    assert refused(AGE, value).key == key


def test_integer_range_message_names_bounds_and_unit():
    assert refused(AGE, 130).message() == "年龄应该在60到120岁之间，您说的是130岁，请再说一遍。"


# --- choices ------------------------------------------------------------------------------

def test_choice_accepts_only_values():
    f = field("choice", label="办理人", choices=[Choice(value="self", label="本人"),
                                               Choice(value="proxy", label="代办")])
    assert validate(f, "proxy", SITE, TODAY) == "proxy"
    bad = refused(f, "本人")  # labels are for people; the engine passes values
    assert "本人、代办" in bad.message()
    refused(f, None)


def test_multi_choice_dedupes_and_keeps_screen_order():
    assert validate(SERVICES, ["clean", "meal", "clean"], SITE, TODAY) == ["meal", "clean"]
    assert validate(SERVICES, "bath", SITE, TODAY) == ["bath"]


@pytest.mark.parametrize("value, key", [
    ([], "answer.multi_too_few_one"), (["meal", "bath", "clean"], "answer.multi_too_many"),
    (["meal", "cook"], "answer.choice_unknown"), (7, "answer.choice_unknown"),
])
def test_multi_choice_refusals(value, key):
    assert refused(SERVICES, value).key == key


def test_multi_choice_min_selected():
    f = SERVICES.model_copy(update={"min_selected": 2, "max_selected": None})
    assert refused(f, ["meal"]).message() == "请至少选2项。"
    assert validate(f, ["meal", "bath", "clean"], SITE, TODAY) == ["meal", "bath", "clean"]


# --- yes/no and consent --------------------------------------------------------------------

def test_yes_no_needs_a_bool():
    assert validate(field("yes_no"), False, SITE, TODAY) is False
    assert refused(field("yes_no"), 1).key == "answer.yes_no_needed"
    assert refused(field("yes_no"), "是").key == "answer.yes_no_needed"


def test_consent_only_true():
    assert validate(field("consent"), True, SITE, TODAY) is True
    bad = refused(field("consent"), False)
    assert bad.key == "answer.consent_needed"
    assert "同意" in bad.message() and "工作人员" in bad.message()
    refused(field("consent"), 1)


# --- dates ---------------------------------------------------------------------------------

BIRTH = field("date", label="出生日期", min_date="1900-01-01", max_date="today")
VISIT = field("date", label="预约日期", min_date="today", max_date="today+30d")


@pytest.mark.parametrize("value", ["1950-03-05", dt.date(1950, 3, 5), dt.datetime(1950, 3, 5, 9, 0)])
def test_date_normalised_to_iso(value):
    assert validate(BIRTH, value, SITE, TODAY) == "1950-03-05"


def test_date_bounds_messages():
    assert refused(BIRTH, "2025-06-02").message() == "出生日期不能晚于今天。"
    assert refused(BIRTH, "1899-12-31").message() == "出生日期不能早于1900年1月1日。"
    assert refused(VISIT, "2025-05-31").message() == "预约日期不能早于今天。"
    assert refused(VISIT, "2025-07-02").message() == "预约日期不能晚于2025年7月1日。"
    assert validate(VISIT, "2025-07-01", SITE, TODAY) == "2025-07-01"


@pytest.mark.parametrize("value", ["1950-02-30", "not a date", None, 19500305])
def test_date_refuses_non_dates(value):
    assert refused(BIRTH, value).key == "answer.date_needed"


# --- names --------------------------------------------------------------------------------

NAME = field("name", label="姓名")


@pytest.mark.parametrize("value, expected", [
    ("张三", "张三"), (" 张 三 ", "张三"), ("欧阳娜娜", "欧阳娜娜"),
    ("买买提·艾力", "买买提·艾力"), ("买买提•艾力", "买买提·艾力"), ("阿依古丽・买买提", "阿依古丽·买买提"),
])
def test_names_accepted(value, expected):
    assert validate(NAME, value, SITE, TODAY) == expected


@pytest.mark.parametrize("value, key", [
    ("张", "answer.name_too_short"), ("", "answer.name_needed"), ("   ", "answer.name_needed"),
    ("张3", "answer.name_characters"), ("Zhang San", "answer.name_characters"),
    ("·张三", "answer.name_characters"), ("张··三", "answer.name_characters"),
    ("张" * 21, "answer.name_too_long"), ("张三😀", "answer.name_characters"), (None, "answer.name_needed"),
])
def test_name_refusals(value, key):
    assert refused(NAME, value).key == key


# --- address ------------------------------------------------------------------------------

ADDRESS = field("address", label="住址")


@pytest.mark.parametrize("value, expected", [
    ({"building": "3号楼", "unit": "2单元", "room": "1203"}, {"building": "3号楼", "unit": "2单元", "room": "1203"}),
    ({"building": "3", "unit": "2", "room": 302}, {"building": "3号楼", "unit": "2单元", "room": "302"}),
    ({"building": "12号楼", "unit": "1单元", "room": "1804室"}, {"building": "12号楼", "unit": "1单元", "room": "1804"}),
])
def test_address_accepted(value, expected):
    assert validate(ADDRESS, value, SITE, TODAY) == expected


@pytest.mark.parametrize("value, key", [
    ({"building": "13号楼", "unit": "1单元", "room": "302"}, "answer.address_building"),
    ({"building": "3号楼", "unit": "4单元", "room": "302"}, "answer.address_unit"),
    ({"building": "3号楼", "unit": "1单元", "room": "1905"}, "answer.address_floor"),
    ({"building": "3号楼", "unit": "1单元", "room": "1905"}, "answer.address_floor"),
    ({"building": "3号楼", "unit": "1单元", "room": "305"}, "answer.address_room_number"),
    ({"building": "3号楼", "unit": "1单元", "room": "300"}, "answer.address_room_number"),
    ({"building": "3号楼", "unit": "1单元", "room": "002"}, "answer.address_floor"),
    ({"building": "3号楼", "unit": "1单元", "room": "32"}, "answer.address_room_form"),
    ({"building": "3号楼", "unit": "1单元"}, "answer.address_incomplete"),
    ("3号楼2单元1203", "answer.address_incomplete"),
])
def test_address_refusals(value, key):
    assert refused(ADDRESS, value).key == key


def test_address_uses_site_lists():
    site = SiteSpec(buildings=["A座", "B座"], units=["东单元", "西单元"], floors=6, rooms_per_floor=2)
    good = {"building": "B座", "unit": "西单元", "room": "602"}
    assert validate(ADDRESS, good, site, TODAY) == good
    assert refused(ADDRESS, {**good, "room": "702"}, site=site).message() == \
        "本小区最高6层，房间号702好像不对，请再核对一下。"


# --- text ---------------------------------------------------------------------------------

NOTE = field("text", label="备注", max_length=50)


def test_text_stripped_and_line_breaks_folded():
    assert validate(NOTE, "  家里水管漏水\n需要维修  ", SITE, TODAY) == "家里水管漏水 需要维修"


@pytest.mark.parametrize("value, key", [
    ("", "answer.text_empty"), ("   ", "answer.text_empty"), (None, "answer.text_empty"),
    ("水管漏了😭", "answer.text_symbols"), ("好的👍🏻", "answer.text_symbols"), ("坏了☹", "answer.text_symbols"),
    ("a\x00b", "answer.text_symbols"), ("a\u200bb", "answer.text_symbols"),
    ("字" * 51, "answer.text_too_long"), ("字" * 5000, "answer.text_too_long"),
])
def test_text_refusals(value, key):
    assert refused(NOTE, value).key == key


def test_text_too_long_message_counts():
    assert refused(NOTE, "字" * 5000).message() == "内容太长了，最多50个字，现在有5000个字，请说短一点，或者删掉一些。"


def test_text_at_limit_and_mixed_scripts_accepted():
    assert validate(NOTE, "字" * 50, SITE, TODAY) == "字" * 50
    assert validate(NOTE, "WiFi密码是多少？38℃，①号窗口", SITE, TODAY) == "WiFi密码是多少？38℃，①号窗口"


# --- Invalid itself -----------------------------------------------------------------------

def test_invalid_repr_hides_params():
    bad = Invalid("answer.phone_length", count=12)
    assert "12" not in repr(bad)
    assert bad.key == "answer.phone_length" and bad.params == {"count": 12}


def test_every_answer_message_formats_with_its_placeholders():
    import string
    for key, text in catalogue().items():
        if key.startswith("answer."):
            names = {n for _, n, _, _ in string.Formatter().parse(text) if n}
            assert text.format(**{n: "x" for n in names})
