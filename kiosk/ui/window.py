"""The kiosk window: full screen, borderless, no cursor, Escape and close requests ignored.

`configure()` must run before anything imports `kivy.core.window` (that import creates the
window from Kivy's Config). Staff leave the kiosk only through `KioskApp.staff_exit()`.
"""
from __future__ import annotations

import signal

from kiosk.ui import prepare_kivy

ESCAPE = 27


def configure(width: int, height: int, fullscreen: bool) -> None:
    """Set Kivy's window options; call before the window exists."""
    prepare_kivy()
    from kivy.config import Config

    Config.set("kivy", "exit_on_escape", "0")
    Config.set("kivy", "pause_on_minimize", "0")
    Config.set("graphics", "width", str(width))
    Config.set("graphics", "height", str(height))
    Config.set("graphics", "fullscreen", "auto" if fullscreen else "0")
    Config.set("graphics", "borderless", "1")
    Config.set("graphics", "show_cursor", "0" if fullscreen else "1")
    Config.set("graphics", "resizable", "0" if fullscreen else "1")
    # A resting palm or a slow finger must not become a second tap or a drag.
    Config.set("postproc", "double_tap_time", "0")
    Config.set("postproc", "triple_tap_time", "0")
    Config.set("input", "mouse", "mouse,disable_multitouch")


def lock_down(window, app) -> None:
    """Keep residents in the kiosk: no Escape, no close button, no Alt+F4 via the window."""
    def refuse_close(*_args, **_kwargs) -> bool:
        return not app.exiting   # True = handled: the window stays

    def swallow_escape(_window, key, *_args) -> bool | None:
        return True if key == ESCAPE else None

    window.bind(on_request_close=refuse_close)
    window.bind(on_keyboard=swallow_escape)
    # systemd stop/restart sends SIGTERM: leave as staff exit does (the visit is wiped first).
    from kivy.clock import Clock

    signal.signal(signal.SIGTERM, lambda *_a: Clock.schedule_once(lambda _dt: app.staff_exit()))
