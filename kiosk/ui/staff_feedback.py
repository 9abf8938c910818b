"""Resident feedback on the Done screen: one tap 满意 / 一般 / 不满意, then optionally one sentence.

Stored through kiosk.staff.feedback.FeedbackBox with the service id only: never the receipt,
the draft or the time. When the microphone works, the kiosk asks for one sentence about what
was hard and stores it with the rating (digit runs blanked by the box); otherwise the rating
is stored at once. The panel is added to the Done screen by the controller.
"""
from __future__ import annotations

import logging

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.staff.feedback import RATINGS
from kiosk.ui.widgets import KButton, KLabel
from kiosk.voices import say

log = logging.getLogger(__name__)

COMMENT_WAIT_S = 12.0     # how long the microphone waits for the sentence


class FeedbackPanel(BoxLayout):
    """这次办事顺利吗？ and three big buttons."""

    form_id = StringProperty("")
    done = BooleanProperty(False)

    def __init__(self, box, **kwargs):
        super().__init__(orientation="vertical", size_hint_y=None, **kwargs)
        theme = App.get_running_app().theme
        self.box = box                      # kiosk.staff.feedback.FeedbackBox
        self.spacing = theme.gap
        self.pending: str | None = None
        self._wait = None
        self.ask = KLabel(text=say("feedback.ask"))
        self.row = BoxLayout(orientation="horizontal", spacing=theme.gap, size_hint_y=None, height=theme.target)
        self.buttons = {}
        for rating in RATINGS:
            b = KButton(text=say(f"feedback.{rating}"), value=rating)
            b.bind(on_release=lambda btn: self.rate(btn.value))
            self.buttons[rating] = b
            self.row.add_widget(b)
        self.add_widget(self.ask)
        self.add_widget(self.row)
        self.bind(minimum_height=self.setter("height"))

    def reset(self, form_id: str) -> None:
        """A new Done screen: ask again."""
        self._cancel_wait()
        self.form_id = form_id or ""
        self.pending = None
        self.done = False
        self.ask.text = say("feedback.ask")
        self.row.opacity, self.row.disabled, self.row.height = 1, False, App.get_running_app().theme.target

    def rate(self, rating: str) -> None:
        """One tap; with a microphone the kiosk then listens for one sentence."""
        if self.done or self.pending is not None:
            return
        ctl = App.get_running_app().controller
        self.row.opacity, self.row.disabled, self.row.height = 0, True, 0
        if ctl.loop is None:                # touch only: nothing more to ask
            self._commit(rating, None)
            return
        self.pending = rating
        self.ask.text = say("feedback.more")
        ctl.capture_speech(self._heard)
        ctl.speak(say("feedback.more"), None)
        self._wait = Clock.schedule_once(lambda _dt: self.finish(), COMMENT_WAIT_S)

    def _heard(self, text: str) -> None:
        if self.pending is not None:
            self._commit(self.pending, text)

    def finish(self) -> None:
        """Leaving the Done screen (or the wait ran out): keep a rating still waiting for its sentence."""
        if self.pending is not None:
            self._commit(self.pending, None)

    def _commit(self, rating: str, comment: str | None) -> None:
        self._cancel_wait()
        ctl = App.get_running_app().controller
        ctl.capture_speech(None)
        self.pending = None
        self.done = True
        try:
            self.box.record(self.form_id, rating, comment)
        except Exception:   # the resident's thanks must not depend on the database
            log.exception("feedback not stored")
        self.ask.text = say("feedback.thanks")
        ctl.speak(say("feedback.thanks"))

    def _cancel_wait(self) -> None:
        if self._wait is not None:
            self._wait.cancel()
            self._wait = None
