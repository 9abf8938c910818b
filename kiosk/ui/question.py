"""Question: one field per screen, very large question text, an answer area fitted to the type.

Shows PROMPT (ask), UNDERSTOOD / REUSE_OFFERED / CANCEL_ASKED (对 / 不对), REJECTED and
ASSISTANCE_OFFERED (a message band), and the listening indicator while the microphone is open.
Names and free text get the pinyin keyboard across the full width under the question
(`keyboard`); on a short screen (`compact`, e.g. 1024x600) the title bar gives way to it.
"""
from __future__ import annotations

import datetime as dt
import re

from kivy.app import App
from kivy.clock import Clock
from kivy.metrics import dp, sp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui import answers
from kiosk.ui.theme import MIN_QUESTION_SP, MIN_TEXT_SP
from kiosk.ui.touch import guard
from kiosk.ui.widgets import load_kv, needed_height, short_screen, text_height
from kiosk.voices import say

load_kv("question")

SENTENCE = re.compile(r"[^。？！?!]+[。？！?!]*")
LONG_QUESTION = 24     # characters: longer prompts show their question sentence apart
SHARES = (0.3, 0.34, 0.4, 0.47, 0.53, 0.6, 0.67, 0.74)   # the question column's part of the width
IDEAL_SHARE = 0.53
KEYED = ("phone", "id_number", "integer", "date", "address", "choice", "multi_choice", "yes_no", "consent")


