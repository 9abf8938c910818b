"""Question: one field per screen, very large question text, an answer area fitted to the type.

Shows PROMPT (ask), UNDERSTOOD / REUSE_OFFERED / CANCEL_ASKED (对 / 不对), REJECTED and
ASSISTANCE_OFFERED (a message band), and the listening indicator while the microphone is open.
Names and free text get the pinyin keyboard across the full width under the question
(`keyboard`); on a short screen (`compact`, e.g. 1024x600) the title bar gives way to it.
"""
from __future__ import annotations

import datetime as dt

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui import answers
from kiosk.ui.keyboard import is_short
from kiosk.ui.widgets import load_kv
from kiosk.voices import say

load_kv("question")


class QuestionScreen(Screen):
    """The question, what was understood, and the answer buttons."""

    form_title = StringProperty("")
    step_text = StringProperty("")
    question_text = StringProperty("")
    notice_text = StringProperty("")
    listening = BooleanProperty(False)
    touch_only = BooleanProperty(True)
    mode = StringProperty("")          # "ask" or a confirm kind: readback / reuse / cancel
    field_type = StringProperty("")
    keyboard = BooleanProperty(False)  # the answer area is the pinyin keyboard
    compact = BooleanProperty(False)   # keyboard on a short screen: no title bar, one-line question

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.area: answers.AnswerArea | None = None
        self._last: tuple[str, dict] | None = None
        self.prompt_data: dict = {}
        app = App.get_running_app()
        self.touch_only = app.controller.touch_only
        # Text size and colours are baked into some answer widgets: rebuild them on a switch.
        app.theme.bind(scale=self._rebuild, palette_name=self._rebuild)
        self.bind(touch_only=self._rebuild_if_say_it)
        self.bind(keyboard=self._check_compact, height=self._check_compact)

    def _check_compact(self, *_args) -> None:
        self.compact = self.keyboard and is_short(self.height)

    @property
    def today(self) -> dt.date | None:
        """The engine's date (tests pin it), else the real one."""
        visit = App.get_running_app().controller.visit
        return visit.today if visit is not None else None

    def show_prompt(self, d: dict) -> None:
        """A new question (or the same one again)."""
        self.prompt_data = d
        self.mode = "ask"
        self.field_type = d.get("field_type", "")
        self.question_text = d.get("text", "")
        self.notice_text = ""
        if d.get("step") and d.get("total"):
            self.step_text = say("ui.step", title=self.form_title, step=d["step"], total=d["total"])
        else:
            self.step_text = self.form_title
        self._last = ("ask", d)
        self._place(self._build("ask", d))

    def show_confirm(self, kind: str, d: dict) -> None:
        """对 / 不对 for a read-back, a reuse offer, or 'stop this service?'."""
        self.mode = kind
        self.question_text = d.get("text", "")
        self.notice_text = ""
        self._last = (kind, d)
        self._place(self._build(kind, d))

    def show_notice(self, text: str, assist: bool = False) -> None:
        """Why the answer was not taken, or the offer of help after three tries."""
        self.notice_text = text
        keyboard = getattr(self.area, "keyboard", None)
        if keyboard is not None:   # no room for a band: the message takes the candidate row
            keyboard.show_message(text)

    def _build(self, kind: str, d: dict) -> answers.AnswerArea:
        app = App.get_running_app()
        if kind == "ask":
            return answers.build(d, app.theme, app.controller, touch_only=self.touch_only, today=self.today)
        return answers.build_confirm(kind, d, app.theme, app.controller)

    def _place(self, area: answers.AnswerArea) -> None:
        self.area = area
        self.keyboard = hasattr(area, "keyboard")
        self.ids.side.clear_widgets()
        self.ids.main.clear_widgets()
        self.ids.side.add_widget(area.side)
        self.ids.main.add_widget(area.main)

    def _rebuild(self, *_args) -> None:
        if self._last is not None:
            notice = self.notice_text
            old = getattr(self.area, "keyboard", None)
            kind, d = self._last
            self._place(self._build(kind, d))
            self.notice_text = notice
            new = getattr(self.area, "keyboard", None)
            if old is not None and new is not None:   # a display switch must not lose typing
                new.text, new.pinyin = old.text, old.pinyin
                new.refresh()

    def _rebuild_if_say_it(self, *_args) -> None:
        if self.mode == "ask" and self.field_type not in answers.BUILDERS:
            self._rebuild()
