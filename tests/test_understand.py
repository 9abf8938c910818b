"""understand(): vosk-shaped transcripts for every field type and command, good and bad."""
from __future__ import annotations

import datetime as dt

import cn2an
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.catalogue.spec import Choice, FieldSpec, FieldType, SiteSpec
from kiosk.dialogue.understand import (
    COMMAND_WORDS,
    DIGIT_WORDS,
    NO_WORDS,
    YES_WORDS,
    Aside,
    Command,
    Heard,
    command_in,
    grammar_phrases,
    spoken_digits,
    spoken_number,
    understand,
    yes_no,
)
from kiosk.dialogue.validate import Invalid, id_check_digit
from kiosk.voices import catalogue

TODAY = dt.date(2025, 6, 1)
SITE = SiteSpec()


def field(type_: str, **extra) -> FieldSpec:
    return FieldSpec(id="f", type=FieldType(type_), label=extra.pop("label", "字段"),
                     prompt="请回答", **extra)


def heard(f: FieldSpec, transcript: str, site: SiteSpec = SITE) -> Heard:
    h = understand(f, transcript, site, TODAY)
    assert h.transcript == transcript
    if h.problem is not None:
        assert h.value is None and h.command is None
        assert h.problem.key in catalogue()
        assert h.problem.message()
    return h


def value_of(f: FieldSpec, transcript: str, site: SiteSpec = SITE):
    h = heard(f, transcript, site)
    assert h.problem is None and h.command is None, (transcript, h.problem)
    return h.value


def problem_of(f: FieldSpec, transcript: str, site: SiteSpec = SITE) -> Invalid:
    h = heard(f, transcript, site)
    assert h.problem is not None, (transcript, h.value)
    return h.problem


PHONE = field("phone", label="手机号")
ID = field("id_number", label="身份证号")
AGE = field("integer", label="年龄", min=0, max=150, unit="岁")
BIRTH = field("date", label="出生日期", min_date="1900-01-01", max_date="today")
VISIT = field("date", label="预约日期", min_date="today", max_date="today+60d")
NAME = field("name", label="姓名")
NOTE = field("text", label="备注", max_length=100)
ADDRESS = field("address", label="住址")
YES_NO = field("yes_no", label="独居")
CONSENT = field("consent", label="同意")
SERVICE_CHOICES = [
    Choice(value="meal", label="助餐", aliases=["吃饭", "送饭"]),
    Choice(value="bath", label="助浴", aliases=["洗澡"]),
    Choice(value="clean", label="保洁", aliases=["打扫卫生"]),
    Choice(value="doctor", label="医疗陪护"),
]
SERVICE = field("choice", label="服务", choices=SERVICE_CHOICES)
SERVICES = field("multi_choice", label="服务", choices=SERVICE_CHOICES, max_selected=3)
APPLICANT = field("choice", label="办理人", choices=[
    Choice(value="self", label="本人办理", aliases=["本人", "自己", "我自己", "我"]),
    Choice(value="proxy", label="家属代办", aliases=["代办", "家属", "帮老人", "替老人"]),
])
FLOOR = field("choice", label="楼层", choices=[Choice(value="f1", label="一楼"),
                                              Choice(value="f2", label="二楼"),
                                              Choice(value="f3", label="三楼")])


# --- commands -----------------------------------------------------------------------------

@pytest.mark.parametrize("transcript, command", [
    ("重复", Command.REPEAT), ("再说 一遍", Command.REPEAT), ("再 说 一 遍", Command.REPEAT),
    ("请 再说 一遍", Command.REPEAT), ("没 听 清", Command.PARDON), ("我 没听清楚", Command.PARDON),
    ("返回", Command.BACK), ("上一步", Command.BACK), ("上 一个", Command.BACK),
    ("返回 上一步", Command.BACK), ("回 上一步 吧", Command.BACK),
    ("人工", Command.HELP), ("帮忙", Command.HELP), ("工作人员", Command.HELP),
    ("我 要 找 工作人员", Command.HELP), ("找人", Command.HELP), ("帮助", Command.HELP),
    ("麻烦 帮 我 找 人", Command.HELP), ("帮 帮 我", Command.HELP),
    ("取消", Command.CANCEL), ("不 办 了", Command.CANCEL), ("我 不办了", Command.CANCEL),
])
def test_commands(transcript, command):
    assert command_in(transcript) is command
    for f in (PHONE, NAME, NOTE, SERVICE, YES_NO, ADDRESS, BIRTH):
        h = heard(f, transcript)
        assert h.command is command and h.value is None and h.problem is None


