"""Where a PIN typed on the staff keypad goes, and what the PIN screen says about it.

The staff layer (kiosk.staff.wiring) sets `handler` (PIN -> True unlocked / False refused, with
`mode.last_pin_message` saying why); `core_handler` keeps assisted mode's own check so a test
that swaps `handler` out and back to None still reaches it. No Kivy here.
"""
from __future__ import annotations

import logging
from typing import Any, Callable

from kiosk.voices import say

log = logging.getLogger(__name__)


class StaffEntry:
    """The staff PIN hook of one kiosk app (`app.staff_mode` is assisted mode, when it runs)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.handler: Callable[[str], bool | None] | None = None       # the staff layer's PIN check
        self.core_handler: Callable[[str], bool | None] | None = None  # assisted mode's own check

    def entered(self, pin: str) -> bool | None:
        """Hand the PIN to the staff layer; None when none is wired yet."""
        handler = self.handler or self.core_handler
        if handler is None:
            return None
        mode = getattr(self.app, "staff_mode", None)
        if mode is not None:
            mode.last_pin_message = ""       # never show the previous try's reason
        return handler(pin)

    def message(self) -> str:
        """Why the staff layer refused the last PIN (wrong / locked for N minutes / no PIN set)."""
        mode = getattr(self.app, "staff_mode", None)
        return getattr(mode, "last_pin_message", "") if mode is not None else ""

    def status(self) -> str:
        """What the PIN screen says before a PIN is typed: locked, or no PIN set yet ('' when open)."""
        mode = getattr(self.app, "staff_mode", None)
        if mode is None:
            return say("ui.pin_unavailable")
        try:
            wait = mode.pins.locked_for()
            if wait > 0:
                return say("staff.pin_locked", minutes=max(1, int((wait + 59) // 60)))
            if not mode.pins.staff_ids():
                return say("staff.no_pin")
        except Exception:
            log.exception("PIN state unreadable")
        return ""
