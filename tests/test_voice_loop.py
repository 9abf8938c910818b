"""The Kivy-free voice loop: scripted transcripts and silence through it into a real engine session.

No window, no Kivy: a RecordingSpeaker says (and remembers) each text, a ScriptedRecognizer
returns vosk-shaped transcripts ("" is silence until the no-speech timeout), the real
ListeningLoop runs them on its thread, and a ManualScheduler decides when callbacks run and
when time passes.
"""
from __future__ import annotations

import datetime as dt
import threading

import pytest

from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.dialogue.engine import Stage, Visit
from kiosk.dialogue.events import EndReason
from kiosk.speech.recognizer import RecognitionResult, ScriptedRecognizer
from kiosk.speech.speaker import RecordingSpeaker
from kiosk.store.memory import MemoryStore
from kiosk.voice import Control, ManualScheduler, VoiceLoop
from kiosk.voice.controls import RATE_STEPS
from kiosk.voice.loop import event_data, event_kind
from kiosk.voices import say

TODAY = dt.date(2026, 11, 23)

FORM = FormSpec.model_validate({
    "id": "repair", "title": "报事报修", "short_name": "报修", "pictogram": "wrench",
    "intro": "我们来登记要修的东西。", "department": "物业服务窗口", "opening_hours": "周一至周五",
    "allow_proxy": False,
    "fields": [
        {"id": "phone", "type": "phone", "label": "电话", "prompt": "请说手机号。"},
        {"id": "visit", "type": "yes_no", "label": "上门", "prompt": "需要上门吗？"},
    ],
})


CONSENT = ["同意", "对"]          # the prelude's consent question and its read-back
PHONE = "幺 三 八 一 二 三 四 五 六 七 八"


class Quiet:
    """An audio source that is never read (the scripted recognizer ignores it)."""

    sample_rate = 16000
    pauses = resumes = 0

    def read(self, frames: int) -> bytes:
        return b""

    def pause(self) -> None:
        self.pauses += 1

    def resume(self) -> None:
        self.resumes += 1

    def close(self) -> None:
        pass


class Ears(ScriptedRecognizer):
    """Scripted answers; once the script is used up it listens like a microphone in an empty
    room that never times out (blocked until the loop cancels), so a test can wait for it."""

    def __init__(self, script: list):
        super().__init__(script)
        self.held = threading.Event()

    def listen(self, grammar, source=None, cancel=None, on_partial=None, end_silence_s=None, complete=None):
        if self.script or cancel is None:
            return super().listen(grammar, source, cancel, on_partial, end_silence_s, complete)
        self.grammars.append(grammar)
        self.completes.append(complete)
        self.held.set()
        cancel.wait()
        self.held.clear()
        return RecognitionResult("", 0.0, final=False)


class Kiosk:
    """A voice loop on a real visit, with scripted ears."""

    def __init__(self, script: list | None = None, ears: bool = True):
        self.speaker = RecordingSpeaker()
        self.clock = ManualScheduler()
        self.listening: list[bool] = []
        self.paused: list[bool] = []
        self.voice = VoiceLoop(self.speaker, self.clock, reread_after_s=20,
                               on_listening=self.listening.append, on_paused=self.paused.append)
        self.recognizer = Ears(list(script or []))
        if ears:
            self.voice.set_ears(self.recognizer, Quiet())
        self.visit = Visit(SiteSpec(), MemoryStore("K01"), TODAY)
        self.voice.attach(self.visit)
        self.events: list = []
        self.visit.subscribe(self.events.append)

    def kinds(self) -> list[str]:
        return [getattr(e.type, "value", type(e).__name__) for e in self.events]

    def settle(self) -> None:
        """Run callbacks until every scripted answer is used and the loop listens for the next."""
        assert self.clock.wait_for(lambda: not self.recognizer.script and self.recognizer.held.is_set()), \
            "the loop stopped listening"


def test_speech_answers_flow_through_the_loop_into_the_session():
    k = Kiosk([*CONSENT, PHONE, "对", "不 需要", "对"])
    session = k.visit.start(FORM)
    assert k.speaker.said[0].startswith("我们来登记要修的东西。")   # intro joined to the first prompt
    k.settle()
    assert session.answers["phone"] == "13812345678" and session.answers["visit"] is False
    assert session.stage is Stage.REVIEW
    # each question was followed by listening with its field's grammar
    assert all(g for g in k.recognizer.grammars[:2]) and "对" in " ".join(k.recognizer.grammars[3])
    assert "请说手机号。" in k.speaker.said
    # the phone number was read back (and asked about) before it was committed
    readback = k.speaker.said[k.speaker.said.index("请说手机号。") + 1]
    assert "对吗" in readback
    assert k.listening[-1] is True            # listening for the review screen's answer