@pytest.mark.parametrize("transcript", [
    "", "是", "不是", "重说", "张 三", "一 三 八", "我 想 找 人 帮 我 修 水管", "需要 帮助 洗澡",
    "取消 的 那个 订单 怎么 办",
])
def test_not_commands(transcript):
    assert command_in(transcript) is None


def test_every_command_word_is_a_command():
    for command, words in COMMAND_WORDS.items():
        for word in words:
            assert command_in(" ".join(word)) is command, word


def test_command_inside_text_answer_stays_text():
    assert value_of(NOTE, "我 想 找 人 帮 我 修 水管") == "我想找人帮我修水管"


# --- yes / no -----------------------------------------------------------------------------

@pytest.mark.parametrize("transcript", [
    "是", "是的", "是 的", "对", "对的", "没错", "好", "好的", "确认", "可以", "嗯", "同意",
    "对 对 对", "是 我 本人", "确认 无误", "没问题", "好 吧", "有",
])
def test_yes(transcript):
    assert yes_no(transcript) is True
    assert value_of(YES_NO, transcript) is True


@pytest.mark.parametrize("transcript", [
    "不是", "不 是", "不对", "不 对", "错了", "重说", "不要", "不", "不同意", "没有", "不 是 的",
    "嗯 不 对", "不用 了",
])
def test_no(transcript):
    assert yes_no(transcript) is False
    assert value_of(YES_NO, transcript) is False


@pytest.mark.parametrize("transcript", ["", "不知道", "是 不是", "今天 天气 很好", "他 不是", "对 不对"])
def test_neither_yes_nor_no(transcript):
    assert yes_no(transcript) is None


def test_yes_no_field_unclear_message():
    assert problem_of(YES_NO, "今天 天气 很好").message() == "没听清楚，请说“是”或者“不是”。"


def test_word_lists_do_not_overlap():
    assert not set(YES_WORDS) & set(NO_WORDS)
    assert all(yes_no(w) is True for w in YES_WORDS)
    assert all(yes_no(w) is False for w in NO_WORDS)


def test_consent():
    assert value_of(CONSENT, "同意") is True
    assert value_of(CONSENT, "好 的") is True
    bad = problem_of(CONSENT, "不同意")
    assert bad.key == "answer.consent_needed"
    assert problem_of(CONSENT, "不 是").key == "answer.consent_needed"
    assert problem_of(CONSENT, "随便 吧").key == "answer.unclear_consent"
    # 什么意思 is a question about the statement: answered with its help, never a refusal
    assert understand(CONSENT, "什么 意思", SITE, TODAY).aside is Aside.WHY


# --- digits: phone and ID -------------------------------------------------------------------

@pytest.mark.parametrize("transcript", [
    "一 三 八 幺 二 三 四 五 六 七 八", "幺三八幺二三四五六七八", "13812345678",
    "一三八 一二三四 五六七八", "138 1234 5678", "我 的 手机号 是 一 三 八 一 二 三 四 五 六 七 八",
    "幺 三 八 幺 两 三 四 五 六 七 八",
])
def test_phone(transcript):
    assert value_of(PHONE, transcript) == "13812345678"


def test_phone_with_zero_as_dong():
    assert value_of(PHONE, "幺 三 洞 洞 洞 洞 洞 洞 洞 洞 幺") == "13000000001"


