"""The discreet staff entry: hold the top-left corner of Home or Help for 3 seconds.

Residents never see a staff button. Staff are told one sentence: 长按屏幕左上角3秒. The
corner (a square of 1.2 touch targets, over the title text or the Help pictogram: never over
anything a resident taps) does nothing on a tap; held still, a progress ring appears after the
first second and fills; at 3 s the staff PIN keypad opens (`controller.open_staff_pin()`).
Moving the finger away or lifting it early cancels.

`StaffDoor.clock` is injectable (like kiosk.ui.touch.guard) so tests advance time, never sleep;
`open_by_hold(door)` does the real long press through the window for the screenshot tour.
"""
from __future__ import annotations

import time
from typing import Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.widget import Widget

from kiosk.ui.widgets import load_kv

HOLD_S = 3.0          # how long the corner must be held
RING_AFTER_S = 1.0    # the ring appears only after this (a resting hand sees nothing)
SLOP_DP = 40          # a finger may wander this far and still be holding


class StaffDoor(Widget):
    """An invisible corner that opens the staff PIN keypad after a 3 s hold."""

    progress = NumericProperty(0.0)      # 0..1 of the ring (0 while hidden)
    holding = BooleanProperty(False)     # True once the ring shows

    clock: Callable[[], float] = staticmethod(time.monotonic)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._touch = None
        self._start = 0.0
        self._tick_ev = None
        self.opened = 0                  # how many times the hold completed (tests)

    def on_touch_down(self, touch):
        if self.disabled or not self.collide_point(*touch.pos) or getattr(touch, "is_mouse_scrolling", False):
            return super().on_touch_down(touch)
        if self._touch is not None:      # a second finger: ignore it, keep the first hold
            return True
        touch.grab(self)
        self._touch = touch
        self._origin = touch.pos
        self._start = self.clock()
        self._done = False
        self._tick_ev = Clock.schedule_interval(self.tick, 1 / 30)
        return True                      # a tap on the corner does nothing else

    def on_touch_move(self, touch):
        if touch.grab_current is not self:
            return super().on_touch_move(touch)
        ox, oy = self._origin
        if abs(touch.x - ox) > dp(SLOP_DP) or abs(touch.y - oy) > dp(SLOP_DP):
            self._cancel()
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        if self._touch is touch:
            self.tick()                  # a hold that reached 3 s opens even if no frame ran since
            self._cancel()
        return True

    def tick(self, *_args) -> None:
        """Advance the ring; open the keypad once the hold reaches HOLD_S."""
        if self._touch is None or self._done:
            return
        if self.get_root_window() is None:       # the screen went away under the finger (a timeout)
            self._cancel()
            return
        held = self.clock() - self._start
        self.holding = held >= RING_AFTER_S
        self.progress = min(1.0, max(0.0, (held - RING_AFTER_S) / (HOLD_S - RING_AFTER_S)))
        if held >= HOLD_S:
            self._done = True
            self.opened += 1
            self._stop_ticks()
            App.get_running_app().controller.open_staff_pin()

    def _stop_ticks(self) -> None:
        if self._tick_ev is not None:
            self._tick_ev.cancel()
            self._tick_ev = None

    def _cancel(self) -> None:
        self._stop_ticks()
        self._touch = None
        self.holding = False
        self.progress = 0.0


class Ahead:
    """A manual clock for StaffDoor.clock: the time it was made, plus `ahead` seconds.

    It never moves by itself, so a test or the screenshot tour decides exactly how long the
    finger has been held, however slow the machine is.
    """

    def __init__(self, base: Callable[[], float] = time.monotonic):
        self.start = base()
        self.ahead = 0.0

    def __call__(self) -> float:
        return self.start + self.ahead


def door_of(screen) -> StaffDoor:
    """The StaffDoor of a screen (Home and Help have one)."""
    for w in screen.walk():
        if isinstance(w, StaffDoor):
            return w
    raise LookupError(f"no staff door on {screen.name!r}")


def open_by_hold(door: StaffDoor, *, snap: Callable[[], None] | None = None) -> None:
    """A real finger held on the door through the window, the clock advanced instead of waited:
    past the ring's first second (then `snap()` may capture the ring), then past HOLD_S."""
    from kivy.base import EventLoop

    from kiosk.ui.touch import Tap

    saved, clock = door.clock, Ahead()
    door.clock = clock
    try:
        x, y = door.to_window(*door.center)
        finger = Tap(x, y)
        EventLoop.post_dispatch_input("begin", finger)
        clock.ahead = (RING_AFTER_S + HOLD_S) / 2
        door.tick()
        if snap is not None:
            snap()
        clock.ahead = HOLD_S + 0.1
        EventLoop.post_dispatch_input("end", finger)
    finally:
        door.clock = saved


load_kv("staff_door")