def test_phone_field_listens_with_the_kinds_end_of_speech_test():
    k = Kiosk([*CONSENT, PHONE])
    k.visit.start(FORM)
    k.settle()
    complete = k.recognizer.completes[2]
    if complete is None:
        pytest.skip("field-kind registry (kiosk.dialogue.kinds.kind_of) not in place yet")
    assert complete("幺 三 八 一 二 三 四 五 六 七 八")
    assert not complete("幺 三 八 一 二 三")


def test_silence_goes_to_the_no_input_ladder_never_a_silent_screen():
    k = Kiosk([*CONSENT, "", "", PHONE])
    session = k.visit.start(FORM)
    k.settle()
    asked = k.speaker.said.index("请说手机号。")
    # each of the two silences made the kiosk say something, and the question stayed open
    assert len(k.speaker.said) >= asked + 4
    assert session.stage is Stage.CONFIRM and session.pending == "13812345678"
    # nothing counted as a failed answer
    assert session.attempts.get("phone", 0) == 0


def test_touch_only_kiosk_reads_the_question_again_when_nobody_answers():
    k = Kiosk(ears=False)
    session = k.visit.start(FORM)
    k.clock.run_pending()
    said = len(k.speaker.said)
    assert k.clock.pending_timers() == [20]
    k.clock.advance(19)
    assert len(k.speaker.said) == said          # not yet
    k.clock.advance(1)
    assert len(k.speaker.said) == said + 1      # read again (the engine words the ladder)
    assert session.stage is Stage.ASK
    k.voice.quiet()
    session.answer(True)                        # a tap answered: no re-read pending for the old question
    k.clock.run_pending()
    assert k.speaker.said[-1] != k.speaker.said[said]
    assert k.clock.pending_timers() == [40]


def last_prompt_speech(k: Kiosk) -> str:
    return [e for e in k.events if event_kind(e) == "prompt"][-1].speech


def test_rate_and_loudness_controls_step_and_reset_with_the_visit():
    k = Kiosk(ears=False)
    session = k.visit.start(FORM)
    session.speech_control("slower")
    session.speech_control("slower")
    assert k.speaker.rate_factor == RATE_STEPS[1]
    # the acknowledgement, then the question again at the new rate (one text: nothing cut off)
    assert k.speaker.said[-1] == say("speech_control.slower") + last_prompt_speech(k)
    for _ in range(6):
        session.speech_control("slower")
    assert k.speaker.rate_factor == RATE_STEPS[0]
    assert k.speaker.said[-1] == say("voice.slower_limit") + last_prompt_speech(k)
    session.speech_control("louder")
    assert k.speaker.volume > 1.0
    assert not session.attempts                    # never a failed answer
    k.visit.end(EndReason.DONE)                    # the next resident starts from the defaults
    assert k.speaker.rate_factor == 1.0 and k.speaker.volume == 1.0


def test_spoken_controls_go_through_the_engine_and_count_for_nothing():
    k = Kiosk(["慢 一点", "大声 点", *CONSENT, PHONE])
    session = k.visit.start(FORM)
    k.settle()
    assert k.speaker.rate_factor < 1.0 and k.speaker.volume > 1.0
    assert session.pending == "13812345678" and not session.attempts
    assert not [e for e in k.events if event_kind(e) in ("rejected", "no_input")]


def test_pardon_repeats_the_question_slower_the_second_time():
    k = Kiosk(ears=False)
    session = k.visit.start(FORM)
    session.speech_control("pardon")
    question = last_prompt_speech(k)
    assert k.speaker.said[-1] == say("speech_control.pardon") + question and k.speaker.rates[-1] == 1.0
    session.speech_control("pardon")
    assert k.speaker.said[-1] == say("speech_control.pardon") + question and k.speaker.rates[-1] < 1.0
    assert k.speaker.rate_factor == 1.0            # only that once


