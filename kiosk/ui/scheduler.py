"""The voice loop's scheduler on Kivy's clock: callbacks run on the UI thread."""
from __future__ import annotations

from collections.abc import Callable

from kivy.clock import Clock


class KivyScheduler:
    """kiosk.voice.Scheduler on Kivy's clock (schedule_once is safe from other threads)."""

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the UI thread at the next frame."""
        Clock.schedule_once(lambda _dt: fn())

    def call_later(self, delay_s: float, fn: Callable[[], None]):
        """Run `fn` on the UI thread after `delay_s`; the ClockEvent has cancel()."""
        return Clock.schedule_once(lambda _dt: fn(), delay_s)
