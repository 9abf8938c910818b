"""Shared helpers for the tests that drive the live kiosk window with real taps.

Taps are kivy.tests UnitTestTouch events through the window, so the widget hit is the one a
finger at that spot would hit.
"""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest

from kiosk.ui import harness


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


def open_staff_entry(app) -> None:
    """The discreet staff entry, as staff do it: a real finger held on the top-left corner of
    Home or Help (the current screen, else Help) for 3 s, the door's injected clock advanced
    instead of waited. Leaves the staff PIN keypad on screen."""
    from kivy.tests.common import UnitTestTouch

    from kiosk.ui.staff_door import HOLD_S, Ahead, door_of
    from kiosk.voices import say

    if app.screens.current not in ("home", "help"):
        press(app, say("ui.staff"))
    door = door_of(app.screens.current_screen)
    saved, clock = door.clock, Ahead()
    door.clock = clock
    try:
        x, y = door.to_window(*door.center)
        t = UnitTestTouch(x, y)
        t.touch_down()
        harness.frames(1)
        clock.ahead = HOLD_S + 0.1
        t.touch_up()
        harness.frames(2)
    finally:
        door.clock = saved


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
    wrong = wrong if wrong is not None else {}     # used once: popped from the caller's dict
    from kiosk.dialogue.engine import Stage
    from kiosk.dialogue.sample import sample_transcript

    ctl = app.controller
    listener = lambda e: record.append((e.type, dict(e.data)))
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


def _pick(prompts: list[dict]) -> list[dict]:
    """Per field type, the hardest prompts to lay out: longest question, most choices, optional."""
    chosen: dict[str, dict] = {}
    by_type: dict[str, list[dict]] = {}
    for d in prompts:
        by_type.setdefault(d["field_type"], []).append(d)
    for group in by_type.values():
        for key in (lambda d: len(d.get("text", "")), lambda d: len(d.get("choices") or []),
                    lambda d: (bool(d.get("optional")), len(d.get("text", "")))):
            best = max(group, key=key)
            chosen[best["field_id"] + best["field_type"]] = best
    return list(chosen.values())


def layout_scenes(app) -> list:
    """(name, show) for every resident screen type; show() puts the live screen in that state
    and returns the screen. Recorded from real sessions of every form (through the engine)."""
    from kiosk.dialogue.events import EventType
    ctl = app.controller
    record: list = []
    ctl.add_listener(lambda e: record.append((e.type, dict(e.data))))
    wrong = {"phone": ("二 二 二 二 二 二 二 二 二 二 二", 3)}   # not a mobile number: refused, then help offered
    for form_id in app.runtime.catalogue.forms:
        walk_form(app, form_id, [], wrong=wrong)
        ctl.finish("home")
    # A handoff with a ticket, a cancel question and a submission, from one more real session.
    walk_form(app, "repair_request", [])
    ctl.request_help()
    help_screen = app.screens.get_screen("help")
    ticket, can_print = help_screen.ticket, help_screen.can_print
    ctl.resume()
    ctl.session.back()
    ctl.session.request_cancel()
    ctl.session.confirm(False)
    walk_form(app, "repair_request", [])
    ctl.submit()
    harness.frames(2)
    ctl.listeners.clear()
    ctl.finish("home", ask_feedback=False)
    harness.frames(2)

    def of(etype):
        return [d for t, d in record if t is etype]

    question = app.screens.get_screen("question")
    out = []

    def on(name: str, screen: str, setup=None):
        def show():
            if setup is not None:
                setup()
            app.screens.current = screen
            return app.screens.get_screen(screen)
        out.append((name, show))

    on("home", "home")
    for d in _pick(of(EventType.PROMPT)):
        on(f"question_{d['field_type']}_{d['field_id']}", "question", lambda d=d: question.show_prompt(d))
        if d["field_type"] == "date":
            def stage(d=d, upto="day"):
                question.show_prompt(d)
                picker = question.area.picker
                while picker.stage != upto:
                    picker.pick(picker.stage, picker.options(picker.stage)[0])
            on(f"date_year_{d['field_id']}", "question", lambda d=d: stage(d, "year"))
            on(f"date_day_{d['field_id']}", "question", lambda d=d: stage(d, "day"))
        if d["field_type"] == "address":
            b, u = d["bounds"]["buildings"][0], d["bounds"]["units"][0]
            on("address_unit", "question", lambda d=d, b=b: (question.show_prompt(d),
                                                             question.area.picker.pick("building", b)))
            on("address_room", "question", lambda d=d, b=b, u=u: (question.show_prompt(d),
                                                                  question.area.picker.pick("building", b),
                                                                  question.area.picker.pick("unit", u)))
    longest = max(of(EventType.UNDERSTOOD), key=lambda d: len(d.get("display", "")) + len(d.get("text", "")))
    on("readback", "question", lambda: question.show_confirm("readback", longest))
    reuse = max(of(EventType.REUSE_OFFERED), key=lambda d: len(d.get("text", "")))
    on("reuse", "question", lambda: question.show_confirm("reuse", reuse))
    cancel = of(EventType.CANCEL_ASKED)[-1]
    on("cancel", "question", lambda: question.show_confirm("cancel", cancel))
    phone = next(d for d in of(EventType.PROMPT) if d["field_type"] == "phone")
    rejected = of(EventType.REJECTED)[0]
    assist = of(EventType.ASSISTANCE_OFFERED)[0]
    on("rejected", "question", lambda: (question.show_prompt(phone), question.show_notice(rejected["text"])))
    on("assistance", "question", lambda: (question.show_prompt(phone),
                                          question.show_notice(assist["text"], assist=True)))
    review_screen = app.screens.get_screen("review")
    review = max(of(EventType.REVIEW), key=lambda d: len(d["items"]))
    on("review_first_page", "review", lambda: review_screen.show(review))
    on("review_last_page", "review", lambda: (review_screen.show(review), harness.frames(2),
                                              review_screen.turn(review_screen.pages)))
    on("help", "help", lambda: help_screen.show({}, None, can_resume=False))
    on("handoff", "help", lambda: (help_screen.show({}, ticket, can_resume=True),
                                   setattr(help_screen, "can_print", can_print)))
    on("staff_pin", "staff_pin", lambda: app.screen("staff_pin").clear())
    if app.screens.has_screen("feedback") and ctl.feedback.box is not None:
        feedback = app.screen("feedback")
        on("feedback", "feedback", lambda: feedback.ask(ctl.feedback.box, "senior_card"))
    done = app.screen("done")
    submitted = of(EventType.SUBMITTED)[-1]
    on("done", "done", lambda: (done.show(submitted), setattr(done, "seconds_left", 45)))
    return out


def submit_review(app) -> None:
    """On the review: turn every page (确认提交 is offered once all are seen), then submit."""
    from kiosk.voices import say

    review = app.screens.get_screen("review")
    for _ in range(review.pages):
        if review.all_seen:
            break
        press(app, say("ui.review_next_page"))
    press(app, say("ui.review_submit"))


def pick_date(app) -> None:
    """Tap the date picker's first option at each stage (decade, year, month, day) until it answers."""
    screen = app.screens.current_screen
    picker = screen.area.picker
    for _ in range(4):
        if getattr(app.screens.current_screen, "area", None) is None or \
                getattr(app.screens.current_screen.area, "picker", None) is not picker:
            return
        press(app, picker.label(picker.stage, picker.options(picker.stage)[0]))
