"""The staff chime: a soft two-tone 'ding-dong' made with the wave module, played fail-soft.

The kiosk chimes when a resident is handed over (ticket opened, handoff screen shown), so a
staff member across the room looks up. Generated in code (no audio file to ship), played on a
worker thread through kiosk.speech.playback; with no sound card it logs once and stays quiet.
"""
from __future__ import annotations

import io
import logging
import math
import struct
import threading
import time
import wave

log = logging.getLogger(__name__)

RATE = 22050
TONES = ((659.25, 0.45), (523.25, 0.75))   # E5 then C5: a doorbell, not an alarm
PEAK = 0.28                                # of full scale: soft


def chime_wav(rate: int = RATE, tones=TONES, peak: float = PEAK) -> bytes:
    """16-bit mono WAV bytes of the two tones, each with a short attack and a gentle decay."""
    frames = bytearray()
    for freq, seconds in tones:
        n = int(rate * seconds)
        attack = int(rate * 0.015)
        for i in range(n):
            env = min(1.0, i / attack) * math.exp(-3.5 * i / n)
            # A little second harmonic makes it bell-like rather than a test tone.
            s = math.sin(2 * math.pi * freq * i / rate) + 0.25 * math.sin(4 * math.pi * freq * i / rate)
            frames += struct.pack("<h", int(32767 * peak * env * s / 1.25))
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(bytes(frames))
    return buf.getvalue()


class Chime:
    """`ring()` plays the chime on a thread; calls within `min_gap_s` of the last one are dropped."""

    def __init__(self, player=None, volume: float = 1.0, min_gap_s: float = 3.0) -> None:
        self._player = player
        self.volume = volume
        self.min_gap_s = min_gap_s
        self.rung = 0                       # how many chimes were started (tests, logs)
        self._last = -1e9
        self._wav: bytes | None = None

    def ring(self) -> bool:
        """Start the chime unless one just played; never raises."""
        now = time.monotonic()
        if now - self._last < self.min_gap_s:
            return False
        self._last = now
        self.rung += 1
        threading.Thread(target=self._play, daemon=True, name="staff-chime").start()
        return True

    def _play(self) -> None:
        try:
            from kiosk.speech.playback import Player, load_clip

            if self._wav is None:
                self._wav = chime_wav()
            player = self._player or Player(volume=self.volume)
            player.play(load_clip(self._wav), threading.Event())
        except Exception:   # no sound card, no PortAudio: the screen still shows the number
            log.warning("staff chime could not play", exc_info=True)
