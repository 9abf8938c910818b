"""Idle timeout on the live app: warning, 继续 extensions, then the visit is wiped and Home shows.

The settings require >= 20 s; the test shortens the idle watch's own periods so Kivy's Clock
runs the real flow in a fraction of a second.
"""
from __future__ import annotations

import os
import time

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest
from ui_support import touch

from kiosk.dialogue.events import EventType
from kiosk.ui import harness
from kiosk.voices import say


@pytest.fixture
def app():
    app = harness.kiosk_app()
    harness.fresh(app)
    idle = app.controller.idle
    saved = (idle.warn_after, idle.extension, idle.max_extensions)
    # Short idle periods, but a tap window wide enough for a loaded CI machine.
    idle.warn_after, idle.extension, idle.max_extensions = 0.6, 3.0, 10
    yield app
    idle.warn_after, idle.extension, idle.max_extensions = saved
    harness.fresh(app)


def start_form(app):
    harness.frames(3)    # let the screen switch to Home finish before the tap
    home = app.screens.get_screen("home")
    touch(next(t for t in home.ids.tiles.children if t.form_id == "repair_request"))
    assert app.screens.current == "question"


def test_settings_allow_at_least_ten_extensions_of_twenty_seconds():
    from kiosk.config import UISettings

    ui = UISettings()
    assert ui.max_extensions >= 10 and ui.extension_s >= 20
    with pytest.raises(ValueError):
        UISettings(max_extensions=9)
    with pytest.raises(ValueError):
        UISettings(extension_s=10)


def test_no_timeout_on_home(app):
    harness.settle(0.4)
    assert not app.timeout_warning.is_open


def test_ten_extensions_then_the_visit_is_wiped(app):
    events = []
    app.controller.add_listener(events.append)
    start_form(app)
    from kiosk.ui.touch import find_button

    for n in range(10):
        assert harness.wait_until(lambda: app.timeout_warning.is_open, timeout=2), f"warning {n}"
        assert say("ui.timeout_question") in app.controller.voice.speaker.said[-1]
        harness.frames(3)        # the pop-up is laid out before a finger can find its button
        touch(find_button(app.timeout_warning, say("ui.timeout_continue")))
        assert not app.timeout_warning.is_open
        assert app.screens.current == "question"
    assert not [e for e in events if e.type is EventType.ENDED]
    # No extension left: the next idle period ends the visit.
    assert harness.wait_until(lambda: app.screens.current == "home"
                              and any(e.type is EventType.ENDED for e in events), timeout=6)
    ended = [e for e in events if e.type is EventType.ENDED]
    assert ended[-1].data["reason"] == "timeout"
    assert app.controller.session is None
    # The draft was kept for staff (the engine's timeout rule), the screen shows none of it.
    assert app.screens.current == "home"


def test_unanswered_warning_returns_home(app):
    start_form(app)
    assert harness.wait_until(lambda: app.timeout_warning.is_open, timeout=2)
    assert harness.wait_until(lambda: app.screens.current == "home", timeout=6)
    assert not app.timeout_warning.is_open
    question = app.screens.get_screen("question")
    assert app.controller.session is None
    # A new resident starting a form sees its first question, not the old one's answers.
    start_form(app)
    assert question.prompt_data.get("step") == 1


def test_touches_keep_the_session_alive(app):
    app.controller.idle.warn_after = 1.5     # room for a busy machine between two taps
    start_form(app)
    from kiosk.ui.touch import find_button

    started = time.perf_counter()
    while time.perf_counter() - started < 4.0:     # well past the idle period, tapping throughout
        harness.settle(0.25)
        touch(find_button(app.screens.current_screen, say("ui.repeat")))
        assert not app.timeout_warning.is_open
    # and without taps the warning does come
    assert harness.wait_until(lambda: app.timeout_warning.is_open, timeout=4)
