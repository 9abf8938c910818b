"""When the voice loop's callbacks run: on the UI thread in the kiosk, by hand in tests.

The loop never calls a clock or a thread itself. It asks a `Scheduler` to run a callback soon
on the owning thread (results arrive from the listening thread) or after a delay (re-reading a
prompt nobody answered). The kiosk passes a Kivy-clock scheduler (kiosk.ui.scheduler); tests
pass `ManualScheduler` and decide when time passes.
"""
from __future__ import annotations

import heapq
import itertools
import threading
from collections.abc import Callable
from typing import Protocol


class Timer(Protocol):
    """A scheduled call that can be cancelled."""

    def cancel(self) -> None:
        """Do not run it (no effect once it ran)."""


class Scheduler(Protocol):
    """Runs callbacks on the thread that owns the voice loop."""

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Run `fn` on the owning thread as soon as it can; safe to call from any thread."""

    def call_later(self, delay_s: float, fn: Callable[[], None]) -> Timer:
        """Run `fn` on the owning thread after `delay_s` seconds."""


class _ManualTimer:
    def __init__(self) -> None:
        self.cancelled = False

    def cancel(self) -> None:
        self.cancelled = True


class ManualScheduler:
    """A scheduler whose time moves only when a test says so; `call_soon` is thread-safe."""

    def __init__(self) -> None:
        self.now = 0.0
        self._soon: list[Callable[[], None]] = []
        self._later: list[tuple[float, int, _ManualTimer, Callable[[], None]]] = []
        self._seq = itertools.count()
        self._cond = threading.Condition()

    def call_soon(self, fn: Callable[[], None]) -> None:
        """Queue `fn`; `run_pending` or `wait_for` runs it."""
        with self._cond:
            self._soon.append(fn)
            self._cond.notify_all()

    def call_later(self, delay_s: float, fn: Callable[[], None]) -> Timer:
        """Run `fn` when `advance` moves the clock past now + delay_s."""
        timer = _ManualTimer()
        with self._cond:
            heapq.heappush(self._later, (self.now + delay_s, next(self._seq), timer, fn))
        return timer

    def run_pending(self) -> int:
        """Run every queued `call_soon` callback (and those they queue); returns how many ran."""
        ran = 0
        while True:
            with self._cond:
                if not self._soon:
                    return ran
                fn = self._soon.pop(0)
            fn()
            ran += 1

    def advance(self, seconds: float) -> None:
        """Move the clock on, running due timers in order (and what they queue)."""
        end = self.now + seconds
        while True:
            self.run_pending()
            with self._cond:
                if not self._later or self._later[0][0] > end:
                    break
                due, _, timer, fn = heapq.heappop(self._later)
                self.now = max(self.now, due)
            if not timer.cancelled:
                fn()
        self.now = end
        self.run_pending()

    def pending_timers(self) -> list[float]:
        """Due times of the timers not yet run or cancelled."""
        with self._cond:
            return sorted(due for due, _, t, _ in self._later if not t.cancelled)

    def wait_for(self, predicate: Callable[[], bool], timeout: float = 10.0) -> bool:
        """Run callbacks as they arrive from other threads until `predicate()` holds.

        Waits on a condition variable (no polling sleeps); `timeout` only guards a hung test.
        """
        deadline = threading.Event()
        timer = threading.Timer(timeout, deadline.set)
        timer.daemon = True
        timer.start()
        try:
            while True:
                self.run_pending()
                if predicate():
                    return True
                if deadline.is_set():
                    return False
                with self._cond:
                    if not self._soon:
                        self._cond.wait(0.05)
        finally:
            timer.cancel()
