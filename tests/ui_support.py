"""Shared helpers for the tests that drive the live kiosk window with real taps.

Taps are kivy.tests UnitTestTouch events through the window, so the widget hit is the one a
finger at that spot would hit.
"""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest  # noqa: E402

from kiosk.ui import harness  # noqa: E402


@pytest.fixture
def events(app):
    """Every dialogue event of the test, in order."""
    seen = []
    app.controller.add_listener(seen.append)
    return seen


def touch(widget) -> None:
    """A real single tap at the widget's centre."""
    from kivy.tests.common import UnitTestTouch

    x, y = widget.to_window(*widget.center)
    t = UnitTestTouch(x, y)
    t.touch_down()
    t.touch_up()
    harness.frames(2)


def press(app, text: str) -> None:
    """Tap the visible button with exactly this text on the current screen."""
    from kiosk.ui.touch import find_button

    touch(find_button(app.screens.current_screen, text))


def tile(app, form_id: str):
    """The Home tile of a service."""
    home = app.screens.get_screen("home")
    return next(t for t in home.ids.tiles.children if t.form_id == form_id)
