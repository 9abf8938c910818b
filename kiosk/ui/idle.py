"""Idle timeout that respects slow residents (WCAG 2.2.1 'timing adjustable').

After `warn_after` seconds with no touch mid-form, a warning asks "您还需要更多时间吗？" with one
big 继续 button; the resident then has `extension` seconds to tap it. Each tap grants a fresh
idle period; after `max_extensions` taps, the next timeout ends the visit. Nothing here knows
about screens: callbacks do the showing and the wiping.
"""
from __future__ import annotations

import logging
from typing import Callable

from kivy.clock import Clock

log = logging.getLogger(__name__)


class IdleWatch:
    """Arm while a form is open; poke on every touch; extend from the warning's button."""

    def __init__(self, warn_after: float, extension: float, max_extensions: int, *,
                 on_warn: Callable[[float], None], on_tick: Callable[[int], None],
                 on_expire: Callable[[], None]):
        self.warn_after = warn_after
        self.extension = extension
        self.max_extensions = max_extensions
        self.on_warn = on_warn
        self.on_tick = on_tick
        self.on_expire = on_expire
        self.armed = False
        self.warning = False
        self.extensions = 0
        self._warn_ev = None
        self._expire_ev = None
        self._tick_ev = None
        self._left = 0

    def arm(self) -> None:
        """Start (or restart) counting idle time."""
        self.armed = True
        self._restart()

    def disarm(self) -> None:
        """Stop counting (Home, Done, or the visit ended); forget extensions."""
        self.armed = False
        self.warning = False
        self.extensions = 0
        self._cancel_all()

    def poke(self, *_args) -> None:
        """Any touch is activity, except while the warning waits for its own button."""
        if self.armed and not self.warning:
            self._restart()

    def progress(self) -> None:
        """The resident answered something: a fresh allowance of extensions."""
        self.extensions = 0

    def extend(self) -> bool:
        """The 继续 button; False when no extension is left (the visit will end)."""
        if not self.warning:
            return True
        self.warning = False
        self.extensions += 1
        self._restart()
        return True

    @property
    def extensions_left(self) -> int:
        """How many more times 继续 will be offered."""
        return max(0, self.max_extensions - self.extensions)

    def _restart(self) -> None:
        self._cancel_all()
        self._warn_ev = Clock.schedule_once(self._warn, self.warn_after)

    def _cancel_all(self) -> None:
        for ev in (self._warn_ev, self._expire_ev, self._tick_ev):
            if ev is not None:
                ev.cancel()
        self._warn_ev = self._expire_ev = self._tick_ev = None

    def _warn(self, _dt) -> None:
        if not self.armed:
            return
        if self.extensions >= self.max_extensions:
            log.info("idle: no extensions left, ending the visit")
            self._expire(0)
            return
        self.warning = True
        self._left = int(round(self.extension))
        self.on_warn(self.extension)
        self._expire_ev = Clock.schedule_once(self._expire, self.extension)
        self._tick_ev = Clock.schedule_interval(self._tick, 1.0)

    def _tick(self, _dt) -> None:
        self._left = max(0, self._left - 1)
        self.on_tick(self._left)

    def _expire(self, _dt) -> None:
        self.disarm()
        self.on_expire()


class VisitTimeout:
    """The kiosk's timeout warning: what the idle watch's moments look like and do.

    Warn: the voice stops, the 继续 dialog opens and asks aloud. Tick: its countdown. Expire: a
    resident who stopped mid-form gets a staff ticket with the kept draft (assisted mode), then
    the visit ends. `controller` gives the app, voice, visit and desk (the desk is wired later).
    """

    def __init__(self, controller, warn_after: float, extension: float, max_extensions: int):
        self.controller = controller
        self.watch = IdleWatch(warn_after, extension, max_extensions,
                               on_warn=self.warn, on_tick=self.tick, on_expire=self.expire)

    def warn(self, seconds: float) -> None:
        """Ask 您还需要更多时间吗？ with `seconds` to answer."""
        from kiosk.voices import say

        ctl = self.controller
        ctl.voice.quiet()
        ctl.app.timeout_warning.open_for(int(round(seconds)))
        ctl.voice.say(say("ui.timeout_question"))

    def tick(self, left: int) -> None:
        """The warning's seconds left."""
        self.controller.app.timeout_warning.seconds_left = left

    def extend(self) -> None:
        """继续 on the warning: more time, the warning closes."""
        self.watch.extend()
        self.controller.app.timeout_warning.dismiss()

    def expire(self) -> None:
        """Nobody answered the warning (or no extension was left): the visit ends."""
        ctl = self.controller
        ctl.app.timeout_warning.dismiss()
        session = ctl.session
        if session is not None and ctl.desk is not None:
            try:    # the resident stopped mid-form: a ticket and the kept draft, before the wipe
                ctl.desk.resident_idle(session)
            except Exception:
                log.exception("idle ticket not opened")
        if ctl.visit is not None:
            ctl.visit.end("timeout")
