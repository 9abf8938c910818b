"""What an 80-year-old resident really says, through the real forms and the engine (no Kivy).

Every transcript is shaped as vosk returns it (space-separated tokens). Each test is a case
where the engine once did worse than a good counter clerk: it kept a wrong value, dropped or
refused an answer it had heard, counted a non-answer as a failure, or spoke personal data on
the public speaker.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from kiosk.catalogue.loader import load_catalogue
from kiosk.catalogue.spec import SiteSpec
from kiosk.dialogue.engine import Session, Stage, Visit
from kiosk.dialogue.events import DialogueEvent, EventType, HandoffReason, RefusalReason, SpeechControl
from kiosk.dialogue.sample import SAMPLE_ID, SAMPLE_PHONE, sample_transcript, spell_digits
from kiosk.store.memory import MemoryStore

TODAY = dt.date(2026, 11, 23)
FORMS = dict(load_catalogue(Path(__file__).resolve().parent.parent / "forms").forms)
SITE = SiteSpec()


class Run:
    """One visit on one real form, with every event kept."""

    def __init__(self, form_id: str, private_audio: bool = False):
        self.visit = Visit(SITE, MemoryStore("K01"), TODAY, private_audio=private_audio)
        self.events: list[DialogueEvent] = []
        self.visit.subscribe(self.events.append)
        self.s: Session = self.visit.start(FORMS[form_id])

    def to(self, field_id: str) -> Run:
        """Answer every field before `field_id` by voice with a plausible answer and 对."""
        for _ in range(40):
            if self.s.field.id == field_id and self.s.stage is Stage.ASK:
                return self
            if self.s.stage is Stage.REUSE:
                self.s.hear("对")
                continue
            said = "本人" if self.s.field.id == "applicant" else sample_transcript(self.s.field, SITE, TODAY)
            self.s.hear(said)
            if self.s.stage is Stage.CONFIRM:
                self.s.hear("对")
        raise AssertionError(f"never reached {field_id}")

    def hear(self, *said: str) -> Run:
        for line in said:
            self.s.hear(line)
        return self

    def of(self, etype: EventType) -> list[DialogueEvent]:
        return [e for e in self.events if e.type is etype]

    def last(self) -> DialogueEvent:
        return self.events[-1]

    def fails(self) -> int:
        return self.s.attempts.get(self.s.field.id, 0)


ID_GROUPS = ("一 一 零 一 零 五", "一 九 四 九 一 二 三 一", "零 零 二 叉")
PHONE_GROUPS = ("一 三 八", "一 二 三 四", "五 六 七 八")


# --- personal data never on the public speaker ---------------------------------------------

@pytest.mark.parametrize("form_id, field_id, said", [
    ("senior_card", "id_number", spell_digits(SAMPLE_ID)),
    ("senior_card", "phone", spell_digits(SAMPLE_PHONE)),
])
def test_silence_at_a_number_read_back_speaks_only_the_tail(form_id, field_id, said):
    run = Run(form_id).to(field_id).hear(said, "")
    silence = run.last()
    assert silence.type is EventType.NO_INPUT
    assert said.replace(" ", "") not in silence.data["speech"].replace(" ", "")
    assert "尾号" in silence.data["speech"]
    assert run.s.pending is not None          # the answer heard is kept


# --- numbers said in groups, with pauses that end the transcript -----------------------------

@pytest.mark.parametrize("form_id, field_id, parts, value", [
    ("senior_card", "id_number", ID_GROUPS, SAMPLE_ID),
    ("senior_card", "phone", PHONE_GROUPS, SAMPLE_PHONE),
    ("meal_booking", "phone", ("幺 三 八 1234", "5678"), SAMPLE_PHONE),
])
def test_a_number_said_in_groups_is_put_together_without_counting_failures(form_id, field_id, parts, value):
    run = Run(form_id).to(field_id)
    for part in parts[:-1]:
        run.hear(part)
        assert run.s.stage is Stage.ASK and run.fails() == 0
        assert run.last().data["reason"] == RefusalReason.INCOMPLETE.value
        assert run.last().data["counts"] is False
    run.hear(parts[-1])
    assert run.s.stage is Stage.CONFIRM and run.s.pending == value
    run.hear("对")
    assert run.s.answers[field_id] == value


def test_a_filler_between_two_parts_keeps_the_part_and_says_go_on():
    run = Run("senior_card").to("id_number").hear(ID_GROUPS[0], "那个")
    assert run.last().type is EventType.NO_INPUT
    assert "110105" in run.last().data["text"] and "110105" not in run.last().data["speech"]
    run.hear(ID_GROUPS[1], ID_GROUPS[2])
    assert run.s.pending == SAMPLE_ID


def test_a_pause_mid_number_never_speaks_the_digits_so_far():
    run = Run("senior_card").to("id_number").hear(ID_GROUPS[0], ID_GROUPS[1])
    assert "110105" not in run.last().data["speech"] and "一一零一零五" not in run.last().data["speech"]


def test_a_new_whole_number_after_a_part_replaces_the_part():
    run = Run("senior_card").to("phone").hear("一 三 九", spell_digits(SAMPLE_PHONE))
    assert run.s.pending == SAMPLE_PHONE


def test_too_many_digits_after_a_part_start_again_kindly():
    run = Run("senior_card").to("phone").hear("一 三 八 一 二", "三 四 五 六 七 八 九 零")
    assert run.s.stage is Stage.ASK and run.s.pending is None
    assert run.last().data["key"] == "answer.phone_length"


def test_year_then_month_and_day_as_two_transcripts_make_one_birth_date():
    run = Run("living_alone_care").to("birth_date").hear("一 九 五 零 年")
    assert run.fails() == 0 and run.last().data["counts"] is False
    run.hear("三月 五 号")
    assert run.s.pending == "1950-03-05"


# --- corrections in the middle of an answer --------------------------------------------------

@pytest.mark.parametrize("form_id, field_id, said, value", [
    ("senior_card", "name", "我 叫 张 三 不对 是 李 四", "李四"),
    ("senior_card", "name", "王 秀英 哎 说错了 王 秀兰", "王秀兰"),
    ("senior_card", "phone", "一 三 九 不对 一 三 八 一 二 三 四 五 六 七 八", SAMPLE_PHONE),
    ("senior_card", "phone", "一 三 八 一 二 三 四 五 六 七 九 不对 五 六 七 八", SAMPLE_PHONE),
    ("senior_card", "id_number", "一 一 零 一 零 五 一 九 四 九 一 二 三 一 零 零 二 一 不对 零 零 二 叉", SAMPLE_ID),
    ("living_alone_care", "birth_date", "一九五一 年 不对 一九五零 年 三月 五 号", "1950-03-05"),
    ("repair_request", "problem", "燃气 不对 是 电梯", "lift"),
])
def test_a_correction_mid_answer_keeps_the_corrected_value(form_id, field_id, said, value):
    run = Run(form_id).to(field_id).hear(said)
    assert run.s.stage is Stage.CONFIRM and run.s.pending == value


def test_a_complaint_that_says_wrong_is_kept_whole():
    run = Run("complaint").to("content").hear("物业 说 我 不对 是 他们 的 错")
    assert run.s.pending == "物业说我不对是他们的错"


# --- asking for a person, not knowing, thinking ----------------------------------------------

@pytest.mark.parametrize("said", ["叫 个 人 来", "我 不会 弄", "我 弄 不 来", "来 个 人 帮 我 一下", "我 不 会 用 这个"])
def test_asking_for_a_person_calls_staff(said):
    run = Run("senior_card").to("name").hear(said)
    assert run.s.stage is Stage.HANDOFF
    assert run.last().data["reason"] == HandoffReason.ASKED.value


@pytest.mark.parametrize("said", ["我 想想", "让 我 想 一 想", "我 找 一下", "我 找找 身份证"])
def test_thinking_aloud_pauses_and_is_no_failure(said):
    run = Run("senior_card").to("id_number").hear(said)
    assert run.last().data["control"] == SpeechControl.PAUSE.value
    assert run.fails() == 0 and run.s.pending is None


@pytest.mark.parametrize("said", ["我 记 不 住", "记不清 了", "身份证 没 带", "我 忘 带 了"])
def test_not_remembering_a_number_is_told_kindly_not_as_not_heard(said):
    run = Run("senior_card").to("id_number").hear(said)
    last = run.last()
    assert last.data["reason"] == RefusalReason.DONT_KNOW.value
    assert "没听清" not in last.data["text"]


# --- questions back: about the form, never the answer ----------------------------------------

@pytest.mark.parametrize("field_id, said, key", [
    ("name", "这个 是 干 什么 的", "answer.what_is_this"), ("name", "要 钱 吗", "answer.cost"),
    ("name", "这个 要 多少 钱", "answer.cost"), ("phone", "收费 吗", "answer.cost"),
    ("id_number", "要 身份证 干 啥", "answer.why"), ("phone", "为啥 要 电话", "answer.why"),
    ("name", "这 是 办 什么 的 呀", "answer.what_is_this"),
])
def test_a_question_back_is_answered_and_never_the_value_or_a_failure(field_id, said, key):
    run = Run("senior_card").to(field_id).hear(said)
    last = run.last()
    assert last.type is EventType.REJECTED and last.data["counts"] is False and last.data["key"] == key
    assert run.s.pending is None and run.fails() == 0
    if key != "answer.why":       # the service explained or the fee question answered, then asked again
        prompt = next(f.prompt for f in FORMS["senior_card"].fields if f.id == field_id)
        assert last.data["text"].endswith(prompt)


def test_a_complaint_about_fees_stays_the_complaint():
    run = Run("complaint").to("content").hear("物业 乱 收费")
    assert run.s.pending == "物业乱收费"


# --- yes at a read-back, in the words older people use ---------------------------------------

@pytest.mark.parametrize("said", ["中", "中 中", "对头 对头", "是 的 嘛", "对 的 呀", "那 是 当然"])
def test_dialect_yes_confirms_a_name(said):
    run = Run("senior_card").to("name").hear("王 秀英", said)
    assert run.s.answers.get("name") == "王秀英"


# --- dates said the old way ------------------------------------------------------------------

@pytest.mark.parametrize("said", ["一九五零 年 三月 初五", "五零 年 腊月 初八", "一九五零年 正月 十五", "农历 五零 年 三月 五 号"])
def test_a_lunar_date_is_refused_kindly_with_an_example(said):
    run = Run("living_alone_care").to("birth_date").hear(said)
    last = run.last()
    assert run.s.pending is None and last.data["key"] == "answer.date_lunar"
    assert "比如" in last.data["text"]


@pytest.mark.parametrize("said", ["我 七十八 岁", "快 八十 了", "今年 七十 八"])
def test_an_age_at_the_birth_date_asks_for_the_date_kindly(said):
    run = Run("living_alone_care").to("birth_date").hear(said)
    assert run.s.pending is None and run.last().data["key"] == "answer.date_is_age"


# --- wording ----------------------------------------------------------------------------------

def test_silence_asks_the_question_again_in_plain_words():
    run = Run("senior_card").to("has_photo").hear("")
    prompt = next(f.prompt for f in FORMS["senior_card"].fields if f.id == "has_photo")
    assert run.last().type is EventType.NO_INPUT
    assert prompt in run.last().data["text"] and "请回答" not in run.last().data["text"]


def test_thinking_at_a_read_back_pauses_and_keeps_the_answer():
    run = Run("senior_card").to("name").hear("王 秀英", "我 想想")
    assert run.last().data["control"] == SpeechControl.PAUSE.value
    run.hear("对")
    assert run.s.answers["name"] == "王秀英"


def test_help_wins_over_another_command_in_one_breath():
    run = Run("senior_card").to("name").hear("帮 我 找 一下 工作人员")
    assert run.s.stage is Stage.HANDOFF


# --- optional notes and addresses ------------------------------------------------------------

@pytest.mark.parametrize("said", ["跳过", "没有 了", "没 了", "不用 了", "嗯 没什么", "就 这些 吧", "不 需要"])
def test_nothing_to_add_at_an_optional_note_skips_it(said):
    run = Run("repair_request").to("detail").hear(said)
    assert "detail" in run.s.skipped and "detail" not in run.s.answers
    assert run.s.field.id == "urgent" and run.s.stage is Stage.ASK


def test_an_optional_note_that_says_something_is_kept():
    run = Run("repair_request").to("detail").hear("没有 热水 了")
    assert run.s.pending == "没有热水了"


@pytest.mark.parametrize("said", ["我 家 住 在 七 号 楼 二 单元 三 零 一 室", "我们 家 是 七 栋 二 单元 三零一",
                                  "地址 是 7号楼 2单元 301", "那个 七 号 楼 二 单元 三 零 一 房间"])
def test_an_address_in_a_carrier_phrase_is_understood(said):
    run = Run("repair_request").to("address").hear(said)
    assert run.s.pending == {"building": "7号楼", "unit": "2单元", "room": "301"}


# --- counts, several options, yes with a reason, days ahead ----------------------------------

@pytest.mark.parametrize("said, days", [("一个 礼拜", 7), ("两 个 星期", 14), ("半 个 月", 15), ("一 周", 7)])
def test_days_counted_in_weeks_or_half_a_month(said, days):
    run = Run("meal_booking").to("days").hear(said)
    assert run.s.pending == days


@pytest.mark.parametrize("said", ["两 顿 都 要", "都 要", "两个 都 要 吧", "我 全 要"])
def test_both_meals_said_as_all_of_them(said):
    run = Run("meal_booking").to("meals").hear(said)
    assert run.s.pending == ["lunch", "dinner"]


@pytest.mark.parametrize("said, value", [("我 自己 去 拿", "takeaway"), ("去 食堂 吃", "dine_in")])
def test_pickup_said_in_everyday_words(said, value):
    run = Run("meal_booking").to("pickup").hear(said)
    assert run.s.pending == value


@pytest.mark.parametrize("said, value", [("有 的 我 不 吃 辣", True), ("对 我 不 吃 猪肉", True),
                                         ("没有 我 什么 都 吃", False), ("是 的 我 一个人 住", True)])
def test_yes_or_no_with_a_reason(said, value):
    run = Run("meal_booking").to("has_diet_needs").hear(said)
    assert run.s.pending is value


def test_not_urgent_said_with_the_adjective_is_a_no():
    run = Run("repair_request").to("urgent").hear("不 急 不 急")
    assert run.s.pending is False


@pytest.mark.parametrize("said, day", [("下 礼拜一", "2026-11-30"), ("这 周五", "2026-11-27"),
                                       ("这个 月 二十八 号", "2026-11-28"), ("下个月 五 号", "2026-12-05"),
                                       ("二十五 号", "2026-11-25")])
def test_days_ahead_said_by_weekday_or_day_of_month(said, day):
    # TODAY is Monday 2026-11-23
    run = Run("meal_booking").to("start_date").hear(said)
    assert run.s.pending == day


def test_a_weekday_at_a_birth_date_is_no_date():
    run = Run("living_alone_care").to("birth_date").hear("礼拜一")
    assert run.s.pending is None


def test_body_not_so_good_is_fair():
    run = Run("living_alone_care").to("health").hear("身体 不 太 好")
    assert run.s.pending == "fair"


# --- who applies, the review, the end ---------------------------------------------------------

@pytest.mark.parametrize("said", ["我 是 替 我 妈 办 的", "给 我 爸 办", "我 老伴 的"])
def test_applying_for_a_parent_is_proxy_not_self(said):
    run = Run("senior_card").hear(said)
    assert run.s.pending == "proxy"


def test_full_width_digits_read_as_digits():
    run = Run("senior_card").to("id_number").hear("１１０１０５１９４９１２３１００２Ｘ")
    assert run.s.pending == SAMPLE_ID


def at_review() -> Run:
    run = Run("residence_certificate")
    for _ in range(40):
        if run.s.stage is Stage.REVIEW:
            return run
        run.to(run.s.field.id)
        run.hear("本人" if run.s.field.id == "applicant" else sample_transcript(run.s.field, SITE, TODAY), "对")
    raise AssertionError("never reached the review")


@pytest.mark.parametrize("said, field_id", [("电话 不 对", "phone"), ("改 一下 地址", "address"),
                                            ("名字 错 了", "name"), ("身份证 号 不对", "id_number")])
def test_naming_a_wrong_answer_at_the_review_asks_it_again(said, field_id):
    run = at_review().hear(said)
    assert run.s.stage is Stage.ASK and run.s.field.id == field_id
    run.hear("一 三 九 一 二 三 四 五 六 七 八" if field_id == "phone" else sample_transcript(run.s.field, SITE, TODAY), "对")
    assert run.s.stage is Stage.REVIEW


def test_silence_at_the_review_asks_for_submit_not_yes_or_no():
    run = at_review().hear("")
    assert run.last().type is EventType.NO_INPUT and "提交" in run.last().data["text"]


@pytest.mark.parametrize("said", ["可以 了", "好 了 谢谢", "没 了", "不用 了 谢谢", "够 了"])
def test_thats_all_after_submitting_ends_the_visit(said):
    run = at_review().hear("提交")
    assert run.s.stage is Stage.DONE
    run.hear(said)
    assert run.last().type is EventType.ENDED


# --- a family member applying; questions at the consent; yes said where a value is asked -----

@pytest.mark.parametrize("said", ["她 叫 王 秀英", "我 妈 叫 王 秀英", "老人 叫 王 秀英", "他 的 名字 是 王 秀英"])
def test_a_relatives_name_in_a_carrier_phrase(said):
    run = Run("elderly_allowance").to("name").hear(said)
    assert run.s.pending == "王秀英"


@pytest.mark.parametrize("said", ["什么 意思", "这 是 啥 意思", "保存 多久 啊", "谁 能 看"])
def test_a_question_at_the_consent_is_answered_and_no_refusal(said):
    run = Run("senior_card").to("consent").hear(said)
    last = run.last()
    assert last.data["key"] == "answer.why" and last.data["counts"] is False
    assert "consent" not in run.s.answers and run.fails() == 0


@pytest.mark.parametrize("field_id", ["name", "id_number", "phone"])
def test_a_bare_yes_where_a_value_is_asked_asks_again_without_a_miss(field_id):
    run = Run("senior_card").to(field_id).hear("对")
    assert run.last().type is EventType.NO_INPUT and run.fails() == 0


def test_no_then_a_reason_at_the_cancel_question_keeps_going():
    run = Run("senior_card").to("name").hear("不 办 了", "不 不 我 还 要 办")
    assert run.s.stage is Stage.ASK and run.s.field.id == "name"


def test_needs_someone_to_hold_them_up():
    run = Run("home_service").to("mobility").hear("我 腿 不 好 要 人 扶")
    assert run.s.pending == "needs_help"


# --- wording: nothing said twice --------------------------------------------------------------

def test_the_second_miss_never_gives_the_same_example_twice():
    run = Run("senior_card").to("consent").hear("随便 吧", "随便 吧")
    text = run.of(EventType.REJECTED)[-1].data["text"]
    assert text.count("“同意”") == 1


def test_the_second_miss_at_a_name_has_one_example():
    run = Run("senior_card").to("name").hear("一 二 三 四", "一 二 三 四")
    assert run.of(EventType.REJECTED)[-1].data["text"].count("比如") == 1


def test_a_report_with_nothing_to_bring_does_not_ask_for_documents():
    run = Run("repair_request")
    for _ in range(40):
        if run.s.stage is Stage.REVIEW:
            break
        run.to(run.s.field.id)
        run.hear("本人" if run.s.field.id == "applicant" else sample_transcript(run.s.field, SITE, TODAY), "对")
    run.hear("提交")
    done = run.of(EventType.SUBMITTED)[-1]
    assert "材料" not in done.data["speech"] and "处理" in done.data["speech"]


@pytest.mark.parametrize("form_id, field_id, said, value", [
    ("senior_card", "has_photo", "带 了", True), ("senior_card", "has_photo", "没 带", False),
    ("senior_card", "has_photo", "我 带 着呢", True), ("repair_request", "urgent", "急", True),
    ("repair_request", "urgent", "不 急", False), ("senior_card", "local_hukou", "在 本市", True),
])
def test_yes_or_no_said_by_echoing_the_questions_verb(form_id, field_id, said, value):
    run = Run(form_id).to(field_id).hear(said)
    assert run.s.pending is value


def test_a_word_not_in_the_question_is_no_echo():
    run = Run("senior_card").to("has_photo").hear("苹果")
    assert run.s.pending is None and run.fails() == 1


def test_a_landline_is_refused_at_once_not_waited_on():
    run = Run("living_alone_care").to("phone").hear("八 八 六 六 五 五 四 四")
    last = run.last()
    assert last.data["reason"] != RefusalReason.INCOMPLETE.value and last.data["counts"] is True
    assert "座机" not in next(f.help for f in FORMS["living_alone_care"].fields if f.id == "phone")


def test_an_id_that_cannot_begin_so_is_refused_at_once():
    run = Run("senior_card").to("id_number").hear("九 九 一 二 三")
    assert run.last().data["reason"] != RefusalReason.INCOMPLETE.value


@pytest.mark.parametrize("said", ["不对 五 六 七 九", "不 对 最后 是 五 六 七 九", "不对 后面 是 五六七九"])
def test_correcting_the_end_of_a_number_at_its_read_back(said):
    run = Run("senior_card").to("phone").hear(spell_digits(SAMPLE_PHONE), said)
    assert run.s.stage is Stage.CONFIRM and run.s.pending == "13812345679"


def test_a_rambling_name_answer_keeps_only_the_name():
    run = Run("senior_card").to("name").hear("我 叫 王 秀英 我 今年 七十八 了 住 在 七 号 楼")
    assert run.s.pending == "王秀英"


def test_a_birth_date_ending_born_is_understood():
    run = Run("living_alone_care").to("birth_date").hear("一九五零 年 三月 五 号 生 的")
    assert run.s.pending == "1950-03-05"


@pytest.mark.parametrize("said, value", [("租 的", "rent"), ("自己 的", "own")])
def test_a_short_answer_that_names_one_option(said, value):
    run = Run("residence_certificate").to("housing").hear(said)
    assert run.s.pending == value


@pytest.mark.parametrize("said, copies", [("就 一 份", 1), ("开 两 张", 2), ("要 三 份 吧", 3)])
def test_copies_said_with_a_verb_and_a_measure_word(said, copies):
    run = Run("residence_certificate").to("copies").hear(said)
    assert run.s.pending == copies


# --- asking the kiosk itself, the northern way ------------------------------------------------

@pytest.mark.parametrize("said, control", [
    ("说 慢 点 儿", SpeechControl.SLOWER), ("大 点儿 声", SpeechControl.LOUDER), ("我 耳朵 背", SpeechControl.LOUDER),
    ("声音 太 小 了", SpeechControl.LOUDER), ("听 不 太 清", SpeechControl.PARDON), ("说 清楚 点", SpeechControl.PARDON),
    ("你 等 我 一下", SpeechControl.PAUSE), ("等 我 一会儿", SpeechControl.PAUSE),
])
def test_speech_requests_the_northern_way_are_never_an_answer(said, control):
    run = Run("senior_card").to("name").hear(said)
    assert any(e.data.get("control") == control.value for e in run.of(EventType.SPEECH_CONTROL))
    assert run.s.pending is None and run.fails() == 0


@pytest.mark.parametrize("said, expected", [
    ("不 想 办 了", EventType.CANCEL_ASKED), ("下次 再 说", EventType.CANCEL_ASKED), ("我 走 了", EventType.CANCEL_ASKED),
    ("有 人 吗", EventType.HANDOFF_REQUESTED), ("服务员", EventType.HANDOFF_REQUESTED),
    ("看 不 懂", EventType.HANDOFF_REQUESTED), ("重新 说 一 遍", EventType.PROMPT),
])
def test_giving_up_calling_someone_and_asking_again(said, expected):
    run = Run("senior_card").to("name").hear(said)
    assert run.last().type is expected and run.s.pending is None and run.fails() == 0


def test_a_spoken_yes_is_read_back_in_plain_mandarin():
    run = Run("senior_card").to("local_hukou").hear("是 的")
    said = run.of(EventType.UNDERSTOOD)[-1].data
    assert said["text"] == "您回答的是“是”，对吗？" and "是：是" not in said["speech"]


@pytest.mark.parametrize("said, name", [("我 儿子 王 强", "王强"), ("我 女儿 叫 王 芳", "王芳"),
                                        ("找 我 闺女 王 芳", "王芳"), ("我 老伴 张 建国", "张建国")])
def test_an_emergency_contact_said_with_who_they_are(said, name):
    run = Run("living_alone_care").to("contact_name").hear(said)
    assert run.s.pending == name


@pytest.mark.parametrize("said", ["邻居 李 阿姨", "王 师傅"])
def test_a_name_with_a_title_asks_for_the_full_name(said):
    run = Run("living_alone_care").to("contact_name").hear(said)
    assert run.s.pending is None and run.last().data["key"] == "answer.name_title"


@pytest.mark.parametrize("said", ["我 换 了 个 号 一 三 九 一 二 三 四 五 六 七 八", "换 了 一个 新 号 一三九 一二三四 五六七八"])
def test_a_new_number_said_at_the_reuse_question_is_taken(said):
    run = Run("senior_card")
    run.visit.memory["phone"] = (FORMS["senior_card"].fields[-1].type, SAMPLE_PHONE)
    run.to("has_photo").hear("带 了", "对")
    assert run.s.field.id == "phone" and run.s.stage is Stage.REUSE
    run.hear(said)
    assert run.s.stage is Stage.CONFIRM and run.s.pending == "13912345678"


def test_two_whole_numbers_in_one_sentence_are_not_guessed():
    run = Run("senior_card").to("phone").hear("一 三 八 一 二 三 四 五 六 七 八 还是 一 三 九 一 二 三 四 五 六 七 八")
    assert run.s.pending is None


# --- punctuation from a typed or pasted line --------------------------------------------------

def test_full_and_half_width_punctuation_is_ignored():
    run = Run("senior_card").to("name").hear("我叫：王秀英。", "不对，是王秀兰！")
    assert run.s.pending == "王秀兰"
    run.hear("对！").hear("１１０１０５-１９４９１２３１-００２Ｘ", "是的。")
    assert run.s.answers["id_number"] == SAMPLE_ID
    run.hear("对")                                   # the birth date from the ID
    run.hear("慢一点！")
    assert run.of(EventType.SPEECH_CONTROL)[-1].data["control"] == SpeechControl.SLOWER.value


@pytest.mark.parametrize("said", ["OK", "ok 的", "好滴"])
def test_ok_confirms(said):
    run = Run("senior_card").to("name").hear("王 秀英", said)
    assert run.s.answers.get("name") == "王秀英"


@pytest.mark.parametrize("said", ["Wang Xiuying", "hello", "😀"])
def test_latin_or_emoji_where_a_name_is_asked_gets_mandarin_help(said):
    run = Run("senior_card").to("name").hear(said)
    text = run.last().data["text"]
    assert run.s.pending is None and not any("a" <= c.lower() <= "z" for c in text)


# --- options in everyday words, through the real forms ----------------------------------------

@pytest.mark.parametrize("form_id, field_id, said, value", [
    ("complaint", "topic", "有 人 在 楼道 里 堆 东西", "safety"), ("complaint", "topic", "狗 叫", "noise"),
    ("complaint", "topic", "车 乱 停", "parking"), ("repair_request", "problem", "水龙头 关 不 上", "leak"),
    ("repair_request", "problem", "下水道 返 味", "drain"), ("repair_request", "problem", "门 打 不 开 了", "door"),
    ("repair_request", "problem", "暖气 不 热", "other"), ("living_alone_care", "care_needs", "经常 打 个 电话 就 行", ["phone_call"]),
    ("living_alone_care", "care_needs", "陪 我 去 医院", ["clinic"]), ("home_service", "service", "理 个 发", "haircut"),
])
def test_options_named_in_everyday_words(form_id, field_id, said, value):
    run = Run(form_id).to(field_id).hear(said)
    assert run.s.pending == value


@pytest.mark.parametrize("said", ["交 吧", "就 这样 吧", "行 了 交 吧", "都 对"])
def test_submitting_in_everyday_words(said):
    run = at_review().hear(said)
    assert run.s.stage is Stage.DONE


def test_the_nth_item_at_the_review_is_asked_again():
    run = at_review()
    second = run.s.review_items()[1]["field_id"]
    run.hear("第 二 项 不 对")
    assert run.s.stage is Stage.ASK and run.s.field.id == second


def test_anything_else_at_the_review_asks_for_submit_or_the_item():
    run = at_review().hear("今天 天气 不错")
    assert run.s.stage is Stage.REVIEW and run.last().data["key"] == "review.reask"
    assert "提交" in run.last().data["text"] and "对”或者“不对" not in run.last().data["text"]


def test_looking_again_at_the_review_is_a_pause():
    run = at_review().hear("我 再 看看")
    assert run.last().data["control"] == SpeechControl.PAUSE.value and run.s.stage is Stage.REVIEW


@pytest.mark.parametrize("said", ["不 是 这个 号 了 一 三 九 一 二 三 四 五 六 七 八", "换 号 了 一 三 九 一 二 三 四 五 六 七 八",
                                  "不对 现在 是 一 三 九 一 二 三 四 五 六 七 八"])
def test_a_no_with_the_new_number_at_the_reuse_offer_takes_the_new_number(said):
    run = Run("senior_card")
    run.visit.memory["phone"] = (FORMS["senior_card"].fields[-1].type, SAMPLE_PHONE)
    run.to("has_photo").hear("带 了", "对")
    assert run.s.stage is Stage.REUSE
    run.hear(said)
    assert run.s.stage is Stage.CONFIRM and run.s.pending == "13912345678"
