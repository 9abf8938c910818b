"""Playing WAV audio, interruptibly, and failing soft when there is no sound card.

sounddevice (PortAudio) is tried first, writing ~50 ms blocks so `stop` takes effect at once;
`aplay` is the fallback. With neither, playback logs one warning and returns False: the screen
text is still there, and the kiosk carries on.
"""
from __future__ import annotations

import array
import io
import logging
import shutil
import subprocess
import sys
import threading
import time
import wave
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)


@dataclass
class Clip:
    """Decoded PCM ready to play."""

    pcm: bytes
    rate: int
    channels: int
    width: int

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return len(self.pcm) / (self.rate * self.channels * self.width)


def load_clip(source: bytes | str | Path) -> Clip:
    """A Clip from WAV bytes or a WAV file."""
    fh = io.BytesIO(source) if isinstance(source, bytes) else open(source, "rb")
    with fh, wave.open(fh, "rb") as w:
        return Clip(w.readframes(w.getnframes()), w.getframerate(), w.getnchannels(), w.getsampwidth())


def scale_volume(pcm: bytes, volume: float) -> bytes:
    """int16 audio scaled by `volume`; cached prompts are rendered at full volume.

    Above 1.0 is gain for a resident who asked 大声点: samples saturate at the int16 limits
    instead of wrapping round (a wrapped sample is a loud click).
    """
    if abs(volume - 1.0) < 0.001:
        return pcm
    samples = array.array("h", pcm)
    if sys.byteorder == "big":
        samples.byteswap()
    out = array.array("h", (max(-32768, min(32767, int(s * volume))) for s in samples))
    if sys.byteorder == "big":
        out.byteswap()
    return out.tobytes()


class Player:
    """Plays clips on the default output; `play` blocks until done or `stop` is set."""

    block_s = 0.05

    def __init__(self, volume: float = 1.0, device: int | str | None = None):
        self.volume = volume
        self.device = device
        self._warned = False
        self.first_audio_at: float | None = None  # perf_counter when the first block went out

    def _warn(self, why: str) -> None:
        if not self._warned:
            log.warning("cannot play speech (%s); the kiosk continues with on-screen text", why)
            self._warned = True

    def play(self, clip: Clip, stop: threading.Event) -> bool:
        """True when the clip was played to the end (or stopped); False when no output worked."""
        self.first_audio_at = None
        pcm = scale_volume(clip.pcm, self.volume) if clip.width == 2 else clip.pcm
        try:
            return self._play_sounddevice(clip, pcm, stop)
        except Exception as err:  # PortAudioError, OSError, ImportError: no sound card
            why = f"sounddevice: {err}"
        if shutil.which("aplay"):
            try:
                return self._play_aplay(clip, pcm, stop)
            except OSError as err:
                why += f"; aplay: {err}"
        self._warn(why)
        return False

    def _play_sounddevice(self, clip: Clip, pcm: bytes, stop: threading.Event) -> bool:
        import sounddevice as sd

        if clip.width != 2:
            raise ValueError("only 16-bit audio is played")
        step = int(clip.rate * self.block_s) * clip.channels * 2
        with sd.RawOutputStream(samplerate=clip.rate, channels=clip.channels, dtype="int16",
                                device=self.device) as out:
            for i in range(0, len(pcm), step):
                if stop.is_set():
                    out.abort()
                    return True
                out.write(pcm[i:i + step])
                if self.first_audio_at is None:
                    self.first_audio_at = time.perf_counter()
        return True

    def _play_aplay(self, clip: Clip, pcm: bytes, stop: threading.Event) -> bool:
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(clip.channels)
            w.setsampwidth(clip.width)
            w.setframerate(clip.rate)
            w.writeframes(pcm)
        proc = subprocess.Popen(["aplay", "-q", "-"], stdin=subprocess.PIPE,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.first_audio_at = time.perf_counter()

        def feed() -> None:  # aplay reads at playback speed: write from a thread, stay stoppable
            try:
                proc.stdin.write(buf.getvalue())
                proc.stdin.close()
            except (BrokenPipeError, ValueError, OSError):
                pass

        threading.Thread(target=feed, daemon=True, name="aplay-feed").start()
        while proc.poll() is None:
            if stop.wait(0.02):
                proc.kill()
                proc.wait()
                return True
        return proc.returncode == 0