def test_pause_by_voice_stops_the_clock_and_silence_counts_for_nothing():
    k = Kiosk(["等 一下", "", "", "好了", *CONSENT, PHONE])
    session = k.visit.start(FORM)
    k.settle()
    assert k.paused == [True, False]
    assert say("speech_control.pause") in k.speaker.said
    resumed = k.speaker.said[2]
    assert resumed.startswith(say("speech_control.resume")) and resumed.endswith("您同意吗？")
    # the two silences while paused were not no-inputs and nothing counted as a failure
    assert not [e for e in k.events if event_kind(e) in ("no_input", "rejected")]
    assert session.pending == "13812345678"


def test_a_tap_ends_a_pause_and_no_reread_runs_while_paused():
    k = Kiosk(ears=False)
    session = k.visit.start(FORM)
    k.clock.run_pending()
    session.speech_control("pause")
    k.clock.run_pending()
    assert k.voice.paused and not k.clock.pending_timers()
    k.voice.quiet()
    assert not k.voice.paused and k.paused == [True, False]


def test_controls_without_a_session_are_applied_by_the_loop():
    speaker, clock = RecordingSpeaker(), ManualScheduler()
    voice = VoiceLoop(speaker, clock)
    voice.say("您好")
    voice.control(Control.FASTER)
    assert speaker.rate_factor > 1.0 and speaker.said[-1] == say("speech_control.faster")
    voice.control(Control.PARDON)
    assert speaker.said[-1] == say("speech_control.faster")


def test_capture_takes_one_sentence_instead_of_the_session():
    k = Kiosk(["很 好"])
    got: list[str] = []
    session = k.visit.start(FORM)
    k.voice.capture(got.append)
    assert k.clock.wait_for(lambda: got)
    assert got == ["很 好"] and session.stage is Stage.ASK and not session.answers


def test_event_kind_and_data_read_typed_events():
    from kiosk.dialogue.events import SpeechControl, SpeechControlRequested

    ev = SpeechControlRequested(control=SpeechControl.FASTER, text="x", speech="x")
    assert event_kind(ev) == "speech_control" and Control.of(event_data(ev)["control"]) is Control.FASTER
    assert Control.of(SpeechControl.FASTER) is Control.FASTER


@pytest.mark.parametrize("private", [False, True])
def test_private_audio_setting_reaches_the_visit_and_the_phone_read_back(tmp_path, private):
    from kiosk.config import Settings, SpeechSettings
    from kiosk.runtime import open_runtime

    settings = Settings(data_dir=tmp_path, speech=SpeechSettings(private_audio=private))
    runtime = open_runtime(settings, store=MemoryStore("K01"))
    visit = runtime.new_visit()
    assert visit.private_audio is private
    speaker, clock = RecordingSpeaker(), ManualScheduler()
    voice = VoiceLoop(speaker, clock)
    voice.attach(visit)
    session = visit.start(FORM)
    session.hear("同意")
    if session.stage is Stage.CONFIRM:
        session.hear("对")
    session.hear(PHONE)
    readback = speaker.said[-1]
    # the screen shows the whole number either way; the public speaker says only the tail
    assert any(t in readback for t in ("五 六 七 八", "五六七八", "5 6 7 8"))
    assert ("1 3 8" in readback or "一 三 八" in readback) is private


def test_each_answer_listens_with_its_own_kinds_completeness_test():
    form = FormSpec.model_validate({
        "id": "note", "title": "意见建议", "short_name": "意见", "pictogram": "speech",
        "intro": "请说您的意见。", "department": "窗口", "opening_hours": "全天", "allow_proxy": False,
        "fields": [{"id": "note", "type": "text", "label": "意见", "prompt": "请说。", "max_length": 50}],
    })
    k = Kiosk([*CONSENT, "楼道 灯 坏了"])
    k.visit.start(form)
    k.settle()
    consent, readback, text = k.recognizer.completes[:3]
    assert consent("同意") and not consent("那个")
    assert readback("对") and readback("不 对") and not readback("那个")   # judged by yes/no words
    assert text("楼道 灯 坏了") and not text("楼道 灯")     # free text: a sentence ending, or the long pause


def test_asking_for_the_same_question_again_is_slower_from_the_second_repeat():
    k = Kiosk(ears=False)
    session = k.visit.start(FORM)
    session.repeat()                               # 再说一遍 / 重听: the engine re-emits the prompt
    session.repeat()
    question = last_prompt_speech(k)
    assert k.speaker.said[-2:] == [question, question]
    assert k.speaker.rates[-2:] == [1.0, RATE_STEPS[2]]
    session.answer(True)                           # a new question is said at the resident's rate
    assert k.speaker.rates[-1] == 1.0
