"""Shared widgets: the big button, text styles, top and bottom bars, keypad, pictograms.

Styling lives in widgets.kv and reads `app.theme`, so the larger-text and high-contrast
settings repaint everything at once.
"""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, ObjectProperty, OptionProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.ui.pictograms import Pictogram  # noqa: F401 - registered for kv

KV_DIR = Path(__file__).resolve().parent
# Text roles, each one theme size. One rule picks the size from the role, so no two kv rules
# ever bind font_size (they would fight when the larger-text switch changes the theme).
ROLES = ["text", "large", "question", "digits"]


def paginate(count: int, per_page: int, page: int) -> tuple[int, int, str]:
    """(page clamped, number of pages, '2 / 3' or '' for one page) for a paged list."""
    pages = max(1, -(-count // max(1, per_page)))
    page = max(0, min(page, pages - 1))
    return page, pages, (f"{page + 1} / {pages}" if pages > 1 else "")


def load_kv(name: str) -> None:
    """Load kiosk/ui/<name>.kv once."""
    path = str(KV_DIR / f"{name}.kv")
    if path not in Builder.files:
        Builder.load_file(path)


class KButton(ButtonBehavior, Label):
    """A large single-tap button; `kind` picks its colour pair from the theme."""

    kind = OptionProperty("normal", options=["normal", "primary", "staff"])
    role = OptionProperty("text", options=ROLES)
    selected = BooleanProperty(False)
    bg = ListProperty([0, 0, 0, 1])
    value = ObjectProperty(None, allownone=True)   # what a tap answers (choice value, digit, ...)


class KLabel(Label):
    """Body text: >= 32 sp, wrapped, line spacing 1.35; `role` picks the theme size."""

    role = OptionProperty("text", options=ROLES)


class FillLabel(Label):
    """Text filling a fixed box (bar titles): >= 32 sp, cut short rather than overflowing."""


class QuestionLabel(KLabel):
    """The question: >= 48 sp."""

    role = OptionProperty("question", options=ROLES)


class NoticeLabel(KLabel):
    """A 'not understood' or help message on a pale band."""


class DigitsLabel(KLabel):
    """What has been keyed in so far, in large digits on a panel."""

    role = OptionProperty("digits", options=ROLES)


class Backdrop(BoxLayout):
    """A BoxLayout painted with the theme background."""


class TopBar(BoxLayout):
    """Title line with the larger-text and high-contrast switches."""

    title = StringProperty("")


class ControlBar(BoxLayout):
    """重听 / 上一步 / 找工作人员, fixed at the bottom of every resident screen."""


class ListeningIndicator(BoxLayout):
    """Microphone sign and 'I am listening' while the recognizer is open."""

    active = BooleanProperty(False)


class Keypad(GridLayout):
    """A telephone-style keypad; `on_key(key)` gets '0'-'9', 'X', 'clear' or 'delete'."""

    __events__ = ("on_key",)

    def __init__(self, extra: str = "clear", **kwargs):
        from kiosk.voices import say  # noqa: PLC0415

        super().__init__(cols=3, **kwargs)
        self.spacing = kwargs.get("spacing", 10)
        labels = {"X": "X", "clear": say("ui.key_clear"), "delete": say("ui.key_delete")}
        for key in ["1", "2", "3", "4", "5", "6", "7", "8", "9", extra, "0", "delete"]:
            button = KButton(text=labels.get(key, key), value=key,
                             role="digits" if key.isdigit() or key == "X" else "text")
            button.bind(on_release=self._tap)
            self.add_widget(button)

    def _tap(self, button) -> None:
        self.dispatch("on_key", button.value)

    def on_key(self, key: str) -> None:
        """Default handler (listeners bind to it)."""


def show(widget: Widget, visible: bool) -> None:
    """Hide a widget without removing it: no size, no touches."""
    widget.opacity = 1 if visible else 0
    widget.disabled = not visible


load_kv("widgets")
