"""Resident feedback after a submission: 办得顺利吗？ 满意 / 一般 / 不满意, then optionally one sentence.

Shown when the resident taps 办完了 on the Done screen (not when the Done screen times out with
nobody there, and not on 再办一件): one question on its own screen, three big buttons and
不用评价了. Stored through kiosk.staff.feedback.FeedbackBox with the service id only: never
the receipt, the draft or the time. When the microphone works the kiosk then asks for one
sentence about what was hard and stores it with the rating; otherwise the rating is stored at
once. Either way Home follows by itself.
"""
from __future__ import annotations

import logging

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.widgets import load_kv
from kiosk.voices import say

log = logging.getLogger(__name__)

load_kv("staff_feedback")

COMMENT_WAIT_S = 12.0     # how long the microphone waits for the sentence
IDLE_S = 20.0             # nobody answers: Home
THANKS_S = 2.5            # the thanks stays this long before Home


class FeedbackScreen(Screen):
    """办得顺利吗？"""

    form_id = StringProperty("")
    message = StringProperty("")
    asking = BooleanProperty(True)     # the three buttons are shown

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.box = None                 # kiosk.staff.feedback.FeedbackBox
        self.pending: str | None = None
        self._ev = None

    def ask(self, box, form_id: str) -> None:
        """A new question for this service."""
        self.box = box
        self.form_id = form_id or ""
        self.pending = None
        self.asking = True
        self.message = ""
        self._later(IDLE_S, self.leave)

    def rate(self, rating: str) -> None:
        """One tap; with a microphone the kiosk then listens for one sentence."""
        if not self.asking:
            return
        ctl = App.get_running_app().controller
        self.asking = False
        if ctl.voice.ears is None:          # touch only: nothing more to ask
            self._commit(rating, None)
            return
        self.pending = rating
        self.message = say("feedback.more_short")
        ctl.voice.capture(self._heard)
        ctl.voice.say(say("feedback.more"), None)
        self._later(COMMENT_WAIT_S, self.finish)

    def _heard(self, text: str) -> None:
        if self.pending is not None:
            self._commit(self.pending, text)

    def finish(self) -> None:
        """The wait for the sentence ran out (or the screen is left): keep the rating alone."""
        if self.pending is not None:
            self._commit(self.pending, None)

    def _commit(self, rating: str, comment: str | None) -> None:
        ctl = App.get_running_app().controller
        ctl.voice.capture(None)
        self.pending = None
        try:
            self.box.record(self.form_id, rating, comment)
        except Exception:   # the resident's thanks must not depend on the database
            log.exception("feedback not stored")
        self.message = say("feedback.thanks")
        ctl.voice.say(say("feedback.thanks"))
        self._later(THANKS_S, self.leave)

    def leave(self) -> None:
        """不用评价了, the idle wait, or after the thanks: Home for the next resident."""
        self._cancel()
        self.finish()
        App.get_running_app().controller.finish("done", ask_feedback=False)

    def on_leave(self, *_args) -> None:
        self._cancel()
        self.finish()

    def _later(self, seconds: float, what) -> None:
        self._cancel()
        self._ev = Clock.schedule_once(lambda _dt: what(), seconds)

    def _cancel(self) -> None:
        if self._ev is not None:
            self._ev.cancel()
            self._ev = None
