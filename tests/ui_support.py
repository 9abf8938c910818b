"""Shared helpers for the tests that drive the live kiosk window with real taps.

Taps are kivy.tests UnitTestTouch events through the window, so the widget hit is the one a
finger at that spot would hit.
"""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest  # noqa: E402

from kiosk.ui import harness  # noqa: E402


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


# The function-scoped `app` and `events` fixtures live in tests/conftest.py (shared by all).


@pytest.fixture(scope="module")
def kiosk():
    """The process's kiosk app for a whole module (tests that only look, never leave a visit open)."""
    app = harness.kiosk_app()
    harness.fresh(app)
    yield app
    app.theme.reset()
    harness.fresh(app)


def walk_form(app, form_id: str, record: list, *, wrong: dict | None = None, max_steps: int = 80) -> None:
    """Fill a whole form by voice transcripts through the engine, up to its review.

    Every event lands in `record` (as (type, data copy)); reuse offers and read-backs are
    accepted. `wrong` maps a field type to (transcript, times): said that often before the
    right answer, the first time the type comes up.
    """
    wrong = dict(wrong or {})
    from kiosk.dialogue.engine import Stage
    from kiosk.dialogue.sample import sample_transcript

    ctl = app.controller
    listener = lambda e: record.append((e.type, dict(e.data)))  # noqa: E731
    ctl.add_listener(listener)
    try:
        ctl.start_form(form_id)
        for _ in range(max_steps):
            session = ctl.session
            if session is None or session.stage is Stage.REVIEW:
                return
            if session.stage in (Stage.CONFIRM, Stage.REUSE):
                session.confirm(True)
            elif session.stage is Stage.ASK and session.field.type.value in wrong:
                said, times = wrong.pop(session.field.type.value)
                for _ in range(times):
                    session.hear(said)
            elif session.stage is Stage.ASK:
                session.hear(sample_transcript(session.field, ctl.visit.site, ctl.visit.today))
            else:
                return
    finally:
        ctl.listeners.remove(listener)
        if ctl.visit is not None and listener in ctl.visit.listeners:
            ctl.visit.listeners.remove(listener)
