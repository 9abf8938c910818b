"""The voice loop: speak -> listen -> understand -> read back, with no window and no Kivy.

A `VoiceLoop` subscribes to a visit's events. Each spoken event is said; a question is
followed by listening (with the field's grammar and its end-of-speech policy); what is heard
goes to the session (`hear`), silence goes to `session.no_input()` (the engine words the
no-input ladder), and speech controls (slower, louder, pardon, pause...) change how the next
prompt is said without ever counting as a failed answer. Screens only learn whether the kiosk
is listening or paused, through callbacks.

Everything outside is injected: the speaker, the recognizer and microphone (optional: without
them the kiosk is touch-only and a prompt nobody answers is read again after `reread_after_s`),
and the scheduler that runs callbacks on the owner's thread. Tests drive it with scripted
transcripts and a manual scheduler into a real engine session.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from collections.abc import Callable
from typing import Any

from kiosk.voice.controls import Control, SpeechSettingsNow
from kiosk.voice.scheduler import Scheduler, Timer
from kiosk.voices import say

log = logging.getLogger(__name__)

# Events whose speech is followed by listening with the current field's grammar (or free
# speech when no field is asked), and events that are only said.
LISTEN_AFTER = {"prompt", "understood", "reuse_offered", "rejected", "assistance_offered",
                "cancel_asked", "review", "submitted", "no_input", "nomatch", "not_understood"}
SAY_ONLY = {"submit_failed", "next_service"}
SPOKEN_ELSEWHERE = {"handoff_requested", "cancelled", "ended", "heard", "confirmed",
                    "form_started", "draft_save_failed"}
CONTROL_EVENTS = {"speech_control", "speech_control_requested"}
ASKING_STAGES = {"ask", "confirm", "reuse"}
RESUME_WORDS = ("好了", "继续", "我好了", "可以了", "接着来")   # without a session to ask
MAX_NO_INPUT_PER_QUESTION = 3    # the engine's ladder ends with staff; then the idle warning


def event_kind(event: Any) -> str:
    """'prompt', 'understood', ... for a dict-style event or a typed dataclass event."""
    etype = getattr(event, "type", None)
    if etype is not None:
        return str(getattr(etype, "value", etype))
    name = type(event).__name__
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def event_data(event: Any) -> dict[str, Any]:
    """An event's fields as a dict (dict-style `data`, or a dataclass's fields)."""
    data = getattr(event, "data", None)
    if isinstance(data, dict):
        return data
    if dataclasses.is_dataclass(event) and not isinstance(event, type):
        return {f.name: getattr(event, f.name) for f in dataclasses.fields(event)}
    return dict(getattr(event, "__dict__", {}))


class VoiceLoop:
    """One kiosk's voice: says events, listens for answers, applies the resident's controls."""

    def __init__(self, speaker: Any, scheduler: Scheduler, *, volume: float = 1.0,
                 reread_after_s: float = 25.0,
                 on_listening: Callable[[bool], None] | None = None,
                 on_paused: Callable[[bool], None] | None = None,
                 on_touch_only: Callable[[str], None] | None = None):
        self.speaker = speaker
        self.scheduler = scheduler
        self.reread_after_s = reread_after_s
        self.on_listening = on_listening or (lambda _on: None)
        self.on_paused = on_paused or (lambda _on: None)
        self.on_touch_only = on_touch_only or (lambda _why: None)
        self.controls = SpeechSettingsNow.starting_at(volume)
        self.visit: Any = None
        self.ears: Any = None              # kiosk.speech.listening.ListeningLoop, or None
        self.paused = False
        self.last_said = ""
        self.last_ask = ""                 # the last question said (repeat/pardon say it again)
        self._last_question = ""           # ...without intro or acknowledgement (counts repeats)
        self._last_ask_listen: Any = False
        self._intro = ""
        self._token = 0
        self._capture: Callable[[str], None] | None = None
        self._reread: Timer | None = None
        self._no_inputs = 0
        self._pardons = 0
        self._prefix = ""                  # an acknowledgement said before the next question
        self._next_rate: float | None = None   # one question said slower (the 2nd pardon)
        self._apply_controls()

    # ------------------------------------------------------------------ wiring
    @property
    def session(self) -> Any:
        """The visit's open session, if any."""
        return getattr(self.visit, "session", None)

    @property
    def touch_only(self) -> bool:
        """True until a recognizer and a microphone are in place."""
        return self.ears is None

    def attach(self, visit: Any) -> None:
        """Follow a new visit's events; the previous visit's settings are forgotten."""
        self.visit = visit
        visit.subscribe(self.on_event)
        self.reset()

    def set_speaker(self, speaker: Any) -> None:
        """The real speaker arrived from the background loader."""
        self.speaker = speaker
        self._apply_controls()

    def set_ears(self, recognizer: Any, microphone: Any) -> None:
        """Speech answers become possible: listen after each question from now on."""
        from kiosk.speech.listening import ListeningLoop

        self.ears = ListeningLoop(recognizer, microphone, self._heard, speaker=self.speaker,
                                  dispatch=self.scheduler.call_soon, on_error=self._ears_failed)

    def reset(self) -> None:
        """Visit over: default rate and loudness, not paused, nothing captured."""
        self.controls.reset()
        self._apply_controls()
        self._capture = None
        self._intro = self._prefix = ""
        self._next_rate = None
        self.last_ask = self._last_question = ""
        self._no_inputs = self._pardons = 0
        self._cancel_reread()
        if self.paused:
            self.paused = False
            self.on_paused(False)

    def capture(self, receiver: Callable[[str], None] | None) -> None:
        """Send the next recognised sentence to `receiver` instead of the session (feedback)."""
        self._capture = receiver

    # ------------------------------------------------------------------ saying
    def say(self, text: str, listen: Any = False, *, rate_factor: float | None = None) -> None:
        """Say `text`; listen afterwards with `listen` as grammar (list, or None = free speech).

        listen=False only speaks. A new `say` replaces whatever was being said or heard.
        """
        if not text:
            return
        self.last_said = text
        self._token += 1
        token = self._token
        self._stop_ears()
        self._cancel_reread()
        wants_answer = listen is not False

        def said() -> None:  # on the speaker's thread
            if wants_answer:
                self.scheduler.call_soon(lambda: self._after_question(token, listen))

        try:
            if rate_factor is not None and hasattr(self.speaker, "set_rate_factor"):
                self.speaker.speak(text, on_done=said, rate_factor=rate_factor)
            else:
                self.speaker.speak(text, on_done=said)
        except Exception:  # a broken voice must never stop the touch path
            log.exception("speaking failed")
            said()

    def ask(self, text: str, listen: Any = None, *, rate_factor: float | None = None,
            question: str | None = None) -> None:
        """Say a question and listen for its answer.

        `question` is the bare question (no intro, no acknowledgement) when `text` has more. The
        same question asked again and again (再说一遍, 重听) is said one step slower from its
        second repeat on; the question with its answers read out after it counts as the same.
        """
        question = text if question is None else question
        if question == self._last_question:
            self._pardons += 1
        elif not (self._last_question and question.startswith(self._last_question)):
            self._pardons = 0
            self._last_question = question
        if self._pardons >= 2 and rate_factor is None:
            rate_factor = self.controls.slower_factor()
        self.last_ask, self._last_ask_listen = text, listen
        self.say(text, listen, rate_factor=rate_factor)

    def quiet(self) -> None:
        """A tap: stop talking and listening (a tap also ends a pause)."""
        self._token += 1
        try:
            self.speaker.stop()
        except Exception:
            log.exception("stopping speech failed")
        self._stop_ears(timeout=0.1)
        self._cancel_reread()
        self._no_inputs = 0
        self._set_paused(False)

    def grammar(self) -> list[str] | None:
        """Phrases for the field being asked, or None (free speech) when no field is asked."""
        session = self.session
        if session is None or _stage(session) not in ASKING_STAGES:
            return None
        from kiosk.dialogue.understand import grammar_phrases

        return grammar_phrases(session.field, self.visit.site) or None

    # ------------------------------------------------------------------ events
    def on_event(self, event: Any) -> None:
        """Say what a visit's event says, and listen when it asks something."""
        kind, data = event_kind(event), event_data(event)
        speech = data.get("speech") or ""
        if kind == "form_started":
            self._intro = speech
        elif kind in CONTROL_EVENTS:
            self._engine_control(data)
        elif kind == "ended":
            self.reset()
        elif kind in SAY_ONLY:
            self.say(speech)
        elif kind in SPOKEN_ELSEWHERE:
            return
        elif kind in LISTEN_AFTER or speech:
            if kind in ("prompt", "understood", "reuse_offered", "confirmed"):
                self._no_inputs = 0
            intro = self._intro if kind == "prompt" else ""
            if kind == "prompt":
                self._intro = ""
            text = "".join(filter(None, [self._prefix, intro, speech]))
            # After a speech control the engine decides the rate (a pardon's `slower`): not a repeat.
            question = speech if not self._prefix else text
            rate, self._prefix, self._next_rate = self._next_rate, "", None
            self.ask(text, self.grammar(), rate_factor=rate, question=question)

    # ------------------------------------------------------------------ controls
    def _engine_control(self, data: dict[str, Any]) -> None:
        """The engine's SpeechControlRequested: change the voice; the engine re-asks the question
        right after (except for a pause), and the acknowledgement is said in front of it."""
        what = Control.of(data.get("control"))
        ack = data.get("speech") or ""
        if what is None:
            log.warning("unknown speech control %r", data.get("control"))
            return
        if what is Control.PAUSE:
            self.pause(ack)
            return
        if what is Control.RESUME:
            self._set_paused(False)
        elif what is Control.PARDON:
            self._next_rate = self.controls.slower_factor() if data.get("slower") else None
        elif not self.controls.step(what):
            ack = say(f"voice.{what.value}_limit")
        self._apply_controls()
        self._prefix = ack
        # Normally the engine's re-asked question takes the acknowledgement; if none comes in
        # this same call, say it alone rather than in front of some later question.
        self.scheduler.call_soon(self._flush_prefix)

    def _flush_prefix(self) -> None:
        if self._prefix:
            text, self._prefix = self._prefix, ""
            self.say(text)

    def control(self, control: Any) -> None:
        """A speech control with no session to route it (Home, help): applied here directly."""
        what = Control.of(control)
        if what is None:
            log.warning("unknown speech control %r", control)
            return
        if what is Control.PAUSE:
            self.pause()
        elif what is Control.RESUME:
            self.resume()
        elif what is Control.PARDON:
            self.pardon()
        else:
            changed = self.controls.step(what)
            self._apply_controls()
            key = f"speech_control.{what.value}" if changed else f"voice.{what.value}_limit"
            # The acknowledgement is said at the new setting, then the question again.
            self._say_then_ask(say(key))

    def pardon(self) -> None:
        """Say the last question again; from the second time in a row, one step slower."""
        if self.last_ask:
            self.ask(self.last_ask, self._last_ask_listen)
        elif self.last_said:
            self._pardons += 1
            self.say(self.last_said, rate_factor=self.controls.slower_factor() if self._pardons >= 2 else None)

    def pause(self, ack: str = "") -> None:
        """等一下: stop talking; listen only for 好了 until then or a tap. No clock runs meanwhile,
        and silence while paused is never a no-input."""
        self._token += 1
        try:
            self.speaker.stop()
        except Exception:
            log.exception("stopping speech failed")
        self._cancel_reread()
        self._set_paused(True)
        self.say(ack or say("speech_control.pause"), self.grammar() if self.session else list(RESUME_WORDS))

    def resume(self) -> None:
        """好了 (or a tap) with no session to route it: carry on with the question."""
        if not self.paused:
            return
        self._set_paused(False)
        self._say_then_ask(say("speech_control.resume"))

    def _set_paused(self, on: bool) -> None:
        if self.paused != on:
            self.paused = on
            self.on_paused(on)

    def _say_then_ask(self, ack: str) -> None:
        question, listen = self.last_ask, self._last_ask_listen
        if question:
            self.last_ask = ""     # ask() below sets it again without counting a pardon
            self.ask(f"{ack}{question}", listen)
            self.last_ask = question
        else:
            self.say(ack)

    def _apply_controls(self) -> None:
        if hasattr(self.speaker, "set_rate_factor"):
            self.speaker.set_rate_factor(self.controls.rate_factor)
        if hasattr(self.speaker, "set_volume"):
            self.speaker.set_volume(self.controls.volume)

    # ------------------------------------------------------------------ listening
    def _after_question(self, token: int, listen: Any) -> None:
        """The question has been said: listen, or (touch-only) read it again if nobody answers."""
        if token != self._token:
            return
        if self.ears is not None:
            self.on_listening(True)
            self.ears.start(listen or None, **self._end_of_speech())
        elif not self.paused and self.session is not None:
            self._reread = self.scheduler.call_later(self.reread_after_s, self._nobody_answered)

    def _end_of_speech(self) -> dict[str, Any]:
        """How this answer ends: the field kind's completeness test (short pause once the words
        make a whole answer, long pause while not), or the type's fixed pause for free speech."""
        session = self.session
        if session is None or self.paused or _stage(session) not in ASKING_STAGES:
            return {}
        try:
            from kiosk.dialogue.kinds import kind_of
            from kiosk.dialogue.kinds.base import FieldKind
        except ImportError:
            return {}
        field = session.field
        kind = kind_of("yes_no" if _stage(session) != "ask" else field.type)
        if type(kind).end_of_speech is FieldKind.end_of_speech:   # no completeness test (names, text)
            from kiosk.speech.recognizer import end_silence_for

            return {"end_silence_s": end_silence_for(field.type)}

        def complete(words: str) -> bool:
            try:
                return bool(kind.end_of_speech(field, words))
            except Exception:  # a kind's bug must not cut a resident off: wait longer instead
                log.exception("end_of_speech failed")
                return False

        return {"complete": complete}

    def hear(self, text: str, confidence: float = 1.0) -> None:
        """A recognised sentence from elsewhere (the tour, tests): handled as if the ears heard it."""
        self._heard(text, confidence)

    def _heard(self, text: str, confidence: float) -> None:
        """A final result from the listening thread, on the owner's thread."""
        self.on_listening(False)
        if self._capture is not None:
            receiver, self._capture = self._capture, None
            receiver(text)
            return
        if self.paused:
            if not text:                  # silence while paused counts for nothing: listen on
                if self.ears is not None:
                    self.ears.start(self.grammar() if self.session else list(RESUME_WORDS))
            elif self.session is not None:
                self.session.hear(text, confidence)   # 好了 resumes; other words end the pause too
                if self.paused and _stage(self.session) in ASKING_STAGES:
                    self._set_paused(False)
            elif any(w in text.replace(" ", "") for w in RESUME_WORDS):
                self.resume()
            return
        if not text:
            self._nobody_answered()
            return
        self._no_inputs = 0
        if self.session is not None:
            self.session.hear(text, confidence)

    def _nobody_answered(self) -> None:
        """Silence after a question: the engine's no-input ladder, never a silent screen."""
        self._reread = None
        session = self.session
        if session is None or self.paused or _stage(session) not in ASKING_STAGES:
            return
        self._no_inputs += 1
        if self._no_inputs > MAX_NO_INPUT_PER_QUESTION:
            return          # the ladder has offered staff; the idle warning comes next
        if hasattr(session, "no_input"):
            session.no_input()
        else:
            session.repeat()

    def _ears_failed(self, why: str) -> None:
        log.warning("microphone stopped; touch only: %s", why)
        self.ears = None
        self.on_listening(False)
        self.on_touch_only(why)

    def _stop_ears(self, timeout: float = 0.2) -> None:
        # On the UI thread: a cancelled listen ends within one 0.1 s audio chunk; never wait long.
        if self.ears is not None:
            self.ears.stop(timeout=timeout)
        self.on_listening(False)

    def _cancel_reread(self) -> None:
        if self._reread is not None:
            self._reread.cancel()
            self._reread = None


def _stage(session: Any) -> str:
    stage = getattr(session, "stage", None)
    return str(getattr(stage, "value", stage))