@pytest.mark.parametrize("transcript, key", [
    ("一 三 八 幺 二 三 四 五 六 七 八 九", "answer.phone_length"),
    ("一 二 三 四 五 六 七 八 九 零 一 二 三 四 五 六 七 八 九 零", "answer.phone_length"),
    ("12345678901234567890", "answer.phone_length"),
    ("一 三 八", "answer.phone_length"),
    ("一 二 三 四 五 六 七 八 九 零 一", "answer.phone_not_mobile"),
    ("你好 世界", "answer.unclear_phone"),
    ("一 三 八 什么 来着", "answer.unclear_phone"),
    ("", "answer.heard_nothing"),
    ("   ", "answer.heard_nothing"),
    ("[unk]", "answer.unclear_phone"),
])
def test_phone_bad(transcript, key):
    assert problem_of(PHONE, transcript).key == key


def test_phone_messages():
    assert problem_of(PHONE, "一 三 八 幺 二 三 四 五 六 七 八 九").message() == \
        "手机号应该是11位数字，您说了12位，请再说一遍。"
    assert problem_of(PHONE, "你好").message() == "没听清楚，请说11位手机号码，一位一位地说就可以。"


VARIANTS = {"0": ["零", "洞", "0"], "1": ["一", "幺", "1"], "2": ["二", "两", "2"]}


def speak_digits(draw, digits: str) -> str:
    words = [draw(st.sampled_from(VARIANTS.get(d, [k for k, v in DIGIT_WORDS.items() if v == d] + [d])))
             for d in digits]
    joins = draw(st.lists(st.sampled_from([" ", ""]), min_size=len(words), max_size=len(words)))
    return "".join(w + j for w, j in zip(words, joins, strict=False)).strip()


@st.composite
def spoken_phones(draw):
    digits = "1" + draw(st.sampled_from("3456789")) + draw(st.text("0123456789", min_size=9, max_size=9))
    return digits, speak_digits(draw, digits)


@given(spoken_phones())
def test_any_spoken_phone_parses_back(case):
    digits, transcript = case
    assert value_of(PHONE, transcript) == digits


@st.composite
def spoken_digit_strings(draw):
    digits = draw(st.text("0123456789", min_size=1, max_size=30))
    return digits, speak_digits(draw, digits)


@given(spoken_digit_strings())
def test_any_spoken_digit_string_parses_back(case):
    digits, transcript = case
    assert spoken_digits(transcript) == digits


def id_with_check(first17: str) -> str:
    return first17 + id_check_digit(first17)


@pytest.mark.parametrize("ending", ["叉", "艾克斯", "x", "X", "艾 克 斯", "插"])
def test_id_with_x(ending):
    transcript = "一 一 零 一 零 五 一 九 四 九 一 二 三 一 零 零 二 " + ending
    assert value_of(ID, transcript) == "11010519491231002X"


@st.composite
def spoken_ids(draw):
    born = draw(st.dates(dt.date(1900, 1, 1), TODAY))
    first17 = draw(st.sampled_from(["110105", "310104", "440305", "650102"])) + \
        born.strftime("%Y%m%d") + draw(st.text("0123456789", min_size=3, max_size=3))
    number = id_with_check(first17)
    spoken = speak_digits(draw, first17) + " " + (draw(st.sampled_from(["叉", "艾克斯"]))
                                                 if number[-1] == "X" else speak_digits(draw, number[-1]))
    return number, spoken


@given(spoken_ids())
def test_any_spoken_id_parses_back(case):
    number, transcript = case
    assert value_of(ID, transcript) == number


def test_id_bad():
    good = id_with_check("11010119500305123")
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    assert problem_of(ID, " ".join(wrong_check)).message() == "身份证号最后一位好像不对，请再核对一下。"
    future = id_with_check("11010120300101123")
    assert problem_of(ID, " ".join(future)).message() == "出生日期不能晚于今天。"
    assert problem_of(ID, " ".join(good[:17])).key == "answer.id_length"
    assert problem_of(ID, "一" * 20).key == "answer.id_length"
    assert heard(ID, "我 不 知道").aside is Aside.DONT_KNOW     # what it is, not a wrong number


# --- integers -----------------------------------------------------------------------------

