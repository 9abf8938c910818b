"""Shared widgets: the big button, text styles, top and bottom bars, keypad, pictograms.

Styling lives in widgets.kv and reads `app.theme`, so the larger-text and high-contrast
settings repaint everything at once.
"""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import (
    BooleanProperty,
    ListProperty,
    NumericProperty,
    ObjectProperty,
    OptionProperty,
    StringProperty,
)
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


def _pad_x(label: Label) -> float:
    pad = label.padding
    if isinstance(pad, (int, float)):
        return 2 * float(pad)
    return float(pad[0] + pad[2]) if len(pad) == 4 else 2 * float(pad[0])


def typeset(text: str, width: float, extents) -> str:
    """`text` with line breaks where kiosk.typeset.break_lines puts them (`extents(s)` -> (w, h))."""
    if width <= 1 or ("\n" not in text and extents(text)[0] <= width - 1):
        return text          # one line that fits: nothing to break (and no uniseg import at start-up)
    from kiosk.typeset import break_lines

    return "\n".join(break_lines(text, width - 1, lambda s: extents(s)[0]))


def keep_on_one_line(label: Label, least: float = 1.0) -> None:
    """Shrink a short label's text (更多, 空格, 1900年1月) to whatever keeps it on one line in its
    widget, never above its role's theme size (a short screen with 字再大些 makes keys narrow).
    Text that would need a size under `least` px keeps the theme size and wraps as before."""
    from kivy.app import App

    def clamp(*_args) -> None:
        theme = App.get_running_app().theme
        role = getattr(label, "role", "text")
        natural = getattr(theme, f"{role}_size", theme.text_size)
        text = label.text
        size = natural
        if text and "\n" not in text and label.width > 1:
            room = (label.width - dp(24)) / _text_em(text)
            if least <= room < natural:
                size = room
        if hasattr(label, "fit_size"):
            label.fit_size = 0 if size == natural else size
        elif label.font_size != size:
            label.font_size = size

    label.bind(width=clamp, text=clamp, font_size=clamp)   # a theme switch re-sets font_size
    clamp()


def _text_em(text: str) -> float:
    """Width of a label in em: CJK characters 1 em, ASCII about 0.62 em."""
    return max(1.0, sum(0.62 if ch.isascii() else 1.0 for ch in text))


def text_height(text: str, font_size: float, width: float, bold: bool = False) -> float:
    """Height of `text` wrapped to `width` at `font_size` with the theme's line spacing, as drawn."""
    from kivy.core.text import Label as CoreLabel

    from kiosk.ui.theme import LINE_HEIGHT

    if not text:
        return 0.0
    label = CoreLabel(text=text, font_size=font_size, text_size=(max(1, width), None),
                      line_height=LINE_HEIGHT, bold=bold, halign="left")
    label.text = typeset(text, width, label.get_extents)     # as KLabel draws it
    label.refresh()
    return float(label.texture.size[1]) if label.texture is not None else 0.0


def needed_height(widget: Widget, width: float) -> float:
    """The height a column of labels and rows needs at `width`, measured before layout."""
    if isinstance(widget, Label) and not isinstance(widget, ButtonBehavior):
        pad = widget.padding if isinstance(widget.padding, (list, tuple)) else [widget.padding] * 4
        px, py = (pad[0], pad[1]) if len(pad) == 2 else (pad[0], pad[1]) if pad else (0, 0)
        text = text_height(widget.text, widget.font_size, width - 2 * px) + 2 * py
        own = widget.height if widget.size_hint_y is None else 0
        return max(text, widget.font_size * widget.line_height, own)
    if isinstance(widget, BoxLayout) and widget.size_hint_y is None:
        kids = widget.children
        if widget.orientation == "vertical":
            return sum(needed_height(c, width) for c in kids) + widget.spacing * max(0, len(kids) - 1)
        fixed = [c for c in kids if c.size_hint_x is None]
        free = max(1, len(kids) - len(fixed))
        rest = (width - sum(c.width for c in fixed) - widget.spacing * max(0, len(kids) - 1)) / free
        return max([widget.height] + [needed_height(c, c.width if c.size_hint_x is None else rest)
                                      for c in kids])
    return float(widget.height)


def load_kv(name: str) -> None:
    """Load kiosk/ui/<name>.kv once."""
    path = str(KV_DIR / f"{name}.kv")
    if path not in Builder.files:
        Builder.load_file(path)