def split_question(text: str) -> tuple[str, str, str]:
    """(before, question, after): a long prompt's question sentence stands out at question size,
    the explanation around it is body text ('…365天后删除。' / '您同意吗？')."""
    sentences = SENTENCE.findall(text)
    if len(text) <= LONG_QUESTION or len(sentences) < 2:
        return "", text, ""
    i = next((k for k, s in enumerate(sentences) if s.rstrip().endswith(("？", "?"))), len(sentences) - 1)
    return "".join(sentences[:i]), sentences[i], "".join(sentences[i + 1:])


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
    compact = BooleanProperty(False)   # a short screen: no title bar (its switches join the bottom bar)
    lead_text = StringProperty("")     # explanation before the question sentence (body size)
    ask_text = StringProperty("")      # the question sentence itself (question size)
    note_text = StringProperty("")     # explanation after it
    question_font = NumericProperty(0)  # fitted: theme size, smaller (never < 48 sp) only if needed
    body_font = NumericProperty(0)
    share = NumericProperty(SHARES[0])  # the question column's part of the width (landscape)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.area: answers.AnswerArea | None = None
        self._last: tuple[str, dict] | None = None
        self.prompt_data: dict = {}
        app = App.get_running_app()
        self.touch_only = app.controller.voice.touch_only
        # Text size and colours are baked into some answer widgets: rebuild them on a switch.
        app.theme.bind(scale=self._rebuild, palette_name=self._rebuild)
        self.bind(touch_only=self._rebuild_if_say_it)
        self.bind(keyboard=self._check_compact, height=self._check_compact)
        self._fit_later = Clock.create_trigger(self.fit, -1)
        self.bind(size=self._fit_later, question_text=self._split, notice_text=self._fit_later,
                  compact=self._fit_later, listening=self._fit_later)
        app.theme.bind(scale=self._fit_later)
        app.theme.bind(scale=self._check_compact)

    def _check_compact(self, *_args) -> None:
        self.compact = short_screen(self.height, App.get_running_app().theme.scale)

    def _split(self, *_args) -> None:
        self.lead_text, self.ask_text, self.note_text = split_question(self.question_text)
        for scroll in ("ask_scroll", "lead_scroll"):
            if scroll in self.ids:
                self.ids[scroll].scroll_y = 1     # a new question starts at its first line
        self._fit_later()

    def fit(self, *_args) -> None:
        """Pick the question size and column width so the question, its explanation and the
        answer area all fit on screen: the theme's size if it fits, else smaller but never
        under 48 sp (text 32 sp), and a wider question column where the answers allow."""
        theme = App.get_running_app().theme
        if self.area is None or self.width <= 1 or self.keyboard:
            self.question_font, self.body_font, self.share = theme.question_size, theme.text_size, SHARES[0]
            return
        wide = self.width > self.height
        top = 0 if self.compact else theme.target + dp(12)
        avail = self.height - top - (theme.target + dp(16)) - dp(16)
        inner = self.width - dp(40) - (dp(24) if wide else 0)
        min_main = getattr(self.area, "min_width", lambda _t: inner * 0.4)(theme) if wide else 0
        max_share = 1 - min_main / max(inner, 1)
        # Only shares that leave the answers their room (buttons never leave the window), nearest
        # the usual split first.
        roomy = sorted((x for x in SHARES if x <= max_share), key=lambda x: abs(x - IDEAL_SHARE)) or [SHARES[0]]
        fonts, f = [], theme.question_size
        while f > sp(MIN_QUESTION_SP):
            fonts.append(f)
            f -= sp(4)
        fonts.append(sp(MIN_QUESTION_SP))
        main_min = 0 if wide else getattr(self.area, "min_height", lambda _t: theme.target)(theme)
        gap = dp(8) if self.compact else dp(14)
        candidates = [(f, x) for f in fonts for x in (roomy if wide else [1.0])]
        # Nothing fits: the smallest allowed size in the widest column shows the most.
        best = (fonts[-1], sp(MIN_TEXT_SP), max(roomy) if wide else 1.0)
        for font, share in candidates:
            body = max(sp(MIN_TEXT_SP), min(theme.text_size, font * 0.66))
            width = inner * share
            # lead, question, note, notice, listening: 4 gaps; then the gap to the side column.
            need = (text_height(self.ask_text, font, width - dp(8), bold=True) + needed_height(self.area.side, width)
                    + main_min + gap * 5)
            for extra in (self.lead_text, self.note_text):
                need += text_height(extra, body, width)
            if self.notice_text:
                need += text_height(self.notice_text, theme.text_size, width - dp(32)) + dp(20)
            if self.listening:
                need += theme.target
            if need <= avail:
                best = (font, body, share)
                break
        self.question_font, self.body_font, self.share = best

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
        self.question_text = self._say_or_tap(d.get("text", ""), self.field_type)
        self.notice_text = ""
        if d.get("step") and d.get("total"):
            self.step_text = say("ui.step", title=self.form_title, step=d["step"], total=d["total"])
        else:
            self.step_text = self.form_title
        self._last = ("ask", d)
        self._place(self._build("ask", d))
        self.fit()
        guard.hold()

    def _say_or_tap(self, text: str, field_type: str) -> str:
        """On a screen with keys to tap, '请说…' reads '请说或者点…' (or '请点…' with no microphone)."""
        say_word = say("ui.say_prefix")
        if field_type in KEYED and text.startswith(say_word):
            prefix = say("ui.tap_prefix") if self.touch_only else say("ui.say_or_tap_prefix")
            return prefix + text[len(say_word):]
        return text

    def show_confirm(self, kind: str, d: dict) -> None:
        """对 / 不对 for a read-back, a reuse offer, or 'stop this service?'."""
        self.mode = kind
        self.question_text = d.get("text", "")
        self.notice_text = ""
        self._last = (kind, d)
        self._place(self._build(kind, d))
        self.fit()
        guard.hold()

    def choices_speech(self) -> str:
        """The answers on screen as a sentence for 重听 ('可以点：漏水、电路问题…'), '' when none."""
        if self.mode == "ask":
            d = self._last[1] if self._last else {}
            kind = d.get("field_type", "")
            if kind in ("choice", "multi_choice"):
                labels = [c["label"] for c in d.get("choices", [])]
            elif kind == "yes_no":
                labels = [say("ui.yes"), say("ui.no")]
            elif kind == "consent":
                labels = [say("ui.consent_yes"), say("ui.consent_no")]
            else:
                return ""
        elif self.mode in answers.CONFIRM_KEYS:
            labels = [say(key) for key in answers.CONFIRM_KEYS[self.mode]]
        else:
            return ""
        return say("ui.read_choices", choices="、".join(labels)) if labels else ""

    def show_notice(self, text: str, assist: bool = False) -> None:
        """Why the answer was not taken, or the offer of help after three tries."""
        self.notice_text = text
        keyboard = getattr(self.area, "keyboard", None)
        if keyboard is not None:   # no room for a band: the message takes the candidate row
            keyboard.show_message(text)

    def on_touch_down(self, touch):
        """A tap in the answer area means the answer is changing: the old error goes away."""
        if self.notice_text and any(self.ids[k].collide_point(*touch.pos) for k in ("main", "side")):
            self.notice_text = ""
            keyboard = getattr(self.area, "keyboard", None)
            if keyboard is not None and hasattr(keyboard, "show_message"):
                keyboard.show_message("")
        return super().on_touch_down(touch)

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
        picker = getattr(area, "picker", None)
        if picker is not None:
            picker.changed = self._fit_later
        self._fit_later()

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