@pytest.mark.parametrize("transcript, number", [
    ("七十 八", 78), ("七 十 八", 78), ("七十八", 78), ("78", 78), ("七十八 岁", 78),
    ("我 今年 七十八 岁 了", 78), ("一百零二", 102), ("一百 零 二", 102), ("十", 10), ("零", 0),
    ("两", 2), ("一百一十五", 115), ("一百五十", 150), ("九十 周岁", 90), ("幺 零 二", 102),
])
def test_integers(transcript, number):
    assert value_of(AGE, transcript) == number


@pytest.mark.parametrize("transcript, key", [
    ("两百", "answer.integer_range"), ("一百五十一", "answer.integer_range"), ("999", "answer.integer_range"),
    ("很多", "answer.unclear_integer"), ("七十 多", "answer.unclear_integer"), ("", "answer.heard_nothing"),
])
def test_integers_bad(transcript, key):
    assert problem_of(AGE, transcript).key == key


def test_integer_range_message():
    assert problem_of(AGE, "两百 岁").message() == "年龄应该在0到150岁之间，您说的是200岁，请再说一遍。"


@st.composite
def spoken_ints(draw):
    n = draw(st.integers(0, 150))
    words = list(cn2an.an2cn(n))
    joins = draw(st.lists(st.sampled_from([" ", ""]), min_size=len(words), max_size=len(words)))
    return n, "".join(w + j for w, j in zip(words, joins, strict=False)).strip()


@given(spoken_ints())
def test_any_spoken_integer_parses_back(case):
    n, transcript = case
    assert spoken_number(transcript) == n
    assert value_of(AGE, transcript) == n


# --- dates --------------------------------------------------------------------------------

@pytest.mark.parametrize("transcript, iso", [
    ("一九五零 年 三月 五 号", "1950-03-05"), ("一九五零年三月五号", "1950-03-05"),
    ("一 九 五 零 年 三 月 五 号", "1950-03-05"), ("五零 年 三月 五 号", "1950-03-05"),
    ("1950年3月5日", "1950-03-05"), ("1950 年 3 月 5 日", "1950-03-05"), ("1950-03-05", "1950-03-05"),
    ("一九五零 年 三月 五", "1950-03-05"), ("二零零八 年 十月 二十 号", "2008-10-20"),
    ("一九四九 年 十二月 三十一 日", "1949-12-31"), ("我 是 一九五零 年 三月 五 号 出生 的", "1950-03-05"),
    ("一九五零零三零五", "1950-03-05"), ("幺 九 五 洞 年 三 月 五 号", "1950-03-05"),
])
def test_birth_dates(transcript, iso):
    assert value_of(BIRTH, transcript) == iso


def test_two_digit_year_uses_the_century_that_fits():
    assert value_of(BIRTH, "零五 年 一月 一 号") == "1905-01-01"
    assert value_of(VISIT, "二五 年 六月 十 号") == "2025-06-10"


@pytest.mark.parametrize("transcript, key", [
    ("三月 五 号", "answer.date_need_year"),
    ("一九五零 年", "answer.date_need_month_day"),
    ("二零三零 年 一月 一 号", "answer.date_after_today"),
    ("一九五零 年 二月 三十 号", "answer.date_not_real"),
    ("一九五零 年 十三 月 一 号", "answer.date_not_real"),
    ("一八八零 年 一月 一 号", "answer.date_too_early"),
    ("很久 以前", "answer.unclear_date"),
    ("", "answer.heard_nothing"),
])
def test_birth_dates_bad(transcript, key):
    assert problem_of(BIRTH, transcript).key == key


def test_birth_date_messages():
    assert problem_of(BIRTH, "二零三零 年 一月 一 号").message() == "出生日期不能晚于今天。"
    assert "年份" in problem_of(BIRTH, "三月 五 号").message()


@pytest.mark.parametrize("transcript, iso", [
    ("六月 十 号", "2025-06-10"), ("今天", "2025-06-01"), ("明天", "2025-06-02"), ("后天", "2025-06-03"),
    ("七月 一 号", "2025-07-01"),
])
def test_dates_ahead_need_no_year(transcript, iso):
    assert value_of(VISIT, transcript) == iso


def test_date_ahead_out_of_range():
    assert problem_of(VISIT, "五月 一 号").key == "answer.date_too_late"  # next year's 1 May


