"""Routes a visit's events to the screens and the voice, and screen taps back to the session.

The one place that knows which screen shows which event. It holds no form logic: every
decision (what is next, what is valid, what to say) comes from the engine's events, and no
voice logic: kiosk.voice.VoiceLoop says the events, listens and applies speech controls. Each
other concern is an object it holds: staff PIN (staff_entry), calling staff (staff_call), the
timeout warning (timeout), the receipt (receipt), feedback (feedback); the Done screen counts
itself home. Speech is optional: the speaker/recognizer arrive from a background thread when
ready, and until then (or without a model) the kiosk is touch-only.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from kivy.clock import Clock

from kiosk.dialogue.engine import Stage, Visit
from kiosk.dialogue.events import DialogueEvent
from kiosk.speech.speaker import SilentSpeaker
from kiosk.ui.done_receipt import DoneReceipt
from kiosk.ui.feedback_ask import FeedbackAsk
from kiosk.ui.idle import VisitTimeout
from kiosk.ui.scheduler import KivyScheduler
from kiosk.ui.staff_call import StaffCall
from kiosk.ui.staff_entry import StaffEntry
from kiosk.voice import VoiceLoop
from kiosk.voices import say

log = logging.getLogger(__name__)

RESIDENT_SCREENS = ("home", "question", "review", "done", "help", "feedback")


class KioskController:
    """Glue between one `Runtime`, the screen manager and the speech devices."""

    def __init__(self, app, runtime, *, speaker=None, print_service=None):
        self.app = app
        self.runtime = runtime
        self.receipt = DoneReceipt(self, print_service)   # marks, prints and tells the receipt on Done
        sp = runtime.settings.speech
        self.voice = VoiceLoop(speaker or SilentSpeaker(), KivyScheduler(), volume=sp.volume,
                               reread_after_s=sp.reread_after_s, on_listening=self._set_listening,
                               on_paused=self._paused, on_touch_only=self._touch_only)
        self.touch_only_reason = ""
        self.listeners: list[Callable[[DialogueEvent], None]] = []   # tests, audit: every visit
        self.core_listeners: list[Callable[[DialogueEvent], None]] = []  # the staff desk: every visit
        self.staff_call = StaffCall(self)     # help screen with the staff layer's ticket, chime, number spoken
        self.staff_entry = StaffEntry(app)    # the staff keypad's PIN goes to the staff layer through it
        self.desk = None                      # kiosk.staff.tickets.HandoffDesk when assisted mode is on
        self.chime = None                     # kiosk.ui.staff_chime.Chime: rings for staff on a handoff
        self.feedback = FeedbackAsk(self)     # 办得顺利吗？ after 办完了 (assisted mode sets its box)
        self.visit: Visit | None = None
        ui = runtime.settings.ui
        self.timeout = VisitTimeout(self, ui.idle_warning_s, ui.extension_s, ui.max_extensions)
        self.idle = self.timeout.watch        # arm/poke/disarm: the idle clock of the open form

    # ----------------------------------------------------------------- lifecycle
    @property
    def session(self):
        """The open session of the current visit, if any."""
        return self.visit.session if self.visit is not None else None

    @property
    def screens(self):
        """The app's ScreenManager."""
        return self.app.screens

    def begin(self) -> None:
        """A fresh visit on the Home screen (start-up, and after every resident)."""
        self.visit = self.runtime.new_visit()
        self.visit.subscribe(self._on_event)
        self.voice.attach(self.visit)        # before the listeners: one of them may speak over it
        for listener in self.core_listeners + self.listeners:
            self.visit.subscribe(listener)
        self.idle.disarm()
        self._stop_done_countdown()
        self.feedback.forget()
        self.app.theme.reset()
        self._show("home")
        self.voice.say(say("welcome"))

    def add_listener(self, listener: Callable[[DialogueEvent], None]) -> None:
        """Receive every event of this and every later visit (tests, audit log)."""
        self.listeners.append(listener)
        if self.visit is not None:
            self.visit.subscribe(listener)

    def start_form(self, form_id: str) -> None:
        """A service tile was tapped."""
        form = self.runtime.catalogue.forms[form_id]
        self.voice.quiet()
        if self.visit is None:
            self.begin()
        self.idle.arm()
        self.visit.start(form)

    def speech_ready(self, speaker=None, recognizer=None, microphone=None, reason: str = "") -> None:
        """Called on the UI thread when the background loader finished."""
        if speaker is not None:
            self.voice.set_speaker(speaker)
        self.touch_only_reason = reason
        if recognizer is not None and microphone is not None:
            self.voice.set_ears(recognizer, microphone)
        if self.screens.has_screen("question"):
            self.app.screen("question").touch_only = self.voice.touch_only

    # ----------------------------------------------------------------- resident actions
    def repeat(self) -> None:
        """重听: say the open question (or this screen's message) again."""
        self.voice.quiet()
        session = self.session
        if session is not None and self.screens.current in ("question", "review"):
            session.repeat()
            # EZ Access style: after the question, the answers on screen are read out too.
            extra = self.app.screen("question").choices_speech() if self.screens.current == "question" else ""
            if extra and self.voice.last_ask:
                self.voice.ask(self.voice.last_ask + extra, self.voice.grammar())
        else:
            self.voice.say(self.voice.last_said or say("welcome"))

    def back(self) -> None:
        """上一步."""
        self.voice.quiet()
        session = self.session
        current = self.screens.current
        if current == "home" or session is None:
            if current in ("help", "staff_pin"):
                self._show("home")
            self.voice.say(say("ui.back_at_home"))
        elif current in ("done", "feedback"):    # nothing before these to go back to: say it again
            self.voice.say(self.voice.last_said)
        else:
            session.back()

    def request_help(self) -> None:
        """找工作人员: the engine keeps the draft; without a session the help screen shows at once."""
        self.voice.quiet()
        session = self.session
        if session is not None and session.stage not in (Stage.DONE, Stage.CANCELLED):
            session.request_help("asked")
        else:
            self.staff_call.call({"reason": "asked", "text": say("handoff.coming"), "speech": say("handoff.coming")})

    def answer(self, value: Any) -> None:
        """A touch answer for the current field."""
        self.voice.quiet()
        if self.session is not None:
            self.session.answer(value)

    def confirm(self, yes: bool) -> None:
        """对 / 不对 (and the other yes/no questions)."""
        self.voice.quiet()
        if self.session is not None:
            self.session.confirm(yes)

    def skip(self) -> None:
        """Leave an optional field empty."""
        self.voice.quiet()
        if self.session is not None:
            self.session.skip()

    def edit(self, field_id: str) -> None:
        """Change one answer from the review screen."""
        self.voice.quiet()
        if self.session is not None:
            self.session.edit(field_id)

    def submit(self) -> None:
        """确认提交."""
        self.voice.quiet()
        if self.session is not None:
            self.session.submit()

    def resume(self) -> None:
        """我自己继续办 from the help screen."""
        self.voice.quiet()
        session = self.session
        if session is not None and session.stage is Stage.HANDOFF:
            session.resume()
        else:
            self._show("home")

    def another(self) -> None:
        """再办一件: keep the fill-once memory, back to the tiles."""
        self._stop_done_countdown()
        if self.visit is not None:
            self.visit.another()

    def finish(self, reason: str = "done", ask_feedback: bool = True) -> None:
        """办完了 (or the done timer): forget everything, Home for the next resident.

        办完了 tapped on the Done screen first asks 办得顺利吗？ (anonymous, skippable).
        """
        self.voice.quiet()
        self._stop_done_countdown()
        if ask_feedback and reason == "done" and self.feedback.due():
            self.feedback.ask()
            return
        if self.visit is not None:
            self.visit.end(reason)
        else:
            self.begin()

    def open_staff_pin(self) -> None:
        """The staff login keypad (hold the top-left corner of Home or Help 3 s: kiosk.ui.staff_door)."""
        self.voice.quiet()
        self.app.screen("staff_pin").clear()
        self._show("staff_pin")

    def speech_control(self, control: str) -> None:
        """A speech control button (慢一点, 大声, 等一下, 好了...): the engine's own path when a
        question is open (never a failed answer), else the voice applies it."""
        self.idle.poke()
        session = self.session
        if session is not None and session.stage in (Stage.ASK, Stage.CONFIRM, Stage.REUSE):
            session.speech_control(control)
        else:
            self.voice.control(control)

    def open_voice_panel(self) -> None:
        """声音 in the question screen's bar: big rate, loudness and pause buttons."""
        from kiosk.ui.voice_panel import VoicePanel

        VoicePanel().open(animation=False)

    # ----------------------------------------------------------------- voice callbacks
    def _set_listening(self, on: bool) -> None:
        if on or self.screens.has_screen("question"):
            self.app.screen("question").listening = on

    def _paused(self, on: bool) -> None:
        """等一下: the idle clock stops with the voice; it starts afresh when the pause ends."""
        if on:
            self.idle.disarm()
        elif self.session is not None and self.screens.current in ("question", "review"):
            self.idle.arm()
        from kiosk.ui.voice_panel import VoicePaused

        VoicePaused.show_while(on)

    def _touch_only(self, why: str) -> None:
        """The microphone stopped working: touch answers only from now on."""
        self.app.screen("question").touch_only = True

    # ----------------------------------------------------------------- events
    def _on_event(self, event: DialogueEvent) -> None:
        handler = getattr(self, f"_on_{event.type.value}", None)
        if handler is not None:
            handler(event.data)

    def _on_form_started(self, d: dict) -> None:
        self.app.screen("question").form_title = d.get("title", "")
        self.app.screen("review").form_title = d.get("title", "")

    def _on_prompt(self, d: dict) -> None:
        self.app.screen("question").show_prompt(d)
        self._show("question")

    def _on_understood(self, d: dict) -> None:
        self.app.screen("question").show_confirm("readback", d)
        self._show("question")

    def _on_reuse_offered(self, d: dict) -> None:
        self.app.screen("question").show_confirm("reuse", d)
        self._show("question")

    def _on_cancel_asked(self, d: dict) -> None:
        self.app.screen("question").show_confirm("cancel", d)
        self._show("question")

    def _on_rejected(self, d: dict) -> None:
        screen = self.screens.current_screen
        if hasattr(screen, "show_notice"):
            screen.show_notice(d.get("text", ""))

    def _on_no_input(self, d: dict) -> None:
        # The voice reads the ladder's words; the screen shows them, the 2nd time with touch lit.
        question = self.app.screen("question")
        question.show_notice(d.get("text", ""))
        if hasattr(question, "highlight_touch"):
            question.highlight_touch = bool(d.get("highlight_touch"))

    def _on_assistance_offered(self, d: dict) -> None:
        self.app.screen("question").show_notice(d.get("text", ""), assist=True)

    def _on_confirmed(self, d: dict) -> None:
        self.idle.progress()

    def _on_handoff_requested(self, d: dict) -> None:
        if d.get("reason") == "staff_takeover":
            return          # staff took the session over at this kiosk: they are already here
        self.staff_call.call(d)

    def _on_review(self, d: dict) -> None:
        self.app.screen("review").show(d)
        self._show("review")

    def _on_draft_save_failed(self, d: dict) -> None:
        # After the next prompt has drawn (it clears notices): the resident sees it and the help button.
        Clock.schedule_once(lambda _dt: self.app.screen("question").show_notice(say("draft_save_failed"), assist=True), 0)

    def _on_submit_failed(self, d: dict) -> None:
        self.app.screen("review").show_notice(d.get("text", ""))

    def _on_submitted(self, d: dict) -> None:
        self.idle.disarm()
        done = self.app.screen("done")
        done.show(d)
        self.feedback.submitted(d.get("form_id", ""))
        self._show("done")
        self.receipt.start(d)
        done.start_countdown(int(self.runtime.settings.ui.done_return_s),
                             lambda: self.finish("done", ask_feedback=False))   # nobody tapped: nobody to ask

    def _on_next_service(self, d: dict) -> None:
        self._stop_done_countdown()
        self.idle.disarm()
        self._show("home")

    def _on_cancelled(self, d: dict) -> None:
        text = d.get("speech", "")
        self.visit.end("cancel")
        self.voice.say(text)   # after ENDED's welcome: the resident hears why Home came back

    def _on_ended(self, d: dict) -> None:
        self.app.timeout_warning.dismiss()
        self.begin()

    # ----------------------------------------------------------------- timers
    def _stop_done_countdown(self) -> None:
        if self.screens.has_screen("done"):
            self.app.screen("done").stop_countdown()

    def _show(self, name: str) -> None:
        self.app.screen(name)
        if self.screens.current != name:
            self.screens.current = name
