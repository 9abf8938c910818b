"""The kiosk's voice loop without a window: speak -> listen -> understand -> read back.

    voice = VoiceLoop(speaker, scheduler, on_listening=..., on_paused=...)
    voice.set_ears(recognizer, microphone)     # optional: touch-only without
    voice.attach(visit)                        # says the visit's events, listens after questions
    voice.control(Control.SLOWER)              # resident controls (engine event or a button)

No Kivy here (kiosk.ui passes a Kivy-clock scheduler); tests pass a ManualScheduler.
"""
from __future__ import annotations

from kiosk.voice.controls import RATE_STEPS, VOLUME_STEPS, Control, SpeechSettingsNow
from kiosk.voice.loop import VoiceLoop, event_data, event_kind
from kiosk.voice.scheduler import ManualScheduler, Scheduler, Timer

__all__ = ["RATE_STEPS", "VOLUME_STEPS", "Control", "ManualScheduler", "Scheduler",
           "SpeechSettingsNow", "Timer", "VoiceLoop", "event_data", "event_kind"]
