"""The dialogue engine driven by vosk-shaped transcripts and taps, with no Kivy."""
from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest

from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.dialogue.engine import MAX_ATTEMPTS, Stage, Visit
from kiosk.dialogue.events import DialogueEvent, EventType
from kiosk.store.memory import MemoryStore
from kiosk.store.model import StoreError

TODAY = dt.date(2026, 11, 23)
SITE = SiteSpec()

FORM = FormSpec.model_validate({
    "id": "repair", "title": "报事报修", "short_name": "报修", "pictogram": "wrench",
    "intro": "我们来登记要修的东西。", "department": "物业服务窗口", "opening_hours": "周一至周五",
    "documents": ["身份证"],
    "fields": [
        {"id": "name", "type": "name", "label": "姓名", "prompt": "请说您的姓名。", "reuse": "name"},
        {"id": "phone", "type": "phone", "label": "电话", "prompt": "请说手机号。", "reuse": "phone"},
        {"id": "kind", "type": "choice", "label": "报修类型", "prompt": "哪里坏了？",
         "choices": [{"value": "water", "label": "漏水", "aliases": ["渗水"]},
                     {"value": "light", "label": "电灯"}]},
        {"id": "visit", "type": "yes_no", "label": "上门", "prompt": "需要上门吗？"},
        {"id": "visit_date", "type": "date", "label": "上门日期", "prompt": "哪天方便？",
         "min_date": "today", "max_date": "today+30d", "when": {"field": "visit", "equals": True}},
        {"id": "note", "type": "text", "label": "补充", "prompt": "还有什么要说的吗？",
         "max_length": 50, "optional": True},
    ],
})


class Recorder:
    """Collects every event of a visit."""

    def __init__(self, visit: Visit):
        self.events: list[DialogueEvent] = []
        visit.subscribe(self.events.append)

    def types(self) -> list[EventType]:
        return [e.type for e in self.events]

    def last(self, etype: EventType) -> DialogueEvent:
        return [e for e in self.events if e.type is etype][-1]

    def count(self, etype: EventType) -> int:
        return sum(1 for e in self.events if e.type is etype)


@pytest.fixture
def visit():
    return Visit(SITE, MemoryStore("K01"), TODAY)


def say_all(session, *lines):
    for line in lines:
        session.hear(line)


def fill_prelude_self(session):
    say_all(session, "本人", "对", "同意", "对")


