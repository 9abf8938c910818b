"""Done: the receipt number in huge digits, print status, what to bring and where to go.

The number sits in its own row right under the title; everything else (the print notice, what
to bring, where to go) lives in a scrolling box below it, so no notice can ever cover the
number, at any window size or with 字再大些. The screen runs its own countdown home
(`start_countdown`): any tap on it starts the count again, and while the "not printed" notice is
up there is no countdown (the screen stays until the resident taps 办完了 / 再办一件, or staff come).
"""
from __future__ import annotations

from typing import Callable

from kivy.clock import Clock
from kivy.core.text import Label as CoreLabel
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from kiosk.typeset import break_lines
from kiosk.ui.widgets import load_kv
from kiosk.voices import say

load_kv("done")


class ReceiptLabel(Label):
    """The receipt number: as large as the screen width allows (never below the digits size)."""


class DoneScreen(Screen):
    """After a successful submission."""

    receipt_no = StringProperty("")
    print_status = StringProperty("")
    print_fault = BooleanProperty(False)     # the receipt did not print: the notice is up, no countdown
    info_text = StringProperty("")
    seconds_left = NumericProperty(0)
    stay = StringProperty("")               # how long the screen stays, and how to stay longer
    short = BooleanProperty(False)          # a short window: the number's caption joins the title

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._countdown = None                   # the Clock event while counting down
        self._countdown_from = 0
        self._on_countdown_end: Callable[[], None] | None = None

    def on_height(self, *_args) -> None:
        self.short = self.height < dp(700)

    def show(self, d: dict) -> None:
        """A SUBMITTED event's data."""
        self.receipt_no = d.get("receipt_no", "")
        self.print_status = ""
        self.print_fault = False
        lines = []
        documents = d.get("documents") or []
        if documents:
            bring = say("ui.done_bring")
            indent = "\u3000" * len(bring)   # full-width spaces line the list up under the first item
            lines += [f"{bring if i == 0 else indent}{doc}" for i, doc in enumerate(documents)]
        if d.get("department"):
            lines.append(say("ui.done_where", department=d["department"]))
        if d.get("opening_hours"):
            lines.append(say("ui.done_hours", hours=d["opening_hours"]))
        self.info_text = "\n".join(lines)

    def show_print(self, notice) -> None:
        """A kiosk.printing.handout.PrintNotice: the status line, or the fault notice."""
        self.print_fault = notice.fault
        self.print_status = notice.status_text

    # ----------------------------------------------------------------- countdown home
    @property
    def counting(self) -> bool:
        """True while the countdown home runs."""
        return self._countdown is not None

    def start_countdown(self, seconds: int, on_end: Callable[[], None]) -> None:
        """Count `seconds` down on screen, then call `on_end` (nobody tapped: the visit ends)."""
        self.stop_countdown()
        self._countdown_from = int(seconds)
        self._on_countdown_end = on_end
        self.seconds_left = self._countdown_from
        self._countdown = Clock.schedule_interval(self._count, 1.0)

    def stop_countdown(self) -> None:
        """No countdown (the resident left, or the "not printed" notice stays up)."""
        if self._countdown is not None:
            self._countdown.cancel()
            self._countdown = None

    def _count(self, _dt) -> None:
        self.seconds_left = max(0, self.seconds_left - 1)
        if self.seconds_left <= 0:
            self.stop_countdown()
            if self._on_countdown_end is not None:
                self._on_countdown_end()

    def on_seconds_left(self, *_args) -> None:
        self._update_stay()

    def on_print_fault(self, *_args) -> None:
        self._update_stay()

    def _update_stay(self) -> None:
        if self.print_fault:
            self.stay = say("print_fault_stay")
        elif self.seconds_left > 0:
            self.stay = say("print_done_countdown", seconds=int(self.seconds_left))
        else:
            self.stay = ""

    @staticmethod
    def broken(label: Label, text: str, width: float, _font_size: float) -> str:
        """`text` broken into lines for `label` by the shared Chinese rules (kiosk.typeset).

        Measured with the label's own font, so no line starts with "。" or splits 受理号.
        """
        pad = label.padding[0] + label.padding[2] if len(label.padding) == 4 else 2 * label.padding[0]
        room = width - pad - 2
        if not text or room <= 0:
            return text
        core = CoreLabel(font_size=label.font_size, font_name=label.font_name, bold=label.bold)
        return "\n".join(break_lines(text, room, lambda s: core.get_extents(s)[0]))

    def on_touch_down(self, touch):
        """Any tap restarts the countdown home (the resident is still reading)."""
        if self.collide_point(*touch.pos) and self._countdown is not None and self._on_countdown_end:
            self.start_countdown(self._countdown_from, self._on_countdown_end)
        return super().on_touch_down(touch)
