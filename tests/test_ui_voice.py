"""The speech controls on the live question screen, by real taps: 声音 -> 慢一点 / 等一下 -> 好了."""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

from ui_support import press, tile, touch

from kiosk.ui import harness
from kiosk.voice.controls import RATE_STEPS
from kiosk.voices import say


def open_modal(cls):
    from kivy.core.window import Window

    assert harness.wait_until(lambda: any(isinstance(w, cls) for w in Window.children), timeout=3)
    harness.frames(2)
    return next(w for w in Window.children if isinstance(w, cls))


def test_voice_panel_slows_the_voice_and_pause_waits_for_a_tap(app, events):
    from kiosk.ui.voice_panel import VoicePanel, VoicePaused

    harness.frames(3)
    touch(tile(app, "repair_request"))
    assert app.screens.current == "question"
    ctl = app.controller
    harness.settle(0.6)                               # past the tap guard of a new screen
    press(app, say("voice.button"))
    panel = open_modal(VoicePanel)
    touch(panel.ids.slower)
    assert ctl.voice.speaker.rate_factor == RATE_STEPS[2]
    assert ctl.voice.speaker.said[-1].startswith(say("speech_control.slower"))
    assert ctl.session is not None and not ctl.session.attempts   # never a failed answer

    press(app, say("voice.button"))
    touch(open_modal(VoicePanel).ids.pause)
    paused = open_modal(VoicePaused)
    assert ctl.voice.paused and paused.is_open
    assert not ctl.idle.armed                         # the idle clock waits with the resident
    assert ctl.voice.speaker.said[-1] == say("speech_control.pause")
    touch(paused.ids.resume)
    assert not paused.is_open and not ctl.voice.paused and ctl.idle.armed
    assert ctl.voice.speaker.said[-1].startswith(say("speech_control.resume"))
    assert [type(e).__name__ for e in events].count("SpeechControlRequested") == 3

    ctl.finish("home")                                # the next resident hears the default rate
    harness.frames(3)
    assert ctl.voice.speaker.rate_factor == 1.0