class KButton(ButtonBehavior, Label):
    """A large single-tap button; `kind` picks its colour pair from the theme."""

    kind = OptionProperty("normal", options=["normal", "primary", "staff", "answer"])
    role = OptionProperty("text", options=ROLES)
    selected = BooleanProperty(False)
    bg = ListProperty([0, 0, 0, 1])
    value = ObjectProperty(None, allownone=True)   # what a tap answers (choice value, digit, ...)
    icon = OptionProperty("", options=["", "tick", "cross"])   # drawn left of the words (是 / 不是)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._icon = None
        self.bind(icon=self._draw_icon, pos=self._draw_icon, size=self._draw_icon,
                  texture_size=self._draw_icon, color=self._draw_icon)
        self._draw_icon()

    def _draw_icon(self, *_args) -> None:
        """A ✓ or ✗ drawn with lines (no font glyph needed), just left of the centred words."""
        from kivy.graphics import Color, InstructionGroup, Line

        if self._icon is not None:
            self.canvas.after.remove(self._icon)
            self._icon = None
        if not self.icon or self.width <= 1:
            return
        words = self._label.get_extents(self.text)[0] if self.text else 0
        side = min(self.font_size * 0.8, self.height * 0.5)
        gap = self.font_size * 0.25
        pad = side + gap             # the words move right by the icon's room: both stay centred
        if list(self.padding) != [pad, 0, 0, 0]:
            self.padding = [pad, 0, 0, 0]
        x = max(self.x + dp(10), self.center_x + pad / 2 - min(words, self.width - pad - dp(20)) / 2 - pad)
        y = self.center_y - side / 2
        group = InstructionGroup()
        group.add(Color(*self.color))
        width = max(dp(3), side / 9)
        if self.icon == "tick":
            group.add(Line(points=[x, y + side * 0.5, x + side * 0.38, y + side * 0.1, x + side, y + side * 0.9],
                           width=width, cap="round", joint="round"))
        else:
            group.add(Line(points=[x, y, x + side, y + side], width=width, cap="round"))
            group.add(Line(points=[x, y + side, x + side, y], width=width, cap="round"))
        self.canvas.after.add(group)
        self._icon = group


class KLabel(Label):
    """Body text: >= 32 sp, wrapped, line spacing 1.35; `role` picks the theme size.

    `fit_size` (when set) replaces the theme size: a screen that fits text to the space sets it,
    never below the minimums. `collapse`: no height at all while empty.
    """

    role = OptionProperty("text", options=ROLES)
    fit_size = NumericProperty(0)
    collapse = BooleanProperty(False)

    def texture_update(self, *largs):
        """Draw the text broken into lines by Chinese rules (kiosk.typeset.break_lines): no line
        starts with ？ or ；, numbers, times and short words like 家属 stay whole. `text` itself
        is left as given; only what is drawn gets the line breaks."""
        label = self._label
        if self.text and not self.shorten and self.text_size[0]:
            label.text = typeset(self.text, self.text_size[0] - _pad_x(self), label.get_extents)
        super().texture_update(*largs)


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
    """Title line with the larger-text and high-contrast switches (none when `compact`)."""

    title = StringProperty("")
    compact = BooleanProperty(False)


class ControlBar(BoxLayout):
    """重听 / 上一步 / 找工作人员, fixed at the bottom of every resident screen (with the two
    display switches when `switches`: a short screen with no title bar)."""

    switches = BooleanProperty(False)
    can_back = BooleanProperty(True)    # False on Home: 上一步 would do nothing


class ListeningIndicator(BoxLayout):
    """Microphone sign and 'I am listening' while the recognizer is open."""

    active = BooleanProperty(False)


class Keypad(GridLayout):
    """A telephone-style keypad; `on_key(key)` gets '0'-'9', 'X', 'clear' or 'delete'."""

    __events__ = ("on_key",)

    def __init__(self, extra: str = "clear", **kwargs):
        from kiosk.voices import say

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


def short_screen(height: float, scale: float = 1.0) -> bool:
    """Too short for a title line above the content: under 720 dp (e.g. 1024x600), or under
    900 dp with 字再大些 (`scale` 1.25, e.g. 1280x800)."""
    from kivy.metrics import dp

    return height < dp(720) * scale


def show(widget: Widget, visible: bool) -> None:
    """Hide a widget without removing it: no size, no touches."""
    widget.opacity = 1 if visible else 0
    widget.disabled = not visible


load_kv("widgets")
