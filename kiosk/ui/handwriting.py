"""Handwriting (手写) beside the pinyin keyboard: write a character with a finger, tap it.

`TypingArea` holds the `PinyinKeyboard` and, when the recogniser works, a `HandwritingPanel`;
a 手写 / 拼音 toggle (`toggle` button, placed by the host beside 确定) swaps them. The keyboard
stays the owner of the typed text: a picked candidate goes through `keyboard.choose()`, exactly
as a pinyin candidate, so length limits, messages and `on_text` listeners behave the same.

The panel is a square `WritingPad` (strokes drawn as the finger moves, a 田字格 guide), the
candidates as big buttons (commonest first among near-equal matches), and 退一笔 / 清除 /
删除. Each stroke end sends the ink to one worker thread (zinnia takes 5-30 ms, never on the
UI thread); only the answer for the latest ink is shown. A resident who switches to 手写 keeps
it for the rest of their visit; the next resident starts with the keyboard.
"""
from __future__ import annotations

import logging
import queue
import threading
import time
import weakref

from kivy.app import App
from kivy.clock import Clock
from kivy.graphics import Color, Line
from kivy.metrics import dp
from kivy.properties import ListProperty, NumericProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.handwriting import HandwritingRecognizer, shared
from kiosk.ui import pinyin_ime
from kiosk.ui.keyboard import KeyMessage  # noqa: F401 - used in handwriting.kv
from kiosk.ui.theme import MIN_TARGET_DP
from kiosk.ui.widgets import KButton, load_kv, show
from kiosk.voices import say

log = logging.getLogger(__name__)

MAX_CANDIDATES = 10
MIN_STEP_DP = 3            # finger moves shorter than this add no point (a still finger jitters)

# visit -> "pad" | "keys": the mode the resident last chose, forgotten with their visit.
_chosen: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def recognizer() -> HandwritingRecognizer | None:
    """The process's recogniser for the configured model, or None (no 手写 key)."""
    app = App.get_running_app()
    settings = getattr(app, "settings", None)
    path = getattr(getattr(settings, "ui", None), "handwriting_model", "") or None
    return shared(path) if path else shared()


class WritingPad(Widget):
    """The ink surface. `strokes` are in pad pixels with y pointing down (the engine's way)."""

    ink_width = NumericProperty(0)
    ink = ListProperty([0, 0, 0, 1])

    __events__ = ("on_stroke_end",)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.strokes: list[list[tuple[float, float]]] = []
        self._lines: list[Line] = []
        self.ink_width = dp(5)
        self.stroke_ended_at = 0.0        # perf_counter of the last stroke end (latency figures)
        self._writing = None              # the one touch drawing now
        self.bind(pos=self._redraw, size=self._redraw)

    def _local(self, touch) -> tuple[float, float]:
        x = min(max(touch.x, self.x), self.right) - self.x
        y = self.top - min(max(touch.y, self.y), self.top)
        return (x, y)

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos) or self.disabled:
            return False
        if self._writing is not None:
            return True        # a second finger or a resting palm while a stroke is drawn: ignored
        self._writing = touch
        touch.grab(self)
        self.strokes.append([self._local(touch)])
        with self.canvas.after:
            Color(*self.ink)
            line = Line(points=[touch.x, touch.y], width=self.ink_width, cap="round", joint="round")
        self._lines.append(line)
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is not self:
            return False
        x, y = self._local(touch)
        lx, ly = self.strokes[-1][-1]
        if abs(x - lx) + abs(y - ly) >= dp(MIN_STEP_DP):
            self.strokes[-1].append((x, y))
            self._lines[-1].points = self._lines[-1].points + [self.x + x, self.top - y]
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return False
        touch.ungrab(self)
        self._writing = None
        x, y = self._local(touch)
        if self.strokes[-1][-1] != (x, y):
            self.strokes[-1].append((x, y))
            self._lines[-1].points = self._lines[-1].points + [self.x + x, self.top - y]
        if len(self.strokes[-1]) == 1:           # a tap is a dot: give the engine a short line
            self.strokes[-1].append((x + 1, y + 1))
        self.stroke_ended_at = time.perf_counter()
        self.dispatch("on_stroke_end")
        return True

    def on_stroke_end(self) -> None:
        """Default handler (the panel binds to it)."""

    def undo(self) -> None:
        """Take back the last stroke."""
        if self.strokes:
            self.strokes.pop()
            self._redraw()

    def clear(self) -> None:
        """No ink."""
        self.strokes = []
        self._redraw()

    def _redraw(self, *_args) -> None:
        self.canvas.after.clear()
        self._lines = []
        with self.canvas.after:
            Color(*self.ink)
            for stroke in self.strokes:
                pts = [c for x, y in stroke for c in (self.x + x, self.top - y)]
                self._lines.append(Line(points=pts, width=self.ink_width, cap="round", joint="round"))


