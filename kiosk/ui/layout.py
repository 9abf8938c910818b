"""Measure a live screen: does any text leave the window, or lie on top of something else?

Text boxes come from the rendered texture (a Label draws its texture centred on the widget,
whatever size the widget got), so a label squeezed to 0 px whose text still shows is caught.
Used by the layout test at every window size and display setting, and by `kiosk screenshots`
to say what is wrong with a shot.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from kivy.metrics import dp
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label
from kivy.uix.stencilview import StencilView
from kivy.uix.widget import Widget

from kiosk.ui.pictograms import Pictogram
from kiosk.ui.theme import MIN_TARGET_DP

SLACK = 1.0   # px: rounding of texture positions


@dataclass(frozen=True)
class Box:
    """One thing a resident sees: text (from its texture), a button, or a pictogram."""

    widget: Widget
    kind: str            # "text" | "button" | "picture"
    x: float
    y: float
    right: float
    top: float

    @property
    def name(self) -> str:
        """Short description for a failure message."""
        text = str(getattr(self.widget, "text", "") or getattr(self.widget, "name", ""))
        return f"{type(self.widget).__name__}[{self.kind}] {text[:14]!r}"

    def overlaps(self, other: Box) -> bool:
        """True when the two boxes share more than a rounding pixel each way."""
        w = min(self.right, other.right) - max(self.x, other.x)
        h = min(self.top, other.top) - max(self.y, other.y)
        return w > SLACK and h > SLACK

    def inside(self, x: float, y: float, right: float, top: float) -> bool:
        """True when the box lies within the rectangle (one rounding pixel allowed)."""
        return (self.x >= x - SLACK and self.y >= y - SLACK and self.right <= right + SLACK
                and self.top <= top + SLACK)


Clip = tuple[float, float, float, float] | None


def _visible(w: Widget, clip: Clip = None) -> Iterator[tuple[Widget, Clip]]:
    """Widgets under w that are drawn, each with the rectangle a scroll view clips it to."""
    if w.opacity <= 0:
        return
    yield w, clip
    if isinstance(w, StencilView):
        own = _window_rect(w)
        clip = own if clip is None else (max(clip[0], own[0]), max(clip[1], own[1]),
                                         min(clip[2], own[2]), min(clip[3], own[3]))
    for child in w.children:
        yield from _visible(child, clip)


def _clipped(box: Box | None, clip: Clip) -> Box | None:
    if box is None or clip is None:
        return box
    x, y = max(box.x, clip[0]), max(box.y, clip[1])
    right, top = min(box.right, clip[2]), min(box.top, clip[3])
    if right - x <= SLACK or top - y <= SLACK:
        return None      # scrolled out of view
    return Box(box.widget, box.kind, x, y, right, top)


def _window_rect(w: Widget) -> tuple[float, float, float, float]:
    x, y = w.to_window(w.x, w.y)
    return x, y, x + w.width, y + w.height


def text_box(w: Label) -> Box | None:
    """Where a label's texture is drawn, in window coordinates, less the empty leading (None: nothing drawn)."""
    tw, th = w.texture_size
    if not w.text or tw <= 0 or th <= 0:
        return None
    cx, cy = w.to_window(w.center_x, w.center_y)
    x, y = int(cx - tw / 2.0), int(cy - th / 2.0)
    # Line spacing adds empty leading above the first and below the last line: not ink.
    lead = max(0.0, (float(w.line_height) - 1.0) * float(w.font_size) / 2.0)
    lead = min(lead, th / 4.0)
    return Box(w, "text", x, y + lead, x + tw, y + th - lead)


def boxes(root: Widget) -> list[Box]:
    """Every drawn text, button and pictogram under root (cut to any scroll view around it)."""
    found: list[Box | None] = []
    for w, clip in _visible(root):
        if isinstance(w, ButtonBehavior) and w.width > 0 and w.height > 0:
            found.append(_clipped(Box(w, "button", *_window_rect(w)), clip))
        if isinstance(w, Label):
            found.append(_clipped(text_box(w), clip))
        elif isinstance(w, Pictogram) and w.width > 1 and w.height > 1:
            s = min(w.width, w.height)     # drawn as a centred square
            cx, cy = w.to_window(w.center_x, w.center_y)
            found.append(_clipped(Box(w, "picture", cx - s / 2, cy - s / 2, cx + s / 2, cy + s / 2), clip))
    return [b for b in found if b is not None]


def _related(a: Widget, b: Widget) -> bool:
    """True when one widget is the other or contains it (a button and its own text)."""
    for child, parent in ((a, b), (b, a)):
        node = child
        while node is not None:
            if node is parent:
                return True
            node = node.parent if node.parent is not node else None
    return False


def problems(root: Widget, window_size: tuple[int, int], where: str = "") -> list[str]:
    """What is wrong with the screen under root: text out of the window or of its button,
    two things on top of each other, a target under 90 px."""
    width, height = window_size
    found = boxes(root)
    out: list[str] = []
    for b in found:
        if not b.inside(0, 0, width, height):
            out.append(f"{where}: {b.name} outside the window "
                       f"({b.x:.0f},{b.y:.0f})-({b.right:.0f},{b.top:.0f})")
        if b.kind == "button" and not getattr(b.widget, "disabled", False):
            if min(b.right - b.x, b.top - b.y) < dp(MIN_TARGET_DP) - 0.5:
                out.append(f"{where}: {b.name} target {b.right - b.x:.0f}x{b.top - b.y:.0f} px")
        if b.kind == "text":
            button = next((p.widget for p in found if p.kind == "button" and p.widget is not b.widget
                           and _related(b.widget, p.widget)), None)
            own = b.widget if isinstance(b.widget, ButtonBehavior) else button
            if own is not None and not b.inside(*_window_rect(own)):
                bx = _window_rect(own)
                out.append(f"{where}: {b.name} text spills out of its button "
                           f"({b.x:.0f},{b.y:.0f})-({b.right:.0f},{b.top:.0f}) in "
                           f"({bx[0]:.0f},{bx[1]:.0f})-({bx[2]:.0f},{bx[3]:.0f})")
    for i, a in enumerate(found):
        for b in found[i + 1:]:
            if a.overlaps(b) and not _related(a.widget, b.widget):
                out.append(f"{where}: {a.name} overlaps {b.name}")
    return out
