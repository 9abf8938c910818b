"""Issue 10 and 13 through the engine: what older speakers really say, as vosk returns it.

Every transcript here is shaped as vosk writes it (space-separated tokens). No Kivy.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kiosk.catalogue.loader import load_catalogue
from kiosk.catalogue.spec import FieldType, FormSpec, SiteSpec
from kiosk.dialogue.engine import MAX_ATTEMPTS, Stage, Visit
from kiosk.dialogue.events import (
    DialogueEvent,
    EventType,
    HandoffReason,
    RefusalReason,
    SpeechControl,
    SpeechControlRequested,
    Via,
)
from kiosk.dialogue.kinds import KINDS, kind_of
from kiosk.dialogue.understand import understand
from kiosk.store.memory import MemoryStore

TODAY = dt.date(2026, 11, 23)
FORMS = dict(load_catalogue(Path(__file__).resolve().parent.parent / "forms").forms)
SITE = SiteSpec()

FORM = FormSpec.model_validate({
    "id": "repair", "title": "报事报修", "short_name": "报修", "pictogram": "wrench",
    "intro": "我们来登记要修的东西。", "department": "物业服务窗口", "opening_hours": "周一至周五",
    "allow_proxy": False,
    "fields": [
        {"id": "name", "type": "name", "label": "姓名", "prompt": "请说您的姓名。", "reuse": "name",
         "help": "请说身份证上的名字。"},
        {"id": "phone", "type": "phone", "label": "电话", "prompt": "请说手机号。", "reuse": "phone"},
        {"id": "kind", "type": "choice", "label": "报修类型", "prompt": "哪里坏了？",
         "choices": [{"value": "gas", "label": "燃气"}, {"value": "lift", "label": "电梯",
                                                         "aliases": ["电梯坏了"]},
                     {"value": "public", "label": "小区公共设施", "aliases": ["路灯"]},
                     {"value": "electric", "label": "电路问题", "aliases": ["灯不亮"]}]},
        {"id": "visit", "type": "yes_no", "label": "上门", "prompt": "需要上门吗？"},
        {"id": "visit_date", "type": "date", "label": "上门日期", "prompt": "哪天方便？",
         "min_date": "today", "max_date": "today+30d", "when": {"field": "visit", "equals": True}},
        {"id": "born", "type": "date", "label": "出生日期", "prompt": "哪年出生？", "max_date": "today"},
    ],
})


class Recorder:
    def __init__(self, visit: Visit):
        self.events: list[DialogueEvent] = []
        visit.subscribe(self.events.append)

    def of(self, etype: EventType) -> list[DialogueEvent]:
        return [e for e in self.events if e.type is etype]

    def last(self, etype: EventType) -> DialogueEvent:
        return self.of(etype)[-1]


@pytest.fixture
def visit():
    return Visit(SITE, MemoryStore("K01"), TODAY)


def at_name(visit):
    s = visit.start(FORM)
    s.answer(True)                 # consent tapped: kept at once
    assert s.field.id == "name"
    return s


def at_phone(visit):
    s = at_name(visit)
    s.hear("张 三")
    s.hear("对")
    assert s.field.id == "phone"
    return s


# --- 1. free-speech guard and names ---------------------------------------------------------

@pytest.mark.parametrize("said, control", [
    ("等 一下", SpeechControl.PAUSE), ("说 慢 一点", SpeechControl.SLOWER), ("大声 点", SpeechControl.LOUDER),
    ("你 说 什么", SpeechControl.PARDON), ("没 听 懂", SpeechControl.PARDON), ("听 不 清楚", SpeechControl.PARDON),
    ("快 一点", SpeechControl.FASTER), ("小 声 点", SpeechControl.SOFTER), ("暂停", SpeechControl.PAUSE),
])
def test_speech_requests_on_a_name_screen_are_never_the_name(visit, said, control):
    rec = Recorder(visit)
    s = at_name(visit)
    s.hear(said)
    assert rec.last(EventType.SPEECH_CONTROL).data["control"] == control.value
    assert s.stage is Stage.ASK and s.pending is None and "name" not in s.answers
    assert not rec.of(EventType.UNDERSTOOD) and not rec.of(EventType.REJECTED)
    assert s.attempts.get("name", 0) == 0          # never a failed answer


@pytest.mark.parametrize("said, expected", [
    ("那个", EventType.NO_INPUT), ("嗯", EventType.NO_INPUT), ("我 不 知道", EventType.REJECTED),
    ("为什么 要 名字", EventType.REJECTED), ("算了", EventType.CANCEL_ASKED),
])
def test_fillers_dont_know_and_giving_up_are_recognised(visit, said, expected):
    rec = Recorder(visit)
    s = at_name(visit)
    s.hear(said)
    assert rec.events[-1].type is expected
    assert s.pending is None and "name" not in s.answers and not rec.of(EventType.UNDERSTOOD)


def test_a_complaint_that_asks_why_stays_a_complaint():
    from kiosk.catalogue.spec import FieldSpec
    note = FieldSpec(id="n", type=FieldType.TEXT, label="内容", prompt="请说", max_length=80)
    assert understand(note, "为什么 要 交 这么 多 物业费", SITE, TODAY).value == "为什么要交这么多物业费"
    assert understand(note, "为什么 要 问 这个", SITE, TODAY).aside is not None


def test_why_is_answered_with_the_fields_help_and_is_no_failure(visit):
    rec = Recorder(visit)
    s = at_name(visit)
    s.hear("为什么 要 名字")
    why = rec.last(EventType.REJECTED)
    assert why.data["reason"] == RefusalReason.WHY.value and why.data["counts"] is False
    assert why.data["text"] == "请说身份证上的名字。" and s.attempts.get("name", 0) == 0


@pytest.mark.parametrize("said, name", [
    ("我 是 刘 德华", "刘德华"), ("我 姓 张 叫 张 三", "张三"), ("名字 是 王 小 明", "王小明"),
    ("李 四 就是 我", "李四"), ("欧阳 娜娜 啊", "欧阳娜娜"), ("司马 光 呢", "司马光"),
    ("我 叫 张 秀英 吧", "张秀英"), ("嗯 我 叫 陈 红", "陈红"), ("我 姓 欧阳 叫 欧阳 修", "欧阳修"),
    ("我 的 名字 叫 赵 本山", "赵本山"), ("诸葛 亮", "诸葛亮"),
])
def test_names_come_out_of_carrier_phrases(visit, said, name):
    s = at_name(visit)
    s.hear(said)
    assert s.stage is Stage.CONFIRM and s.pending == name


@pytest.mark.parametrize("said", ["今天 天气 很 好", "名字 不 对", "那个 那个 什么 来 着", "我 想 办 事"])
def test_what_does_not_look_like_a_name_is_refused_kindly_with_the_keyboard(visit, said):
    rec = Recorder(visit)
    s = at_name(visit)
    s.hear(said)
    assert s.pending is None and s.stage is Stage.ASK
    text = rec.events[-1].data.get("text", "")
    assert rec.events[-1].type in (EventType.REJECTED, EventType.NO_INPUT, EventType.SPEECH_CONTROL)
    if rec.events[-1].type is EventType.REJECTED and rec.events[-1].data["key"] == "answer.name_unlikely":
        assert "打字" in text


# --- 2. strict read-backs --------------------------------------------------------------------

@pytest.mark.parametrize("yes", ["当然", "肯定 是", "没 毛病", "可不是", "嗯哪", "对头", "行", "可以", "没 问题",
                                 "就是 这个", "是 是 是", "嗯 对", "一点 没错", "对 对 对", "当然 了"])
def test_what_older_speakers_say_for_yes_confirms(visit, yes):
    s = at_name(visit)
    s.hear("张 三")
    s.hear(yes)
    assert s.answers["name"] == "张三" and s.field.id == "phone"


@pytest.mark.parametrize("said", ["名字 不 对", "张 老 师", "你好", "今天 几 号", "是 李 四",
                                  "就是 李 四", "中午 吧"])
def test_anything_else_at_the_read_back_asks_again_and_keeps_the_answer(visit, said):
    rec = Recorder(visit)
    s = at_name(visit)
    s.hear("张 三")
    s.hear(said)
    assert s.stage is Stage.CONFIRM and s.pending == "张三" and "name" not in s.answers
    again = rec.last(EventType.REJECTED)
    assert again.data["text"] == "张三，对，还是不对？" and again.data["counts"] is False


@pytest.mark.parametrize("said", ["不对 是 李 四", "不对 不对 是 李 四", "不 是 李 四", "错 了 应该 是 李 四"])
def test_a_correction_with_a_value_goes_to_its_own_read_back(visit, said):
    rec = Recorder(visit)
    s = at_name(visit)
    s.hear("张 三")
    s.hear(said)
    assert s.stage is Stage.CONFIRM and s.pending == "李四"
    assert rec.last(EventType.UNDERSTOOD).data["value"] == "李四"
    s.hear("对")
    assert s.answers["name"] == "李四"


def test_yes_with_the_same_value_confirms(visit):
    s = at_name(visit)
    s.hear("张 三")
    s.hear("对 张 三")
    assert s.answers["name"] == "张三"


def test_a_plain_no_asks_the_question_again(visit):
    s = at_name(visit)
    s.hear("张 三")
    s.hear("不 对")
    assert s.stage is Stage.ASK and s.pending is None and s.field.id == "name"


def test_phone_correction_and_bare_sounds_at_a_number_read_back(visit):
    rec = Recorder(visit)
    s = at_phone(visit)
    s.hear("幺 三 八 一 二 三 四 五 六 七 八")
    for sound in ("嗯", "啊", "哦"):
        s.hear(sound)
        assert s.stage is Stage.CONFIRM and s.pending == "13812345678"     # asked again, not kept
    s.hear("不对 一 三 九 一 二 三 四 五 六 七 八")
    assert s.pending == "13912345678"
    s.hear("对")
    assert s.answers["phone"] == "13912345678"
    assert rec.last(EventType.CONFIRMED).data["value"] == "13912345678"


def test_a_bare_en_does_not_take_a_remembered_phone_number(visit):
    s = at_phone(visit)
    s.hear("幺 三 八 一 二 三 四 五 六 七 八")
    s.hear("对")
    s2 = visit.start(FORM.model_copy(update={"id": "again"}))
    s2.answer(True)
    assert s2.stage is Stage.REUSE and s2.field.id == "name"
    s2.hear("对")
    assert s2.stage is Stage.REUSE and s2.field.id == "phone"
    s2.hear("嗯")
    assert s2.stage is Stage.REUSE and "phone" not in s2.answers
    s2.hear("是 的")
    assert s2.answers["phone"] == "13812345678"


def test_a_bare_en_still_confirms_a_name(visit):
    s = at_name(visit)
    s.hear("张 三")
    s.hear("嗯")
    assert s.answers["name"] == "张三"


# --- 3. speech controls ----------------------------------------------------------------------

def test_pardon_repeats_the_question_more_slowly_the_second_time(visit):
    rec = Recorder(visit)
    s = at_name(visit)
    prompts = len(rec.of(EventType.PROMPT))
    s.hear("你 说 什么")
    s.hear("没 听 清楚")
    controls = rec.of(EventType.SPEECH_CONTROL)
    assert [c.data["slower"] for c in controls] == [False, True]
    assert len(rec.of(EventType.PROMPT)) == prompts + 2       # the question again, each time
    assert isinstance(controls[0], SpeechControlRequested) and controls[0].control is SpeechControl.PARDON


def test_pause_until_haole_then_the_question_again(visit):
    rec = Recorder(visit)
    s = at_name(visit)
    s.hear("等 一下")
    assert s.paused
    s.hear("好 了")
    assert not s.paused and rec.last(EventType.SPEECH_CONTROL).data["control"] == "resume"
    assert rec.events[-1].type is EventType.PROMPT and s.field.id == "name"


def test_haole_outside_a_pause_is_an_ordinary_yes(visit):
    s = at_name(visit)
    s.hear("张 三")
    s.hear("好 了")
    assert s.answers["name"] == "张三"


def test_speech_controls_during_a_handoff_do_not_bring_the_question_back(visit):
    rec = Recorder(visit)
    s = at_name(visit)
    s.hear("人工")
    n = len(rec.events)
    s.hear("大声 点")
    assert [e.type for e in rec.events[n:]] == [EventType.HEARD, EventType.SPEECH_CONTROL]
    assert s.stage is Stage.HANDOFF


def test_speech_control_buttons_call_the_same(visit):
    rec = Recorder(visit)
    s = at_name(visit)
    s.speech_control(SpeechControl.LOUDER)
    assert rec.last(EventType.SPEECH_CONTROL).data == {
        "control": "louder", "text": "好的，我大声一点。", "speech": "好的，我大声一点。", "slower": False}


# --- 4. no-input and no-match ladders --------------------------------------------------------

def test_no_input_ladder_again_then_touch_then_staff(visit):
    rec = Recorder(visit)
    s = at_phone(visit)
    s.no_input()
    s.hear("")                       # silence from the recogniser is the same
    s.no_input()
    first, second = rec.of(EventType.NO_INPUT)
    assert first.data["text"] == "请说手机号。" and first.data["highlight_touch"] is False
    assert second.data["text"] == "您也可以直接点屏幕。" and second.data["highlight_touch"] is True
    offer = rec.last(EventType.ASSISTANCE_OFFERED)
    assert offer.data["reason"] == HandoffReason.NO_INPUT.value
    assert s.attempts.get("phone", 0) == 0 and not rec.of(EventType.REJECTED)
    s.no_input()                     # a fourth silence repeats the offer without a second ticket
    assert len(rec.of(EventType.ASSISTANCE_OFFERED)) == 1
    assert rec.last(EventType.NO_INPUT).data["text"] == offer.data["text"]


def test_no_match_ladder_gives_an_example_the_second_time_and_staff_the_third(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    s.answer(True)
    for line in ("张 三", "对", "幺 三 八 一 二 三 四 五 六 七 八", "对", "燃气", "对", "不", "对"):
        s.hear(line)
    assert s.field.id == "born"
    for bad in ("明 年 吧", "很 久 以前", "记 不 太 清"):
        s.hear(bad)
    first, second, third = rec.of(EventType.REJECTED)[-3:]
    assert "比如" not in first.data["text"].replace("比如：一九五零年三月五号。", "")
    assert second.data["text"].endswith("比如：一九五零年三月五号。")
    assert third.data["attempts"] == MAX_ATTEMPTS and rec.last(EventType.ASSISTANCE_OFFERED)


# --- 6. choices by the words that name them ---------------------------------------------------

@pytest.mark.parametrize("said, value", [
    ("燃气 坏 了", "gas"), ("路灯 不 亮 了", "public"), ("电梯 坏 了", "lift"), ("家 里 灯 不 亮", "electric"),
    ("我 家 燃气 灶 打 不 着", "gas"),
])
def test_choice_by_the_naming_words_not_the_shared_ones(visit, said, value):
    f = FORM.field("kind")
    assert understand(f, said, SITE, TODAY).value == value


def test_two_close_options_are_a_question_back(visit):
    from kiosk.catalogue.spec import Choice, FieldSpec
    f = FieldSpec(id="k", type=FieldType.CHOICE, label="类型", prompt="哪个？",
                  choices=[Choice(value="a", label="燃气表"), Choice(value="b", label="燃气灶")])
    bad = understand(f, "燃 气", SITE, TODAY).problem
    assert bad is not None and bad.message() == "是燃气表，还是燃气灶？"


def test_shipped_repair_form_gas_and_street_light():
    forms = FORMS
    f = forms["repair_request"].field("problem")
    assert understand(f, "燃气 坏 了", SITE, TODAY).value == "gas"
    assert understand(f, "路灯 不 亮 了", SITE, TODAY).value == "public"


# --- 7. never crash ---------------------------------------------------------------------------

ALL_FIELDS = [f for f in FORM.fields] + [
    f for f in FORMS["senior_card"].fields if f.type not in {x.type for x in FORM.fields}]
TOKENS = st.sampled_from(["一", "十", "年", "月", "号", "第", "个", "和", "不", "是", "对", "楼", "单元", "叉",
                          "幺", "燃气", "😀", "[unk]", "x", "7", "·", "我", "叫", "姓", "等", "一下", "嗯",
                          "三" * 50, "9" * 40, "\u200b", "\n", "Ω", "ㄅ"])


@pytest.mark.parametrize("kind_type", list(FieldType), ids=lambda t: t.value)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(words=st.lists(st.one_of(TOKENS, st.text(max_size=4)), max_size=30))
def test_any_transcript_gives_a_value_a_refusal_or_a_command(kind_type, words):
    from tests.test_kinds import field_for
    f = field_for(kind_type)
    said = " ".join(words)
    h = understand(f, said, SITE, TODAY)
    assert (h.value is not None) + (h.command is not None) + (h.problem is not None) + (h.aside is not None) == 1
    if h.problem is not None:
        assert h.problem.message()
    assert kind_of(kind_type).end_of_speech(f, said) in (True, False)


@pytest.mark.parametrize("said", ["三" * 10_000, "三 " * 5000, "5" * 5000, " ".join("5" * 5000),
                                  "一九五零 年 " * 2000, "我 叫 " + "张" * 10_000, "😀" * 10_000])
@pytest.mark.parametrize("kind_type", list(FieldType), ids=lambda t: t.value)
def test_huge_transcripts_never_crash(kind_type, said):
    from tests.test_kinds import field_for
    f = field_for(kind_type)
    h = understand(f, said, SITE, TODAY)
    assert h.value is not None or h.problem is not None or h.command is not None or h.aside is not None
    kind_of(kind_type).end_of_speech(f, said)


def test_huge_transcripts_through_a_whole_session_lose_nothing(visit):
    s = at_phone(visit)
    for said in ("三" * 10_000, "5" * 5000, "😀" * 10_000):
        s.hear(said)
        assert s.answers["name"] == "张三" and s.stage is Stage.ASK


# --- 8. private audio --------------------------------------------------------------------------

def test_public_speaker_says_only_the_last_four_the_screen_everything(visit):
    rec = Recorder(visit)
    s = at_phone(visit)
    s.hear("幺 三 八 一 二 三 四 五 六 七 八")
    back = rec.last(EventType.UNDERSTOOD)
    assert back.data["speech"] == "您说的是：尾号五六七八。对吗？"
    assert "138 1234 5678" in back.data["text"]


def test_private_audio_reads_everything():
    visit = Visit(SITE, MemoryStore("K01"), TODAY, private_audio=True)
    rec = Recorder(visit)
    s = at_phone(visit)
    s.hear("幺 三 八 一 二 三 四 五 六 七 八")
    assert "1 3 8，1 2 3 4，5 6 7 8" in rec.last(EventType.UNDERSTOOD).data["speech"]


# --- issue 13: how an answer came, words, progress, reuse --------------------------------------

def test_a_tapped_choice_or_yes_no_is_kept_without_a_read_back(visit):
    rec = Recorder(visit)
    s = at_phone(visit)
    s.answer("13812345678", via=Via.KEYPAD)
    keyed = rec.last(EventType.UNDERSTOOD)
    assert keyed.data["text"].startswith("您输入的是") and keyed.data["via"] == "keypad"
    s.confirm(True)
    n = len(rec.of(EventType.UNDERSTOOD))
    s.answer("gas")                                      # a tap on an option: kept at once
    assert s.answers["kind"] == "gas" and len(rec.of(EventType.UNDERSTOOD)) == n
    assert rec.last(EventType.CONFIRMED).data["via"] == "touch"
    s.answer(False)
    assert s.answers["visit"] is False and s.field.id == "born"


def test_a_date_picked_on_screen_is_read_back_as_chosen(visit):
    rec = Recorder(visit)
    s = at_phone(visit)
    s.answer("13812345678")                       # keypad digits arrive as touch: typed
    assert rec.last(EventType.UNDERSTOOD).data["text"].startswith("您输入的是：138 1234 5678")
    s.confirm(True)
    s.answer("gas")
    s.answer(False)
    s.answer("1950-03-05")                        # the date picker: chosen
    assert rec.last(EventType.UNDERSTOOD).data["text"] == "您选的是：1950年3月5日。对吗？"


def test_said_choice_still_reads_back_and_no_reads_as_bu_shi(visit):
    rec = Recorder(visit)
    s = at_phone(visit)
    s.hear("幺 三 八 一 二 三 四 五 六 七 八")
    s.hear("对")
    s.hear("燃气")
    assert rec.last(EventType.UNDERSTOOD).data["text"] == "您说的是：燃气。对吗？"
    s.hear("对")
    s.hear("不 需要")
    assert rec.last(EventType.UNDERSTOOD).data["display"] == "不是"


def test_consent_names_the_service_once():
    forms = FORMS
    visit = Visit(SITE, MemoryStore("K01"), TODAY)
    rec = Recorder(visit)
    visit.start(forms["senior_card"]).hear("本人")
    visit.session.hear("对")
    consent = rec.last(EventType.PROMPT).data["text"]
    assert consent.startswith("办理老年人优待证，") and "办理老年人优待证办理" not in consent
    assert rec.of(EventType.FORM_STARTED)[0].data["sentence_name"] == "办理老年人优待证"


def test_progress_total_never_jumps_up(visit):
    rec = Recorder(visit)
    s = at_phone(visit)
    for line in ("幺 三 八 一 二 三 四 五 六 七 八", "对", "燃气", "对", "是", "对", "二零二六 年 十一月 三十 号",
                 "对"):
        s.hear(line)
    prompts = rec.of(EventType.PROMPT)
    totals = [p.data["total"] for p in prompts]
    assert totals == sorted(totals, reverse=True) and len(set(totals)) == 1
    assert prompts[0].data["total_known"] is False and prompts[-1].data["total_known"] is True
    steps = [p.data["step"] for p in prompts]
    assert steps == sorted(steps)


def test_repeat_on_a_choice_question_reads_the_options(visit):
    rec = Recorder(visit)
    s = at_phone(visit)
    s.answer("13812345678", via=Via.KEYPAD)
    s.confirm(True)
    s.hear("再 说 一遍")
    again = rec.last(EventType.PROMPT)
    assert again.data["repeat"] is True and again.data["text"] == "哪里坏了？"
    assert again.data["speech"] == "哪里坏了？可以选：燃气、电梯、小区公共设施、电路问题。"


def test_reuse_offer_names_the_current_service(visit):
    rec = Recorder(visit)
    s = at_phone(visit)
    s.hear("幺 三 八 一 二 三 四 五 六 七 八")
    s.hear("对")
    other = FORM.model_copy(update={"id": "other", "title": "上门服务预约"})
    visit.start(other).answer(True)
    offer = rec.last(EventType.REUSE_OFFERED)
    assert (offer.data["form_id"], offer.data["title"], offer.data["sentence_name"]) == (
        "other", "上门服务预约", "预约上门服务")
    assert (offer.data["step"], offer.data["total"]) == (2, 7)      # this form's progress, not the last one


def test_every_kind_is_in_the_registry():
    assert set(KINDS) == set(FieldType)


# --- a whole session under random speech ------------------------------------------------------

SAYINGS = st.sampled_from([
    "", "对", "不对", "嗯", "是", "不 是", "同意", "本人", "张 三", "李 四", "我 叫 王 小 明", "那个", "等 一下",
    "好 了", "慢 一点", "你 说 什么", "人工", "返回", "取消", "算了", "重复", "提交", "燃气 坏 了", "路灯 不 亮 了",
    "幺 三 八 一 二 三 四 五 六 七 八", "不对 一 三 九 一 二 三 四 五 六 七 八", "一九五零 年 三月 五 号",
    "二零二六 年 十一月 三十 号", "我 不 知道", "为什么 要 名字", "三" * 400, "5" * 5000, "😀", "[unk]",
])


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(SAYINGS, st.tuples(st.sampled_from(["tap", "no_input", "back", "resume"]),
                                             st.sampled_from([True, False, "gas", "13812345678", "x"]))),
                max_size=40))
def test_random_speech_and_taps_never_crash_and_keep_only_valid_answers(steps):
    visit = Visit(SITE, MemoryStore("K01"), TODAY)
    s = visit.start(FORM)
    for step in steps:
        session = visit.session
        if session is None:
            break
        if isinstance(step, str):
            session.hear(step)
        elif step[0] == "tap":
            session.answer(step[1])
        elif step[0] == "no_input":
            session.no_input()
        elif step[0] == "back":
            session.back()
        else:
            session.resume()
    for field_id, value in s.answers.items():
        f = next(f for f in s.fields if f.id == field_id)
        assert kind_of(f.type).validate(f, value, SITE, TODAY) == value