# --- choices ------------------------------------------------------------------------------

@pytest.mark.parametrize("transcript, value", [
    ("助餐", "meal"), ("助 餐", "meal"), ("我 要 助餐", "meal"), ("助浴 吧", "bath"),
    ("洗澡", "bath"), ("打扫 卫生", "clean"), ("我 要 打扫 卫生", "clean"), ("meal", "meal"),
    ("医疗 陪护", "doctor"), ("陪护", "doctor"),
    ("第一个", "meal"), ("第二 个", "bath"), ("第 三 个", "clean"), ("第四", "doctor"), ("二", "bath"),
    ("组 参", "meal"), ("住 玉", "bath"), ("保 结", "clean"), ("一 疗 陪 户", "doctor"),
])
def test_choice(transcript, value):
    assert value_of(SERVICE, transcript) == value


@pytest.mark.parametrize("transcript, value", [
    ("本人", "self"), ("我自己", "self"), ("我", "self"), ("本人 办理", "self"),
    ("代办", "proxy"), ("代 办", "proxy"), ("我 家属 代办", "proxy"), ("帮 老人 办", "proxy"),
])
def test_choice_longest_words_win(transcript, value):
    assert value_of(APPLICANT, transcript) == value


def test_bare_number_is_not_an_ordinal_when_an_option_says_it():
    assert problem_of(FLOOR, "二").key == "answer.unclear_choice"
    assert value_of(FLOOR, "二楼") == "f2"
    assert value_of(FLOOR, "第三个") == "f3"


def test_choice_labels_with_arabic_digits_are_matched_as_spoken():
    f = field("choice", choices=[Choice(value="w3", label="3号窗口"), Choice(value="w5", label="5号窗口")])
    assert value_of(f, "五 号 窗口") == "w5"
    assert value_of(f, "五号") == "w5"
    assert value_of(f, "第二 个") == "w5"
    assert problem_of(f, "五").key == "answer.unclear_choice"  # neither an ordinal (only 2) nor a label


@pytest.mark.parametrize("transcript", ["第五个", "第十", "五"])
def test_ordinal_out_of_range(transcript):
    assert problem_of(SERVICE, transcript).key == "answer.unclear_choice"


def test_choice_unknown_lists_options():
    assert problem_of(SERVICE, "今天 天气 很好").message() == \
        "没听清楚，请说一下您要选哪一项：助餐、助浴、保洁、医疗陪护。也可以直接点屏幕。"


def test_choice_ambiguous():
    f = field("choice", choices=[Choice(value="a", label="助餐服务"), Choice(value="b", label="助浴服务")])
    bad = problem_of(f, "服务")
    assert bad.key == "answer.choice_which"          # two close options: ask which one
    assert bad.message() == "是助餐服务，还是助浴服务？"


@pytest.mark.parametrize("transcript, values", [
    ("助餐 和 助浴", ["meal", "bath"]), ("助浴 和 助餐", ["meal", "bath"]), ("助餐助浴", ["meal", "bath"]),
    ("助餐 还有 保洁", ["meal", "clean"]), ("第一个 和 第三个", ["meal", "clean"]),
    ("洗澡 跟 打扫 卫生", ["bath", "clean"]), ("助餐", ["meal"]), ("组参 和 住玉", ["meal", "bath"]),
    ("助餐 和 助餐", ["meal"]), ("我 要 助餐 还有 助浴 吧", ["meal", "bath"]),
])
def test_multi_choice(transcript, values):
    assert value_of(SERVICES, transcript) == values


def test_multi_choice_everything_and_too_many():
    f = SERVICES.model_copy(update={"max_selected": None})
    assert value_of(f, "都要") == ["meal", "bath", "clean", "doctor"]
    assert problem_of(SERVICES, "全部").key == "answer.multi_too_many"


@pytest.mark.parametrize("transcript", ["助餐 和 洗衣服", "今天 天气", "[unk]"])
def test_multi_choice_unclear(transcript):
    assert problem_of(SERVICES, transcript).key == "answer.unclear_multi"


# --- names --------------------------------------------------------------------------------

