"""The "place your card" panel: offers the ID card reader before the questions a card can answer.

`install(app, reader)` adds the `idcard` screen and a listener on every visit. When a form that
asks for the ID number reaches its first question a card can answer (the name, for most
forms), the panel shows a drawing of where the card goes, says 请把身份证放在读卡区，放好不要动
and reads in the background. Whose card is expected is said and shown: on a family-helper
application the elder's card fills only the elder's fields and the helper's card only the
helper's. A read shows the values for confirmation and says only 已读到身份证，尾号xxxx and the
name; 对 keeps them all (`Session.fill`), 不对 reads again. Speech and the keypad still work:
any answer, 上一步 or 找工作人员 closes the panel. A failed read falls back to the question
screen with a kind explanation. Nothing read from a card is logged; the card object is dropped
as soon as the values the form asks for are taken from it.
"""
from __future__ import annotations

import logging
import threading
import time
from typing import Any

from kivy.app import App
from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.dialogue.events import DialogueEvent, EventType
from kiosk.dialogue.render import display
from kiosk.dialogue.understand import grammar_phrases, yes_no
from kiosk.idcard import fill
from kiosk.idcard.reader import WAIT_S, ReadFailed
from kiosk.ui.widgets import KButton, load_kv
from kiosk.voices import say

log = logging.getLogger(__name__)

load_kv("idcard_prompt")

SCREEN = "idcard"
READER_DOWN_S = 300.0      # after "no reader" / SAM fault, forms go straight to the questions this long
# Events of the open session that mean the resident went another way: the panel closes.
_LEAVING = {EventType.UNDERSTOOD, EventType.REUSE_OFFERED, EventType.REJECTED, EventType.HANDOFF_REQUESTED,
            EventType.CANCEL_ASKED, EventType.REVIEW, EventType.SUBMITTED, EventType.CANCELLED,
            EventType.ENDED, EventType.NEXT_SERVICE, EventType.ASSISTANCE_OFFERED}


class CardReaderPicture(Widget):
    """A card above the reader's marked zone, with an arrow: where to put the card."""

    rx = NumericProperty(0)
    ry = NumericProperty(0)
    rw = NumericProperty(0)
    rh = NumericProperty(0)
    cx = NumericProperty(0)
    cy = NumericProperty(0)
    cw = NumericProperty(0)
    ch = NumericProperty(0)
    ah = NumericProperty(0)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(pos=self._layout, size=self._layout)

    def _layout(self, *_args) -> None:
        # Reader 0.42, gap, arrow 0.22, card 0.39 of the reader's width, stacked and centred.
        gap = dp(12)
        self.rw = max(0.0, min(self.width * 0.92, (self.height - gap) / 1.03))
        self.rh = self.rw * 0.42
        self.ah = self.rw * 0.22
        self.cw = self.rw * 0.62
        self.ch = self.cw * 54 / 85.6
        total = self.rh + gap + self.ah + self.ch
        self.rx = self.x + (self.width - self.rw) / 2
        self.ry = self.y + max(0.0, (self.height - total) / 2)
        self.cx = self.x + (self.width - self.cw) / 2
        self.cy = self.ry + self.rh + gap + self.ah


class CardValueRow(BoxLayout):
    """One value read from the card: its field label and what the form will keep."""

    label = StringProperty("")
    value = StringProperty("")
    large = BooleanProperty(True)


class IdcardScreen(Screen):
    """Place the card (wait) or check what it gave (confirm)."""

    mode = StringProperty("wait")          # "wait" | "confirm"
    question_text = StringProperty("")
    whose_text = StringProperty("")
    status_text = StringProperty("")
    short = BooleanProperty(False)         # landscape with little height (1024x600, or larger text)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._buttons: list[tuple[str, str, Any]] = []
        self._rows: list[tuple[str, str]] = []
        self.ids.body.bind(size=self._check_short)
        App.get_running_app().theme.bind(scale=self._check_short)
        self.bind(mode=lambda *_a: self._place_buttons())

    def _check_short(self, *_args) -> None:
        body = self.ids.body
        theme = App.get_running_app().theme
        short = body.width > body.height and body.height < dp(480) * theme.scale
        if short != self.short:
            self.short = short
            self._place_buttons()
            self.set_rows(self._rows)

    def set_buttons(self, buttons: list[tuple[str, str, Any]]) -> None:
        """(text, kind, callback) buttons: under the drawing or the values (beside them when short)."""
        self._buttons = buttons
        self._place_buttons()

    def _place_buttons(self) -> None:
        left = self.short and self.mode == "confirm"
        for box in (self.ids.buttons, self.ids.buttons_left):
            box.clear_widgets()
        box = self.ids.buttons_left if left else self.ids.buttons
        self.ids.buttons.height = 0 if left else App.get_running_app().theme.target * 1.1
        theme = App.get_running_app().theme

        def fit(*_args) -> None:   # a row as tall as the tallest wrapped label, at least a target
            if not left:
                box.height = max([theme.target * 1.1] + [b.texture_size[1] + dp(20) for b in box.children])

        for text, kind, callback in self._buttons:
            button = KButton(text=text, kind=kind)
            if left:
                button.size_hint_y = None
                button.height = theme.target
            button.bind(on_release=lambda *_a, cb=callback: cb(), texture_size=fit)
            box.add_widget(button)
        fit()

    def set_rows(self, rows: list[tuple[str, str]]) -> None:
        """The values read, one row each."""
        self._rows = rows
        box = self.ids.rows
        box.clear_widgets()
        for label, value in rows:
            box.add_widget(CardValueRow(label=label, value=value, large=not self.short))


