"""Run the real kiosk app frame by frame in this process (tests and benchmarks).

Kivy allows one window per process, so the harness keeps one app for the whole process and
resets it to a fresh visit between uses. Frames are stepped by hand (`EventLoop.idle()`), so a
test decides exactly when layout, clock callbacks and drawing happen.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Callable

_app = None
_tmp: tempfile.TemporaryDirectory | None = None


def kiosk_app(width: int = 1280, height: int = 800):
    """The process's kiosk app on a throw-away SQLite store with a recording speaker, built and started."""
    global _app, _tmp
    if _app is not None:
        return _app
    os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")
    if os.environ.get("KIOSK_TEST_NO_WINDOW"):
        raise RuntimeError("this run excludes ui tests (-m 'not ui'), but a test opened the kiosk window: "
                           "mark it ui or give it the `app` fixture")
    if os.environ.get("KIVY_GL_BACKEND") == "mock":
        raise RuntimeError("KIVY_GL_BACKEND=mock draws nothing; unset it (see DESIGN.md)")
    _tmp = tempfile.TemporaryDirectory(prefix="kiosk-ui-")
    from kiosk.config import load_settings
    from kiosk.ui.commands import demo_app

    settings = load_settings(environ={"KIOSK_DATA_DIR": _tmp.name})
    app = demo_app(settings, width, height, Path(_tmp.name))
    app._run_prepare()          # build() + window + on_start, without entering the main loop
    from kiosk.ui.touch import guard

    guard.delay = 0             # frames are stepped by hand: no time passes between taps (tests set it)
    _app = app
    frames(10)                  # Home, then one more screen per frame
    return app


def frames(n: int = 2) -> None:
    """Advance the event loop n frames (clock, input, layout, drawing)."""
    from kivy.base import EventLoop

    for _ in range(n):
        EventLoop.idle()


def settle(seconds: float = 0.1) -> None:
    """Run frames for a while of wall-clock time (lets Clock callbacks due by then fire)."""
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        frames(1)


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    """Step frames until predicate() is true or timeout."""
    end = time.perf_counter() + timeout
    while time.perf_counter() < end:
        if predicate():
            return True
        frames(1)
    return predicate()


def fresh(app) -> None:
    """A new resident: end any visit, back to Home, standard theme, listeners cleared."""
    app.timeout_warning.dismiss()
    app.controller.listeners.clear()
    app.controller.finish("home")
    frames(3)