@pytest.mark.parametrize("transcript, name", [
    ("张 三", "张三"), ("张三", "张三"), ("张 三 丰", "张三丰"), ("欧阳 娜娜", "欧阳娜娜"),
    ("王 一 二", "王一二"), ("我 叫 王 小 红", "王小红"), ("李 四", "李四"), ("钱 两 三", "钱两三"),
])
def test_names_are_not_converted(transcript, name):
    assert value_of(NAME, transcript) == name


@pytest.mark.parametrize("transcript, key", [
    ("张", "answer.name_too_short"), ("zhang san", "answer.unclear_name"), ("张 3", "answer.unclear_name"),
    ("", "answer.heard_nothing"), ("张" * 21, "answer.name_too_long"),
])
def test_names_bad(transcript, key):
    assert problem_of(NAME, transcript).key == key


# --- free text ----------------------------------------------------------------------------

@pytest.mark.parametrize("transcript, text", [
    ("家里 水管 漏 了", "家里水管漏了"), ("hello world", "hello world"),
    ("我 的 WiFi 密码 忘 了", "我的WiFi密码忘了"), ("新 iPhone 15 不会 用", "新iPhone 15不会用"),
])
def test_text(transcript, text):
    assert value_of(NOTE, transcript) == text


def test_text_bad():
    assert problem_of(NOTE, "水管 漏 了 😭").key == "answer.text_symbols"
    assert problem_of(NOTE, "字 " * 5000).key == "answer.text_too_long"
    assert problem_of(NOTE, "").key == "answer.heard_nothing"


# --- address ------------------------------------------------------------------------------

@pytest.mark.parametrize("transcript, room", [
    ("三 号 楼 二 单元 一 二 零 三", ("3号楼", "2单元", "1203")),
    ("三号楼二单元一二零三", ("3号楼", "2单元", "1203")),
    ("3号楼2单元1203", ("3号楼", "2单元", "1203")),
    ("三 号 楼 二 单元 一千二百零三", ("3号楼", "2单元", "1203")),
    ("我 住 三 号 楼 二 单元 一 二 零 三 室", ("3号楼", "2单元", "1203")),
    ("十二 栋 一 单元 三 零 二", ("12号楼", "1单元", "302")),
    ("十二 号 楼 三 单元 三百零二", ("12号楼", "3单元", "302")),
    ("五 号 楼 两 单元 幺 八 洞 四", ("5号楼", "2单元", "1804")),
])
def test_address(transcript, room):
    assert value_of(ADDRESS, transcript) == dict(zip(("building", "unit", "room"), room, strict=False))


def test_address_with_site_names():
    site = SiteSpec(buildings=["A座", "B座"], units=["东单元", "西单元"], floors=6, rooms_per_floor=2)
    assert value_of(ADDRESS, "a 座 东 单元 六 零 二", site) == {"building": "A座", "unit": "东单元", "room": "602"}


@pytest.mark.parametrize("transcript, key", [
    ("三 号 楼 一 二 零 三", "answer.address_incomplete"),
    ("三 号 楼 二 单元", "answer.address_incomplete"),
    ("二十 号 楼 一 单元 三 零 二", "answer.address_building"),
    ("三 号 楼 五 单元 三 零 二", "answer.address_unit"),
    ("三 号 楼 一 单元 二 零 零 二", "answer.address_floor"),
    ("三 号 楼 一 单元 三 零 九", "answer.address_room_number"),
    ("我 住 在 那边", "answer.address_incomplete"),
])
def test_address_bad(transcript, key):
    assert problem_of(ADDRESS, transcript).key == key


def test_address_building_message():
    assert problem_of(ADDRESS, "二十 号 楼 一 单元 三 零 二").message() == "本小区没有20号楼，请再说一遍楼号。"


# --- grammars -----------------------------------------------------------------------------

ALL_FIELDS = [PHONE, ID, AGE, BIRTH, VISIT, ADDRESS, YES_NO, CONSENT, SERVICE, SERVICES]