class IdcardPrompt:
    """Offers the reader on the right questions, runs reads off the UI thread, fills the session."""

    def __init__(self, app, reader, wait_s: float = WAIT_S):
        self.app = app
        self.reader = reader
        self.wait_s = wait_s
        self.offered: set[tuple[str, str]] = set()   # (draft id, owner): offered once per person per form
        self.state = "closed"                        # closed | wait | confirm
        self.owner = ""
        self.field_id = ""
        self.session = None
        self.values: dict[str, Any] = {}
        self._token = 0
        self._cancel: threading.Event | None = None
        self.down_until = 0.0                        # monotonic time: the reader failed, not offered until
        self.clock = time.monotonic

    @property
    def ctl(self):
        """The app's controller."""
        return self.app.controller

    @property
    def screen(self) -> IdcardScreen:
        """The panel's screen (added on first use: the first screen added would be shown at start)."""
        if not self.app.screens.has_screen(SCREEN):
            self.app.screens.add_widget(IdcardScreen(name=SCREEN))
        return self.app.screens.get_screen(SCREEN)

    # ----------------------------------------------------------------- events
    def on_event(self, event: DialogueEvent) -> None:
        """Every dialogue event of every visit (a core listener of the controller)."""
        d = event.data
        if event.type is EventType.FORM_STARTED and self.ctl.visit is not None:
            self.ctl.visit.card_reader = True     # the consent then says the card is read
        elif event.type is EventType.PROMPT:
            self._on_prompt(d)
        elif event.type in _LEAVING and self.state != "closed":
            on_panel = self.app.screens.current == SCREEN
            self.close()
            if event.type is EventType.REJECTED and on_panel:
                self._back_to_question(d.get("text", ""))

    def _on_prompt(self, d: dict) -> None:
        session = self.ctl.session
        if session is None:
            return
        if self.state != "closed" and session is self.session and d.get("field_id") == self.field_id:
            self._show()                          # 重听: the same question again, the read goes on
            self._speak_place()
            return
        if self.state != "closed":
            self.close()
        owner = fill.offers_reader(session.fields, session.field)
        if owner is None or d.get("current") is not None or (session.draft_id, owner) in self.offered:
            return
        if self.clock() < self.down_until:
            return                                # a broken reader is not offered to every resident
        self.offered.add((session.draft_id, owner))
        self.session, self.owner, self.field_id = session, owner, session.field.id
        self._wait()

    # ----------------------------------------------------------------- states
    def _whose(self) -> str:
        if self.owner == fill.HELPER:
            return "helper"
        return "elder" if self.session is not None and self.session.answers.get("applicant") == "proxy" else "resident"

    def _wait(self) -> None:
        """Show the drawing, say where the card goes, and start reading."""
        self.state = "wait"
        self.values = {}
        screen = self.screen
        screen.mode = "wait"
        whose = self._whose()
        screen.question_text = say(f"idcard.place.{whose}")
        screen.whose_text = say(f"idcard.whose.{whose}")
        screen.status_text = say("idcard.what_is_read", items=self._items())
        screen.set_buttons([(say("idcard.other_way"), "normal", self.decline)])
        self._show()
        self._speak_place()
        self._start_read()

    def _speak_place(self) -> None:
        session = self.session
        grammar = grammar_phrases(session.field, session.visit.site) or None
        self._quiet()
        self.ctl.voice.say(say(f"idcard.place.{self._whose()}"), grammar)   # an answer by voice still works

    def _start_read(self) -> None:
        self._token += 1
        token = self._token
        cancel = self._cancel = threading.Event()
        today = self.session.visit.today

        def work() -> None:   # the serial port can take seconds: never on the UI thread
            try:
                result: tuple[str, Any] = ("ok", self.reader.read_card(self.wait_s, cancel=cancel, today=today))
            except ReadFailed as err:
                result = ("fail", err.code)
            except Exception:
                log.exception("card reader failed")
                result = ("fail", "unreadable")
            Clock.schedule_once(lambda _dt: self._finished(token, result))

        threading.Thread(target=work, daemon=True, name="idcard-read").start()

    def _items(self) -> str:
        return "、".join(f.label for f in fill.card_fields(self.session.fields, self.owner))

    def _finished(self, token: int, result: tuple[str, Any]) -> None:
        if token != self._token or self.state != "wait" or self.session is not self.ctl.session:
            return
        kind, payload = result
        if kind == "fail":
            if payload in ("no_reader", "sam_fault"):
                log.warning("ID card reader unavailable (%s); not offered for %.0f s", payload, READER_DOWN_S)
                self.down_until = self.clock() + READER_DOWN_S
            if payload != "cancelled":
                self.close()
                self._back_to_question(say(f"idcard.fail.{payload}"), speak=True)
            return
        card = payload
        self.values = fill.values_for(card, self.session.fields, self.owner)
        speech = say("idcard.readback", tail=" ".join(card.tail), name=card.name)
        shown = say("idcard.readback", tail=card.tail, name=card.name)
        del card, payload, result          # only the values the form asks for are kept from here on
        if not self.values:
            self.close()
            self._back_to_question(say("idcard.fail.unreadable"), speak=True)
            return
        self._confirm(shown, speech)

    def _confirm(self, shown: str, speech: str) -> None:
        self.state = "confirm"
        by_id = {f.id: f for f in self.session.fields}
        screen = self.screen
        screen.mode = "confirm"
        screen.question_text = say("idcard.readback.question")
        screen.status_text = ""
        screen.whose_text = shown
        screen.set_rows([(by_id[k].label, display(by_id[k], v)) for k, v in self.values.items()])
        screen.set_buttons([(say("idcard.confirm_yes"), "primary", self.accept),
                            (say("idcard.confirm_no"), "normal", self.retry),
                            (say("idcard.other_way"), "normal", self.decline)])
        self._show()
        self._quiet()
        self.ctl.voice.capture(self._heard)
        self.ctl.voice.say(speech + say("idcard.readback.question"), None)

    def _heard(self, text: str) -> None:
        if self.state != "confirm":
            return
        answer = yes_no(text)
        if answer is True:
            self.accept()
        elif answer is False:
            self.retry()
        else:
            self.ctl.voice.capture(self._heard)
            self.ctl.voice.say(say("yes_no.reask"), None)

    # ----------------------------------------------------------------- taps
    def accept(self) -> None:
        """对，用这些: every value the card gave goes into the form."""
        if self.state != "confirm" or self.session is not self.ctl.session:
            return
        session, values = self.session, self.values
        self.close()
        self._quiet()
        session.fill(values, via="idcard")
        if self.app.screens.current == SCREEN:     # nothing moved on (the open question refused it)
            self.app.screens.current = "question"
            session.repeat()

    def retry(self) -> None:
        """不对，重新刷 / 再刷一次."""
        if self.state == "closed":
            return
        self._stop_read()
        self.ctl.voice.capture(None)
        self._wait()

    def decline(self) -> None:
        """不刷卡，我说或者按: back to the question, by voice or keypad."""
        session = self.session
        self.close()
        self._quiet()
        if session is not None and session is self.ctl.session:
            self.app.screens.current = "question"
            session.repeat()

    def close(self) -> None:
        """Stop reading and forget the panel's state (the values too)."""
        self._stop_read()
        if self.state == "confirm":
            self.ctl.voice.capture(None)
        self.state = "closed"
        self.values = {}
        self.session = None

    # ----------------------------------------------------------------- helpers
    def _stop_read(self) -> None:
        self._token += 1
        if self._cancel is not None:
            self._cancel.set()
            self._cancel = None

    def _show(self) -> None:
        if self.app.screens.current != SCREEN:
            self.app.screens.current = SCREEN

    def _quiet(self) -> None:
        try:
            self.ctl.voice.speaker.stop()
        except Exception:
            log.exception("stopping speech failed")

    def _back_to_question(self, text: str, speak: bool = False) -> None:
        """The question screen again, with why the card was not used."""
        question = self.app.screen("question")
        self.app.screens.current = "question"
        question.show_notice(text)
        if speak:
            session = self.ctl.session
            grammar = grammar_phrases(session.field, session.visit.site) or None if session is not None else False
            self._quiet()
            self.ctl.voice.say(text, grammar)


def install(app, reader, wait_s: float = WAIT_S) -> IdcardPrompt:
    """Offer `reader` on this kiosk: the screen, and a listener on this and every later visit."""
    prompt = IdcardPrompt(app, reader, wait_s)
    ctl = app.controller
    ctl.core_listeners.append(prompt.on_event)
    if ctl.visit is not None:
        ctl.visit.subscribe(prompt.on_event)
    app.idcard_prompt = prompt
    return prompt


def uninstall(app, prompt: IdcardPrompt) -> None:
    """Stop offering the reader (tests; a kiosk keeps it for its lifetime)."""
    prompt.close()
    ctl = app.controller
    if prompt.on_event in ctl.core_listeners:
        ctl.core_listeners.remove(prompt.on_event)
    if ctl.visit is not None and prompt.on_event in ctl.visit.listeners:
        ctl.visit.listeners.remove(prompt.on_event)
    app.idcard_prompt = None
