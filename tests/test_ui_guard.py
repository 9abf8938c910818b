"""The touchscreen's error boundary: an exception escaping a Kivy callback never ends the app
or shows English; the resident reads and hears Mandarin and keeps what they said."""
from __future__ import annotations

import pytest

from kiosk.errors import Refusal
from kiosk.ui import harness
from kiosk.voices import say


def _raise_later(err: BaseException) -> None:
    from kivy.clock import Clock

    def boom(_dt: float) -> None:
        raise err

    Clock.schedule_once(boom, 0)
    harness.frames(3)


@pytest.mark.parametrize("err", [RuntimeError("internal detail 13900001111"), KeyError("x")])
def test_unexpected_error_on_a_question_is_told_in_mandarin_and_the_answers_stay(app, err):
    app.controller.start_form("repair_request")
    harness.frames(3)
    session = app.controller.session
    before = dict(session.answers)
    caught = app.guard.caught
    _raise_later(err)
    assert app.guard.caught == caught + 1
    question = app.screens.get_screen("question")
    assert app.screens.current == "question"
    assert question.notice_text == say("error.unexpected")
    assert app.controller.voice.speaker.said[-1] == say("error.unexpected")
    assert app.controller.session is session and session.answers == before
    assert "13900001111" not in question.notice_text


def test_a_refusal_shows_its_own_wording(app):
    app.controller.start_form("repair_request")
    harness.frames(3)
    _raise_later(Refusal("handoff.coming"))
    assert app.screens.get_screen("question").notice_text == say("handoff.coming")


def test_keyboard_interrupt_is_not_swallowed(app):
    from kivy.base import ExceptionManager

    assert app.guard.handle_exception(KeyboardInterrupt()) == ExceptionManager.RAISE