class _Worker:
    """One thread that classifies the latest ink; older requests still queued are skipped."""

    def __init__(self, rec: HandwritingRecognizer):
        self.rec = rec
        self._jobs: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._run, daemon=True, name="handwriting")
        self._thread.start()

    def submit(self, job: tuple) -> None:
        self._jobs.put(job)

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            while not self._jobs.empty():        # only the newest ink matters
                job = self._jobs.get_nowait()
            panel, generation, strokes, width, height, boost = job
            try:
                got = [c.char for c in self.rec.classify(strokes, width, height, MAX_CANDIDATES, boost=boost)]
            except Exception:   # a crash in the engine must cost this one character, not the kiosk
                log.exception("handwriting recognition failed")
                got = []
            Clock.schedule_once(lambda _dt, p=panel, g=generation, c=got: p.show_candidates(g, c), 0)


_workers: dict[int, _Worker] = {}


def _worker_for(rec: HandwritingRecognizer) -> _Worker:
    if id(rec) not in _workers:
        _workers[id(rec)] = _Worker(rec)
    return _workers[id(rec)]


class HandwritingPanel(BoxLayout):
    """The writing pad, its candidates and 退一笔 / 清除 / 删除, typing into `keyboard`."""

    keyboard = ObjectProperty(None)
    candidates = ListProperty([])
    message = StringProperty("")
    cand_cols = NumericProperty(5)
    cand_rows = NumericProperty(2)
    key_min = NumericProperty(0)
    need = NumericProperty(0)          # the least height that fits: what the keyboard's keys take
    generation = NumericProperty(0)    # bumped by every change of ink
    answered = NumericProperty(-1)     # the generation whose candidates are on show
    latency = NumericProperty(0)       # seconds from the last stroke end to its candidates shown

    def __init__(self, keyboard, rec: HandwritingRecognizer, **kwargs):
        self.key_min = dp(MIN_TARGET_DP)
        self.need = 4 * self.key_min + 3 * dp(6)
        super().__init__(keyboard=keyboard, **kwargs)
        self.rec = rec
        self.candidate_keys: list[KButton] = []
        self.ids.pad.bind(on_stroke_end=self._recognise)
        keyboard.bind(text=self._typed, message=self._refresh)
        self.ids.cands.bind(size=self._fit)
        self._fit()

    # ----------------------------------------------------------------- layout
    def _fit(self, *_args) -> None:
        """As many candidate keys (up to ten) as fit beside or under the pad, each >= 90 px."""
        grid = self.ids.cands
        gap = dp(6)
        cols = max(1, min(MAX_CANDIDATES, int((grid.width + gap) // (self.key_min + gap))))
        rows = max(1, min(-(-MAX_CANDIDATES // cols), int((grid.height + gap) // (self.key_min + gap))))
        # Rows no taller than a big square key: spare height stays below, not in giant buttons.
        grid.row_force_default = True
        grid.row_default_height = max(self.key_min, min(self.key_min * 1.5, (grid.height - gap * (rows - 1)) / rows))
        if (cols, rows) != (self.cand_cols, self.cand_rows) or not self.candidate_keys:
            self.cand_cols, self.cand_rows = cols, rows
            grid.clear_widgets()
            grid.cols = cols
            self.candidate_keys = []
            for _ in range(cols * rows):
                key = KButton(text="", value="", role="question")
                key.size_hint_min = (self.key_min, self.key_min)
                key.bind(on_release=lambda k: self.choose(k.value))
                grid.add_widget(key)
                self.candidate_keys.append(key)
        self._refresh()

    def _refresh(self, *_args) -> None:
        shown = self.candidates[:len(self.candidate_keys)]
        for i, key in enumerate(self.candidate_keys):
            ch = shown[i] if i < len(shown) else ""
            key.text = key.value = ch
            show(key, bool(ch))
        pad = self.ids.pad
        if self.keyboard is not None and self.keyboard.message:
            text = self.keyboard.message
        elif self.message:
            text = self.message
        elif shown:
            text = ""
        else:
            text = say("handwriting.hint")
        hint = self.ids.hint
        hint.text = text
        hint.opacity = 1 if text else 0
        show(self.ids.cands, not text)
        show(self.ids.undo_key, bool(pad.strokes))
        show(self.ids.clear_key, bool(pad.strokes))
        show(self.ids.delete_key, bool(self.keyboard is not None and self.keyboard.text) and not pad.strokes)

    # ----------------------------------------------------------------- writing
    def _boost(self) -> str:
        kb = self.keyboard
        if kb is None or kb.mode != "name":
            return ""
        return pinyin_ime.SURNAMES if not kb.text else pinyin_ime.GIVEN_NAME_CHARS

    def _recognise(self, *_args) -> None:
        pad = self.ids.pad
        self.generation += 1
        self.message = ""
        if self.keyboard is not None and self.keyboard.message:
            self.keyboard.message = ""
        strokes = [list(s) for s in pad.strokes]
        _worker_for(self.rec).submit((self, self.generation, strokes, pad.width, pad.height, self._boost()))
        self._refresh()

    def show_candidates(self, generation: int, chars: list[str]) -> None:
        """The worker's answer; dropped when the ink has changed since it was asked."""
        if generation != self.generation:
            return
        self.latency = time.perf_counter() - self.ids.pad.stroke_ended_at
        self.answered = generation
        self.candidates = chars
        self.message = "" if chars else say("handwriting.none")
        self._refresh()

    def choose(self, ch: str) -> None:
        """A candidate: it joins the typed text (as a pinyin candidate would); the pad is wiped."""
        if not ch or self.keyboard is None:
            return
        self.keyboard.choose(ch)
        self.clear()

    def undo(self) -> None:
        """退一笔: the last stroke goes; what is left is recognised again."""
        pad = self.ids.pad
        pad.undo()
        if pad.strokes:
            self._recognise()
        else:
            self.clear()

    def clear(self) -> None:
        """清除: no ink, no candidates."""
        self.generation += 1
        self.ids.pad.clear()
        self.candidates = []
        self.message = ""
        self._refresh()

    def delete(self) -> None:
        """删除: the last typed character (shown only while the pad is empty)."""
        if self.keyboard is not None:
            self.keyboard.delete()

    def _typed(self, *_args) -> None:
        self._refresh()


class TypingArea(BoxLayout):
    """The pinyin keyboard or the handwriting panel, and the toggle between them."""

    mode = OptionProperty("keys", options=["keys", "pad"])

    def __init__(self, keyboard, rec: HandwritingRecognizer | None = None, **kwargs):
        super().__init__(orientation="vertical", **kwargs)
        self.keyboard = keyboard
        self.rec = rec
        self.panel: HandwritingPanel | None = None
        self.toggle: KButton | None = None
        self.add_widget(keyboard)
        if rec is not None:
            self.toggle = KButton(text=say("handwriting.to_pad"), kind="normal", size_hint_x=None)
            theme = App.get_running_app().theme
            # 手写 / 拼音 on one line at either text size (the theme's sizes change after a rebuild).
            theme.bind(text_size=self._toggle_width)
            self._toggle_width(theme, theme.text_size)
            # The toggle narrows the typed-text box: cut the placeholder short, never wrap it.
            keyboard.display.shorten = True
            keyboard.display.shorten_from = "right"
            self.toggle.bind(on_release=lambda *_: self.switch())
            if _chosen_mode() == "pad":
                self.switch("pad")

    def _toggle_width(self, theme, text_size) -> None:
        if self.toggle is not None:
            self.toggle.width = max(theme.target, text_size * 2 + dp(32))

    def switch(self, mode: str | None = None) -> None:
        """手写 <-> 拼音 (or to the mode given); the typed text stays."""
        if self.rec is None:
            return
        mode = mode or ("keys" if self.mode == "pad" else "pad")
        if mode == self.mode:
            return
        self.keyboard.pinyin = ""          # half-spelt letters mean nothing to the pad
        self.keyboard.refresh()
        self.clear_widgets()
        if mode == "pad":
            if self.panel is None:
                self.panel = HandwritingPanel(self.keyboard, self.rec)
            self.add_widget(self.panel)
            # As much height as the keyboard's four rows: the pad never gets less room than the keys.
            self.size_hint_min_y = self.panel.need
        else:
            self.add_widget(self.keyboard)
            self.size_hint_min_y = None
        self.mode = mode
        if self.toggle is not None:
            self.toggle.text = say("handwriting.to_keys" if mode == "pad" else "handwriting.to_pad")
        _remember(mode)


def _visit():
    app = App.get_running_app()
    return getattr(getattr(app, "controller", None), "visit", None)


def _chosen_mode() -> str:
    visit = _visit()
    try:
        return _chosen.get(visit, "keys") if visit is not None else "keys"
    except TypeError:      # not weak-referenceable: no memory, the keyboard first
        return "keys"


def _remember(mode: str) -> None:
    visit = _visit()
    if visit is not None:
        try:
            _chosen[visit] = mode
        except TypeError:
            pass


def typing_area(keyboard) -> TypingArea:
    """The keyboard wrapped with handwriting when the recogniser works (else no toggle)."""
    return TypingArea(keyboard, recognizer())


load_kv("handwriting")