@pytest.mark.parametrize("f", ALL_FIELDS, ids=lambda f: f.type.value)
def test_grammar_has_commands_and_yes_no_and_no_unk(f):
    phrases = grammar_phrases(f, SITE)
    assert len(phrases) == len(set(phrases))
    assert "[unk]" not in phrases and all(p.strip() == p and p for p in phrases)
    assert "再 说 一 遍" in phrases and "工 作 人 员" in phrases and "不 办 了" in phrases
    assert "是" in phrases and "不 是" in phrases


@pytest.mark.parametrize("f", [PHONE, ID, AGE, ADDRESS, BIRTH], ids=lambda f: f.type.value)
def test_grammar_number_words_are_understood(f):
    """Every single word a digit grammar allows is read as a digit or number."""
    for phrase in grammar_phrases(f, SITE):
        if " " not in phrase and phrase in DIGIT_WORDS:
            assert spoken_digits(phrase) == DIGIT_WORDS[phrase]


def test_grammar_for_choices_and_numbers():
    phrases = grammar_phrases(SERVICE, SITE)
    assert {"助 餐", "打 扫 卫 生", "第 二 个", "第 四"} <= set(phrases)
    assert "第 五 个" not in phrases
    assert "七 十 八" in grammar_phrases(AGE, SITE) and "一 百 五 十" in grammar_phrases(AGE, SITE)
    assert "一 百 五 十 一" not in grammar_phrases(AGE, SITE)
    assert {"幺", "洞", "两"} <= set(grammar_phrases(PHONE, SITE))
    assert "叉" not in grammar_phrases(PHONE, SITE) and "叉" in grammar_phrases(ID, SITE)
    assert {"十 二 号 楼", "三 单 元", "室"} <= set(grammar_phrases(ADDRESS, SITE))
    assert "和" in grammar_phrases(SERVICES, SITE)


def test_no_grammar_for_free_speech():
    assert grammar_phrases(NAME, SITE) == []
    assert grammar_phrases(NOTE, SITE) == []


def test_each_spoken_grammar_choice_is_understood():
    for phrase in grammar_phrases(SERVICE, SITE):
        h = heard(SERVICE, phrase)
        assert h.command or h.value or h.aside or h.problem.key in ("answer.unclear_choice", "answer.choice_ambiguous", "answer.choice_which")
    for c in SERVICE_CHOICES:
        assert value_of(SERVICE, " ".join(c.label)) == c.value


@pytest.mark.parametrize("f", ALL_FIELDS + [NAME, NOTE, APPLICANT, FLOOR], ids=lambda f: f"{f.type.value}-{f.label}")
@given(st.lists(st.one_of(st.sampled_from(["一", "十", "年", "月", "号", "第", "个", "和", "不", "是", "楼",
                                            "单元", "叉", "幺", "助餐", "😀", "[unk]", "x", "7", "·"]),
                          st.text(max_size=3)), max_size=12))
def test_understand_never_raises(f, words):
    h = understand(f, " ".join(words), SITE, TODAY)
    assert (h.value is not None) + (h.command is not None) + (h.problem is not None) + (h.aside is not None) == 1
    if h.problem is not None:
        assert h.problem.message()


def test_choice_words_ending_in_de_are_understood():
    from kiosk.catalogue.spec import FieldSpec, SiteSpec
    from kiosk.dialogue.understand import understand

    field = FieldSpec.model_validate({
        "id": "housing", "type": "choice", "label": "住房", "prompt": "房子是租的还是自己的？",
        "choices": [{"value": "rent", "label": "租的房子", "aliases": ["租的"]},
                    {"value": "own", "label": "自己的房子", "aliases": ["买的"]}]})
    assert understand(field, "租 的", SiteSpec()).value == "rent"
    assert understand(field, "买的", SiteSpec()).value == "own"
    assert understand(field, "我 要 租 的", SiteSpec()).value == "rent"


def test_importing_the_engine_leaves_numeral_and_pinyin_tables_for_later():
    import subprocess
    import sys

    code = ("import sys, kiosk.dialogue.engine as e; assert 'cn2an' not in sys.modules and 'pypinyin' not in sys.modules;"
            "from kiosk.dialogue.understand import warm_up; warm_up(); assert 'cn2an' in sys.modules and 'pypinyin' in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
