"""The discreet staff entry (issue 13 item 4): no staff button on a resident screen; staff hold
the top-left corner of Home or Help for 3 s. Real touches through the window; the door's clock
is injected and advanced, never waited for."""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest
from kivy.tests.common import UnitTestTouch
from ui_support import open_staff_entry, press, touch

from kiosk.ui import harness
from kiosk.ui.staff_door import HOLD_S, RING_AFTER_S, Ahead, door_of
from kiosk.ui.touch import buttons, walk
from kiosk.voices import say


@pytest.fixture
def door_clock(app):
    """Every staff door on an injected clock, restored afterwards."""
    clock = Ahead()
    doors = [door_of(app.screens.get_screen(n)) for n in ("home", "help")]
    saved = [d.clock for d in doors]
    for d in doors:
        d.clock = clock
    yield clock
    for d, c in zip(doors, saved, strict=True):
        d.clock = c


def finger_on(widget):
    x, y = widget.to_window(*widget.center)
    t = UnitTestTouch(x, y)
    t.touch_down()
    harness.frames(1)
    return t


def test_help_screen_has_no_staff_button(app):
    press(app, say("ui.staff"))
    assert app.screens.current == "help"
    texts = [str(getattr(b, "text", "")) for b in buttons(app.screens.current_screen)]
    assert texts and not any("工作人员登录" in t or "登录" in t for t in texts), texts
    labels = [str(getattr(w, "text", "")) for w in walk(app.screens.current_screen)]
    assert not any("登录" in t for t in labels)


@pytest.mark.parametrize("screen", ["home", "help"])
def test_a_tap_or_a_short_hold_on_the_corner_does_nothing(app, door_clock, screen):
    if screen == "help":
        press(app, say("ui.staff"))
    door = door_of(app.screens.current_screen)
    opened = door.opened
    touch(door)                                   # a plain tap
    assert app.screens.current == screen and not door.holding
    t = finger_on(door)
    door_clock.ahead = RING_AFTER_S - 0.2         # under a second: nothing shows yet
    door.tick()
    assert not door.holding and door.progress == 0
    door_clock.ahead = HOLD_S - 0.3               # the ring shows and is nearly full...
    door.tick()
    assert door.holding and 0.5 < door.progress < 1
    t.touch_up()                                  # ...but the finger lifted early
    harness.frames(2)
    assert app.screens.current == screen and door.opened == opened
    assert not door.holding and door.progress == 0


def test_the_hold_opens_the_pin_keypad_while_still_held(app, door_clock):
    door = door_of(app.screens.current_screen)
    opened = door.opened
    t = finger_on(door)
    door_clock.ahead = HOLD_S + 0.05
    door.tick()                                   # the frame tick, as on the kiosk
    harness.frames(2)
    assert app.screens.current == "staff_pin"
    t.touch_up()
    harness.frames(2)
    assert app.screens.current == "staff_pin" and door.opened == opened + 1
    assert app.screens.current_screen.pin == ""


def test_a_finger_sliding_off_the_corner_cancels(app, door_clock):
    door = door_of(app.screens.current_screen)
    t = finger_on(door)
    door_clock.ahead = 2.0
    door.tick()
    assert door.holding
    t.touch_move(t.x + door.width * 2, t.y - door.height * 2)
    harness.frames(1)
    assert not door.holding
    door_clock.ahead = HOLD_S + 1
    t.touch_up()
    harness.frames(2)
    assert app.screens.current == "home"


def test_a_hold_ends_when_its_screen_goes_away(app, door_clock):
    door = door_of(app.screens.current_screen)
    opened = door.opened
    t = finger_on(door)
    door_clock.ahead = 2.0
    door.tick()
    assert door.holding
    app.controller.request_help()                 # another screen comes up under the finger
    harness.frames(2)
    assert app.screens.current == "help"
    door_clock.ahead = HOLD_S + 1
    door.tick()
    t.touch_up()
    harness.frames(2)
    assert app.screens.current == "help" and door.opened == opened and not door.holding


def test_open_staff_entry_from_home_and_help(app):
    open_staff_entry(app)
    assert app.screens.current == "staff_pin"
    press(app, say("ui.pin_back"))
    press(app, say("ui.staff"))
    open_staff_entry(app)
    assert app.screens.current == "staff_pin"


@pytest.fixture
def sized(app):
    """Resize the one window; back to 1280x800 and the standard theme afterwards."""
    from kivy.core.window import Window

    saved = Window.size

    def to(w, h, large):
        Window.size = (w, h)
        if large != app.theme.large_text:
            app.theme.toggle_large_text()
        harness.frames(4)

    yield to
    app.theme.reset()
    Window.size = saved
    harness.frames(4)


@pytest.mark.parametrize("w,h", [(1024, 600), (1280, 800), (1920, 1080), (1080, 1920)])
@pytest.mark.parametrize("large", [False, True])
def test_the_corner_covers_no_resident_control(app, sized, w, h, large):
    """The door sits over the title or a pictogram only: nothing tappable under it."""
    sized(w, h, large)
    for name in ("home", "help"):
        if name == "help":
            press(app, say("ui.staff"))
            harness.frames(4)
        screen = app.screens.current_screen
        door = door_of(screen)
        dx, dy = door.to_window(*door.pos)
        assert door.width >= 90 and door.height >= 90
        assert dx == 0 and dy + door.height == pytest.approx(h)       # the top-left corner
        for b in buttons(screen):
            if b is door:
                continue
            bx, by = b.to_window(*b.pos)
            overlap = bx < dx + door.width and dx < bx + b.width and by < dy + door.height and dy < by + b.height
            assert not overlap, (name, getattr(b, "text", b))
