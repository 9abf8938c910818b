"""The handwriting pad driven by real touches on the headless kiosk window.

Strokes are UnitTestTouch down / move / up events through the window, taken from the name
character stroke set (kiosk/handwriting/strokeset.py) and scaled into the pad, so the pad, the
worker thread, the real zinnia engine and the candidate keys all take part.
"""
from __future__ import annotations

import os
import threading

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest
from test_ui_keyboard import answer_until, start
from ui_support import press, touch

from kiosk.dialogue.events import EventType
from kiosk.handwriting import strokeset
from kiosk.ui import harness
from kiosk.voices import say

pytestmark = pytest.mark.ui


@pytest.fixture(scope="module")
def samples():
    return strokeset.load()


def typing(app):
    return app.screens.current_screen.area.typing


def write(panel, strokes, box: int = strokeset.SET_BOX) -> None:
    """Draw the strokes with a finger on the pad, then wait for the candidates of the last one."""
    from kivy.tests.common import UnitTestTouch

    pad = panel.ids.pad
    side = min(pad.width, pad.height) * 0.8
    left, top = pad.x + (pad.width - side) / 2, pad.top - (pad.height - side) / 2
    for stroke in strokes:
        points = [(left + x / box * side, top - y / box * side) for x, y in stroke]
        t = UnitTestTouch(*points[0])
        t.touch_down()
        for p in points[1:]:
            t.touch_move(*p)
        t.touch_up()
        harness.frames(1)
    assert harness.wait_until(lambda: panel.answered == panel.generation, timeout=10)
    harness.frames(2)


def to_pad(app):
    area = typing(app)
    assert area.mode == "keys" and area.toggle.text == say("handwriting.to_pad")
    touch(area.toggle)
    assert area.mode == "pad" and area.toggle.text == say("handwriting.to_keys")
    return area.panel


def test_a_name_written_by_finger_reaches_the_engine(app, events, samples):
    start(app, "senior_card")
    answer_until(app, "name")
    panel = to_pad(app)
    kb = typing(app).keyboard
    write(panel, samples["陈"])
    assert len(panel.ids.pad.strokes) == len(samples["陈"])
    assert panel.candidates[0] == "陈"
    keys = [k for k in panel.candidate_keys if k.opacity == 1]
    assert [k.text for k in keys] == panel.candidates[:len(keys)]
    assert all(k.width >= 90 and k.height >= 90 for k in keys)
    press(app, "陈")                       # a real tap on the big candidate key
    assert kb.text == "陈" and kb.display.text == "陈"
    assert panel.ids.pad.strokes == [] and panel.candidates == []
    write(panel, samples["秀"])
    press(app, "秀")
    assert kb.text == "陈秀"
    press(app, say("ui.ok"))
    understood = [e for e in events if e.type is EventType.UNDERSTOOD]
    assert understood[-1].data["field_id"] == "name" and understood[-1].data["value"] == "陈秀"


def test_recognition_runs_off_the_ui_thread(app, samples, monkeypatch):
    start(app, "senior_card")
    answer_until(app, "name")
    panel = to_pad(app)
    threads = []
    original = panel.rec.classify

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return original(*args, **kwargs)

    monkeypatch.setattr(panel.rec, "classify", spy)
    write(panel, samples["王"][:2])
    assert threads and all(t is not threading.main_thread() for t in threads)


def test_undo_stroke_and_clear(app, samples):
    start(app, "senior_card")
    answer_until(app, "name")
    panel = to_pad(app)
    undo, clear, delete = panel.ids.undo_key, panel.ids.clear_key, panel.ids.delete_key
    assert undo.disabled and clear.disabled         # nothing to take back yet
    write(panel, samples["林"])
    assert not undo.disabled and panel.candidates
    before = panel.generation
    press(app, say("handwriting.undo"))
    assert len(panel.ids.pad.strokes) == len(samples["林"]) - 1
    assert panel.generation == before + 1            # what is left is recognised again
    assert harness.wait_until(lambda: panel.answered == panel.generation, timeout=10)
    press(app, say("handwriting.clear"))
    assert panel.ids.pad.strokes == [] and panel.candidates == []
    assert panel.ids.hint.text == say("handwriting.hint")
    assert undo.disabled and clear.disabled and delete.disabled   # no ink, nothing typed
    write(panel, samples["陈"])
    press(app, "陈")
    assert not delete.disabled                      # pad empty, a character typed
    press(app, say("ui.key_delete"))
    assert typing(app).keyboard.text == ""


def test_an_answer_for_older_ink_is_not_shown(app, samples):
    start(app, "senior_card")
    answer_until(app, "name")
    panel = to_pad(app)
    write(panel, samples["陈"])
    shown = list(panel.candidates)
    panel.show_candidates(panel.generation - 1, ["王"])    # late answer for earlier strokes
    assert panel.candidates == shown


def test_switching_back_keeps_the_text_and_the_choice_lasts_the_visit(app, samples):
    start(app, "senior_card")
    answer_until(app, "name")
    panel = to_pad(app)
    write(panel, samples["陈"])
    press(app, "陈")
    area = typing(app)
    touch(area.toggle)                             # back to 拼音
    assert area.mode == "keys" and area.keyboard.text == "陈"
    for k in "xiu":
        press(app, k)
    press(app, "秀")
    assert area.keyboard.text == "陈秀"
    touch(area.toggle)                             # 手写 again: a redraw (larger text) keeps it
    app.theme.toggle_large_text()
    harness.frames(4)
    assert typing(app).mode == "pad" and typing(app).keyboard.text == "陈秀"
    app.theme.toggle_large_text()
    harness.fresh(app)                             # the next resident starts on the keyboard
    start(app, "senior_card")
    answer_until(app, "name")
    assert typing(app).mode == "keys"


def test_no_handwriting_key_without_the_model(app, tmp_path, monkeypatch):
    from kiosk.ui.touch import find_button

    monkeypatch.setattr(app.settings.ui, "handwriting_model", str(tmp_path / "missing.model"))
    start(app, "senior_card")
    answer_until(app, "name")
    assert typing(app).toggle is None
    with pytest.raises(LookupError):
        find_button(app.screens.current_screen, say("handwriting.to_pad"))
    press(app, "王")                               # the keyboard still works
    assert typing(app).keyboard.text == "王"


def test_a_resting_palm_adds_no_stroke(app):
    from kivy.tests.common import UnitTestTouch

    start(app, "senior_card")
    answer_until(app, "name")
    panel = to_pad(app)
    pad = panel.ids.pad
    finger = UnitTestTouch(pad.x + pad.width * 0.2, pad.center_y)
    finger.touch_down()
    palm = UnitTestTouch(pad.x + pad.width * 0.7, pad.y + pad.height * 0.2)
    palm.touch_down()                                  # the palm lands while the finger writes
    finger.touch_move(pad.x + pad.width * 0.8, pad.center_y)
    palm.touch_move(pad.x + pad.width * 0.75, pad.y + pad.height * 0.25)
    palm.touch_up()
    finger.touch_up()
    assert harness.wait_until(lambda: panel.answered == panel.generation, timeout=10)
    assert len(pad.strokes) == 1
    assert panel.candidates[0] == "一"