def test_full_session_by_speech_reads_back_and_submits(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    assert rec.types()[:2] == [EventType.FORM_STARTED, EventType.PROMPT]
    fill_prelude_self(s)
    say_all(s, "张 三", "对")
    assert s.answers["name"] == "张三"
    say_all(s, "幺 三 八 一 二 三 四 五 六 七 八")
    readback = rec.last(EventType.UNDERSTOOD)
    assert readback.data["value"] == "13812345678"
    # the screen shows the whole number; the public speaker says only the last four digits
    assert readback.data["display"] == "138 1234 5678" in readback.data["text"]
    assert readback.data["speech"] == "您说的是：尾号五六七八。对吗？"
    say_all(s, "对", "渗水", "对", "不", "对")
    assert s.answers["kind"] == "water" and s.answers["visit"] is False
    assert "visit_date" not in s.answers            # conditional field skipped
    say_all(s, "楼道 灯 也 不 亮", "对")
    assert s.stage is Stage.REVIEW
    labels = [i["label"] for i in rec.last(EventType.REVIEW).data["items"]]
    assert labels == ["办理人", "姓名", "电话", "报修类型", "上门", "补充"]
    s.hear("提交")
    sub = rec.last(EventType.SUBMITTED)
    assert s.stage is Stage.DONE and sub.data["receipt_no"].startswith("20")
    stored = visit.store.get_submission(sub.data["receipt_no"])
    assert stored.answers["phone"] == "13812345678"
    assert {"name", "phone"} <= stored.personal


def test_correction_at_read_back_asks_again_and_keeps_earlier_answers(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "不对")
    assert s.stage is Stage.ASK and "name" not in s.answers
    assert rec.last(EventType.PROMPT).data["field_id"] == "name"
    say_all(s, "李 四", "对")
    assert s.answers["name"] == "李四" and s.answers["consent"] is True


def test_a_new_number_at_the_read_back_is_not_taken_without_a_no(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "对", "一 三 八 一 二 三 四 五 六 七 七")
    s.hear("一 三 八 一 二 三 四 五 六 七 八")       # neither yes nor no: asked again, kept
    assert s.stage is Stage.CONFIRM and s.pending == "13812345677"
    assert rec.last(EventType.REJECTED).data["text"].endswith("对，还是不对？")
    s.hear("不对 一 三 八 一 二 三 四 五 六 七 八")   # a correction carrying the new value
    assert s.stage is Stage.CONFIRM and s.pending == "13812345678"


def test_back_returns_to_previous_question_with_its_answer(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "对")
    s.hear("上一步")
    prompt = rec.last(EventType.PROMPT)
    assert prompt.data["field_id"] == "name" and prompt.data["current"] == "张三"


def test_back_on_first_question_asks_before_leaving(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    s.back()
    assert s.stage is Stage.CANCEL and rec.types()[-1] is EventType.CANCEL_ASKED
    s.hear("不是")
    assert s.stage is Stage.ASK and rec.last(EventType.PROMPT).data["field_id"] == "applicant"


def test_repeat_says_the_same_prompt_again(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    before = rec.last(EventType.PROMPT)
    s.hear("再说 一遍")
    again = rec.events[-1]
    # the same question on screen; spoken again with its options read out
    assert again.data | {"speech": before.data["speech"], "repeat": False} == before.data
    assert again.data["speech"] == before.data["text"] + "可以选：本人办理、家属代办。"


def test_help_creates_handoff_and_resume_continues_where_it_was(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "对", "找 工作人员")
    handoff = rec.last(EventType.HANDOFF_REQUESTED)
    assert handoff.data["field_id"] == "phone" and handoff.data["draft_id"] == s.draft_id
    assert visit.store.load_draft(s.draft_id).answers["name"] == "张三"   # saved for staff
    s.hear("一 三 八")                                # ignored while waiting for staff
    assert s.stage is Stage.HANDOFF
    s.resume()
    assert s.stage is Stage.ASK and rec.last(EventType.PROMPT).data["field_id"] == "phone"


def test_cancel_confirmed_discards_the_draft(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "对")
    assert visit.store.load_draft(s.draft_id) is not None
    say_all(s, "不办了", "是")
    assert s.stage is Stage.CANCELLED and EventType.CANCELLED in rec.types()
    assert visit.store.load_draft(s.draft_id) is None


def test_three_failures_offer_keypad_and_helper_once(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "对")
    for bad in ["今天 天气 很 好", "苹果 香蕉", "一 二 三 四 五 六 七 八 九 零 一 二 三 四 五 六 七 八 九 零"]:
        s.hear(bad)
    assert rec.count(EventType.REJECTED) == MAX_ATTEMPTS
    assert rec.count(EventType.ASSISTANCE_OFFERED) == 1
    assert all("11" in e.data["text"] or e.data["text"] for e in rec.events if e.type is EventType.REJECTED)
    s.answer("13812345678")                       # then the keypad works
    assert s.stage is Stage.CONFIRM


def test_rejections_are_mandarin_and_lose_nothing(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "对", "😀😀")
    text = rec.last(EventType.REJECTED).data["text"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in text) and "Traceback" not in text
    assert s.answers["name"] == "张三"


def test_low_confidence_is_not_taken_as_an_answer(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    s.hear("本人", confidence=0.1)
    assert rec.last(EventType.REJECTED).data["key"] == "answer.low_confidence"
    assert s.stage is Stage.ASK


def test_conditional_field_appears_and_is_dropped_when_answer_changes(visit):
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "对", "一 三 八 一 二 三 四 五 六 七 八", "对", "电灯", "对", "是", "对")
    assert s.field.id == "visit_date"
    s.answer("2026-11-30")
    s.confirm(True)
    assert s.answers["visit_date"] == "2026-11-30"
    s.skip()                                       # optional note
    assert s.stage is Stage.REVIEW
    s.edit("visit")
    s.answer(False)                                # a tapped 不是 is kept at once, no read-back
    assert "visit_date" not in s.answers and s.stage is Stage.REVIEW


def test_family_helper_path_names_both_people_in_consent(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    say_all(s, "代办", "对", "王 小 红", "对", "女儿", "对", "一 三 九 零 零 零 零 一 一 一 一", "对")
    consent = rec.last(EventType.PROMPT)
    assert consent.data["field_type"] == "consent"
    assert "王小红" in consent.data["text"] and "子女" in consent.data["text"]
    assert s.answers["helper_relation"] == "child"
    say_all(s, "同意", "对")
    assert s.field.id == "name"


def test_refused_consent_hands_over_to_staff(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    say_all(s, "本人", "对", "不同意")
    assert s.stage is Stage.ASK and rec.last(EventType.REJECTED).data["field_id"] == "consent"


def test_fill_once_within_a_visit_and_nothing_for_the_next_resident(visit):
    rec = Recorder(visit)
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "对", "一 三 八 一 二 三 四 五 六 七 八", "对", "电灯", "对", "不", "对")
    s.skip()
    s.hear("提交")
    s.hear("是")                                     # another service
    assert rec.types()[-1] is EventType.NEXT_SERVICE
    s2 = visit.start(FORM)
    assert s2.stage is Stage.REUSE                  # applicant reused with one yes
    s2.hear("对")
    say_all(s2, "同意", "对")
    offer = rec.last(EventType.REUSE_OFFERED)
    assert offer.data["field_id"] == "name" and offer.data["value"] == "张三"
    s2.hear("对")
    assert s2.answers["name"] == "张三" and s2.stage is Stage.REUSE   # phone offered next
    visit.end("home")
    assert visit.memory == {} and rec.types()[-1] is EventType.ENDED
    s3 = visit.start(FORM)
    assert s3.stage is Stage.ASK


def test_reuse_declined_asks_normally(visit):
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "对")
    s2 = visit.start(FORM)
    say_all(s2, "对", "同意", "对", "不对")
    assert s2.stage is Stage.ASK and s2.field.id == "name"


def test_timeout_keeps_draft_for_staff_and_wipes_memory(visit):
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "对")
    draft_id = s.draft_id
    visit.end("timeout")
    assert visit.memory == {} and visit.session is None
    assert visit.store.load_draft(draft_id).answers["name"] == "张三"


class FailingStore(MemoryStore):
    fail = True

    def submit(self, draft):
        if self.fail:
            raise StoreError("busy", "test")
        return super().submit(draft)


def test_store_failure_on_submit_keeps_answers_and_retry_works():
    store = FailingStore("K01")
    visit = Visit(SITE, store, TODAY)
    rec = Recorder(visit)
    s = visit.start(FORM)
    fill_prelude_self(s)
    say_all(s, "张 三", "对", "一 三 八 一 二 三 四 五 六 七 八", "对", "电灯", "对", "不", "对")
    s.skip()
    s.hear("提交")
    assert rec.types()[-1] is EventType.SUBMIT_FAILED and s.stage is Stage.REVIEW
    assert s.answers["name"] == "张三"
    store.fail = False
    s.submit()
    assert s.stage is Stage.DONE


def test_listener_failure_does_not_break_the_dialogue(visit):
    def broken(event):
        raise RuntimeError("ui bug")

    visit.subscribe(broken)
    s = visit.start(FORM)
    s.hear("本人")
    assert s.stage is Stage.CONFIRM


def test_events_round_trip_as_json(visit):
    rec = Recorder(visit)
    visit.start(FORM)
    for e in rec.events:
        assert DialogueEvent.from_dict(e.to_dict()) == e
    assert "请问" in rec.events[-1].to_json()       # Chinese not escaped


def test_engine_never_imports_kivy():
    code = "import sys, kiosk.dialogue.engine, kiosk.console; assert not [m for m in sys.modules if m.startswith('kivy')]"
    subprocess.run([sys.executable, "-c", code], check=True)


ID_FORM = FormSpec.model_validate({
    "id": "card", "title": "老年人优待证办理", "short_name": "优待证", "pictogram": "card",
    "intro": "办理优待证。", "department": "民政窗口", "opening_hours": "周一至周五", "allow_proxy": False,
    "fields": [
        {"id": "id_number", "type": "id_number", "label": "身份证号", "prompt": "请说身份证号。", "reuse": "id_number"},
        {"id": "birth_date", "type": "date", "label": "出生日期", "prompt": "哪天出生？", "reuse": "birth_date",
         "min_date": "1900-01-01", "max_date": "today-60y"},
    ],
})


def test_birth_date_is_offered_from_the_id_number(visit):
    rec = Recorder(visit)
    s = visit.start(ID_FORM)
    say_all(s, "同意", "对", "一 一 零 一 零 五 一 九 四 九 一 二 三 一 零 零 二 叉", "对")
    offer = rec.last(EventType.REUSE_OFFERED)
    assert offer.data["value"] == "1949-12-31" and "身份证" in offer.data["text"]
    s.hear("对")
    assert s.answers["birth_date"] == "1949-12-31" and s.stage is Stage.REVIEW


def test_a_remembered_answer_invalid_for_this_field_is_asked_not_offered(visit):
    s = visit.start(ID_FORM)
    # born 1990: fine as an ID, too young for the senior card's birth-date bound
    say_all(s, "同意", "对", "一 一 零 一 零 五 一 九 九 零 零 一 零 一 零 零 一 零", "对")
    assert s.stage is Stage.ASK and s.field.id == "birth_date"
