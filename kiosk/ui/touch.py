"""Real single taps on the live window, for the screenshot tour, tests and the benchmark.

A tap goes through Kivy's input pipeline (EventLoop -> Window -> widget tree) exactly as a
finger on the touchscreen does, so the widget hit is the one a resident would hit.
"""
from __future__ import annotations

import time
from typing import Callable, Iterator

from kivy.base import EventLoop
from kivy.input.motionevent import MotionEvent
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.widget import Widget


class Tap(MotionEvent):
    """One finger at one point (same shape as kivy.tests.common.UnitTestTouch)."""

    def __init__(self, x: float, y: float):
        win = EventLoop.window
        super().__init__("Tap", 77, {"x": x / (win.width - 1.0), "y": y / (win.height - 1.0)},
                         is_touch=True, type_id="touch")
        self.profile = ["pos"]

    def depack(self, args):
        """Normalised position -> window position."""
        self.sx = args["x"]
        self.sy = args["y"]
        super().depack(args)


def tap(widget: Widget) -> None:
    """Press and release at the centre of `widget`, as a finger would."""
    x, y = widget.to_window(*widget.center)
    touch = Tap(x, y)
    EventLoop.post_dispatch_input("begin", touch)
    EventLoop.post_dispatch_input("end", touch)


def walk(root: Widget) -> Iterator[Widget]:
    """Every widget under root (root included)."""
    yield root
    for child in root.children:
        yield from walk(child)


def buttons(root: Widget) -> list[Widget]:
    """Every visible, enabled tappable widget under root, top-left first."""
    found = [w for w in walk(root) if isinstance(w, ButtonBehavior) and not w.disabled
             and w.opacity > 0 and w.width > 0 and w.height > 0]
    return sorted(found, key=lambda w: (-w.to_window(*w.pos)[1], w.to_window(*w.pos)[0]))


def find_button(root: Widget, text: str) -> Widget:
    """The visible button whose text is exactly `text` (LookupError when none)."""
    for w in buttons(root):
        if getattr(w, "text", None) == text:
            return w
    raise LookupError(f"no button {text!r} on screen")


class TapGuard:
    """Ignores taps for `delay` seconds after the screen changes (a new question, a read-back,
    another screen), so a double tap or a resting finger never answers a screen unseen.

    `hold()` is called whenever what the screen asks changes; the window's touch-down handler
    swallows touches until the delay has passed. `clock` is injectable for tests.
    """

    def __init__(self, delay: float = 0.5, clock: Callable[[], float] = time.monotonic):
        self.delay = delay
        self.clock = clock
        self.until = 0.0
        self.ignored = 0          # taps swallowed (tests and the tap count of a walk)
        self._window = None

    def hold(self, *_args) -> None:
        """The screen just changed: ignore taps for a moment."""
        if self.delay > 0:
            self.until = self.clock() + self.delay

    def blocks(self) -> bool:
        """True while taps are ignored."""
        return self.clock() < self.until

    def on_touch_down(self, _window, _touch) -> bool:
        """Window touch-down: True swallows the touch (nothing under it sees it)."""
        if self.blocks():
            self.ignored += 1
            return True
        return False

    def install(self, window, screens) -> None:
        """Watch the window's touches and the screen manager (once)."""
        if self._window is window:
            return
        self._window = window
        window.bind(on_touch_down=self.on_touch_down)
        screens.bind(current=self.hold)


guard = TapGuard()
