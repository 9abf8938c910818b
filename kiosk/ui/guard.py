"""The touchscreen's error boundary: no exception ever reaches the resident as a traceback.

Kivy calls registered `ExceptionHandler`s for any exception escaping an event callback in the
main loop. This one logs the error once (its code and class: never the message, which may
echo what the resident said), tells the resident in Mandarin that nothing was lost, and keeps
the app running (`PASS`). A `Refusal` shows its own wording; anything else a generic sentence.
"""
from __future__ import annotations

import logging
from typing import Callable

from kivy.base import ExceptionHandler, ExceptionManager

from kiosk.errors import KioskError, Refusal
from kiosk.voices import say

log = logging.getLogger(__name__)


def resident_text(err: BaseException) -> str:
    """The Mandarin sentence a resident sees for `err`."""
    if isinstance(err, Refusal):
        return err.message()
    return say("error.unexpected")


class ResidentGuard(ExceptionHandler):
    """Turns an escaped exception into a spoken and shown Mandarin notice."""

    def __init__(self, notify: Callable[[str], None]) -> None:
        super().__init__()
        self.notify = notify
        self.caught = 0

    def handle_exception(self, inst: BaseException) -> int:
        """Log once, notify the resident, keep running; SystemExit/KeyboardInterrupt pass on."""
        if isinstance(inst, (KeyboardInterrupt, SystemExit)):
            return ExceptionManager.RAISE
        self.caught += 1
        code = inst.code if isinstance(inst, KioskError) else type(inst).__name__
        log.error("unexpected error in the touchscreen (%s); the resident was told", code,
                  exc_info=(type(inst), inst, inst.__traceback__))
        try:
            self.notify(resident_text(inst))
        except Exception:  # the notice itself failed: the log line above is all we can do
            log.exception("could not show the error notice")
        return ExceptionManager.PASS


def install(notify: Callable[[str], None]) -> ResidentGuard:
    """Register the guard with Kivy (once per app) and return it."""
    guard = ResidentGuard(notify)
    ExceptionManager.add_handler(guard)
    return guard


def uninstall(guard: ResidentGuard) -> None:
    """Remove the guard (app stop, tests)."""
    if guard in ExceptionManager.handlers:
        ExceptionManager.remove_handler(guard)
