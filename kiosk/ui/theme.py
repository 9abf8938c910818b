"""Elder mode in numbers: text sizes, touch targets, line spacing, colours and their contrast.

These constants are the single source for the .kv files and for the tests that walk the live
widget tree. Two palettes (standard and high contrast) are switched with one tap; every
foreground/background pair in each is checked for WCAG contrast >= 7:1 (AAA).
"""
from __future__ import annotations

from dataclasses import dataclass, fields

from kiosk.ui import prepare_kivy

prepare_kivy()

from kivy.event import EventDispatcher
from kivy.metrics import dp, sp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty

QUESTION_SP = 52        # the question itself (>= 48)
TEXT_SP = 34            # every other text (>= 32)
LARGE_SP = 44           # answer choices and service names
DIGITS_SP = 60          # keypad keys, entered digits, steppers
RECEIPT_SP = 110        # the receipt number on the done screen
LINE_HEIGHT = 1.35      # line spacing (>= 1.3)
TARGET_DP = 96          # smallest touch target side (>= 90)
GAP_DP = 12             # space between targets so a shaky finger hits only one
LARGE_TEXT_SCALE = 1.25  # the one-tap larger-text setting

MIN_QUESTION_SP = 48
MIN_TEXT_SP = 32
MIN_LINE_HEIGHT = 1.3
MIN_TARGET_DP = 90
MIN_CONTRAST = 7.0

RGB = tuple[int, int, int]


def hex_rgb(code: str) -> RGB:
    """'#1A2B3C' -> (26, 43, 60)."""
    code = code.lstrip("#")
    return int(code[0:2], 16), int(code[2:4], 16), int(code[4:6], 16)


def relative_luminance(rgb: RGB) -> float:
    """WCAG 2.x relative luminance of an sRGB colour."""
    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(a: RGB, b: RGB) -> float:
    """WCAG contrast ratio between two colours (1..21)."""
    la, lb = sorted((relative_luminance(a), relative_luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


@dataclass(frozen=True)
class Palette:
    """Named colours; each `*_text` is drawn on the colour of the same stem."""

    name: str
    bg: str
    text: str               # on bg
    panel: str
    panel_text: str
    button: str
    button_text: str
    button_down: str
    button_down_text: str
    primary: str            # 对 / 确认提交 / 继续
    primary_text: str
    staff: str              # 找工作人员
    staff_text: str
    selected: str           # a chosen option in a multi-choice
    selected_text: str
    notice: str             # "not understood" message band
    notice_text: str
    border: str

    def pairs(self) -> dict[str, tuple[str, str]]:
        """Every (foreground, background) pair the screens draw text with."""
        return {
            "text/bg": (self.text, self.bg),
            "panel_text/panel": (self.panel_text, self.panel),
            "button_text/button": (self.button_text, self.button),
            "button_down_text/button_down": (self.button_down_text, self.button_down),
            "primary_text/primary": (self.primary_text, self.primary),
            "staff_text/staff": (self.staff_text, self.staff),
            "selected_text/selected": (self.selected_text, self.selected),
            "notice_text/notice": (self.notice_text, self.notice),
        }

    def contrasts(self) -> dict[str, float]:
        """WCAG contrast of every pair."""
        return {k: contrast_ratio(hex_rgb(f), hex_rgb(b)) for k, (f, b) in self.pairs().items()}


STANDARD = Palette(
    name="standard",
    bg="#F6F1E4", text="#141414",
    panel="#FFFFFF", panel_text="#141414",
    button="#0B3A6E", button_text="#FFFFFF",
    button_down="#FFD84D", button_down_text="#141414",
    primary="#11551C", primary_text="#FFFFFF",
    staff="#8A1A00", staff_text="#FFFFFF",
    selected="#FFD84D", selected_text="#141414",
    notice="#FFE9A8", notice_text="#141414",
    border="#141414",
)

HIGH_CONTRAST = Palette(
    name="high_contrast",
    bg="#000000", text="#FFFFFF",
    panel="#000000", panel_text="#FFFF00",
    button="#FFFF00", button_text="#000000",
    button_down="#FFFFFF", button_down_text="#000000",
    primary="#00FF66", primary_text="#000000",
    staff="#FF9A1F", staff_text="#000000",
    selected="#00FFFF", selected_text="#000000",
    notice="#FFFFFF", notice_text="#000000",
    border="#FFFFFF",
)

PALETTES = (STANDARD, HIGH_CONTRAST)


def rgba(code: str) -> list[float]:
    """'#RRGGBB' -> Kivy [r, g, b, 1]."""
    return [c / 255 for c in hex_rgb(code)] + [1.0]


class ThemeState(EventDispatcher):
    """The live theme the .kv files bind to (`app.theme.*`); switched with one tap."""

    high_contrast = BooleanProperty(False)
    large_text = BooleanProperty(False)
    palette_name = StringProperty(STANDARD.name)
    scale = NumericProperty(1.0)
    question_size = NumericProperty(0)
    text_size = NumericProperty(0)
    large_size = NumericProperty(0)
    digits_size = NumericProperty(0)
    receipt_size = NumericProperty(0)
    line_height = NumericProperty(LINE_HEIGHT)
    target = NumericProperty(0)
    gap = NumericProperty(0)
    # One ListProperty per palette colour, so kv rules repaint when the theme switches.
    bg = ListProperty(); text = ListProperty(); panel = ListProperty(); panel_text = ListProperty()
    button = ListProperty(); button_text = ListProperty(); button_down = ListProperty()
    button_down_text = ListProperty(); primary = ListProperty(); primary_text = ListProperty()
    staff = ListProperty(); staff_text = ListProperty(); selected = ListProperty()
    selected_text = ListProperty(); notice = ListProperty(); notice_text = ListProperty()
    border = ListProperty()

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(high_contrast=self._apply, large_text=self._apply)
        self._apply()

    @property
    def palette(self) -> Palette:
        """The palette in use."""
        return HIGH_CONTRAST if self.high_contrast else STANDARD

    def toggle_contrast(self) -> None:
        """One tap: standard <-> high contrast."""
        self.high_contrast = not self.high_contrast

    def toggle_large_text(self) -> None:
        """One tap: standard <-> larger text."""
        self.large_text = not self.large_text

    def reset(self) -> None:
        """Back to the defaults for the next resident."""
        self.high_contrast = False
        self.large_text = False

    def _apply(self, *_args) -> None:
        p = self.palette
        self.palette_name = p.name
        for f in fields(Palette):
            if f.name != "name":
                setattr(self, f.name, rgba(getattr(p, f.name)))
        self.scale = LARGE_TEXT_SCALE if self.large_text else 1.0
        self.question_size = sp(QUESTION_SP * self.scale)
        self.text_size = sp(TEXT_SP * self.scale)
        self.large_size = sp(LARGE_SP * self.scale)
        self.digits_size = sp(DIGITS_SP * self.scale)
        self.receipt_size = sp(RECEIPT_SP * self.scale)
        self.target = dp(TARGET_DP)
        self.gap = dp(GAP_DP)
