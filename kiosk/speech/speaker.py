"""Speaking prompts: the `Speaker` interface, the pyttsx3 implementation and silent twins.

Pyttsx3Speaker never blocks its caller (the Kivy UI thread): `speak` hands the text to a
playback thread that takes cached audio from voices/cache/ when there is some and otherwise
renders it in the synthesis worker process (see tts.py for the watchdog and the pyttsx3
quirks). `stop()` (a tap, or the resident starting to answer) cuts the prompt off within one
50 ms audio block. Text comes in already shaped for speech (digits spaced by the engine's
render.spoken()); the only rewrite is pronounce(): tone-numbered pinyin where espeak-ng would
misread a character (the screen's copy is never touched).
"""
from __future__ import annotations

import logging
import queue
import threading
import time
from typing import Callable, Protocol, runtime_checkable

from kiosk.speech.cache import PromptCache
from kiosk.speech.faults import SpeechFaults
from kiosk.speech.playback import Clip, Player, load_clip
from kiosk.speech.pronounce import pronounce
from kiosk.speech.tts import NoAudio, SynthesisError, Synthesizer, VoiceUnavailable

log = logging.getLogger(__name__)

OnDone = Callable[[], None] | None


@runtime_checkable
class Speaker(Protocol):
    """Says one text at a time; a new `speak` replaces the current one."""

    def speak(self, text: str, on_done: OnDone = None) -> None:
        """Start saying `text`; `on_done()` runs (on a worker thread) when it has been said."""

    def stop(self) -> None:
        """Cut the current text off; its on_done is not called."""

    @property
    def is_speaking(self) -> bool:
        """True while audio is being produced."""


class RecordingSpeaker:
    """Says nothing, remembers every text, and reports done at once (tests, demo kiosk)."""

    def __init__(self) -> None:
        self.said: list[str] = []
        self.rates: list[float] = []      # the rate factor each text was said at
        self.stops = 0
        self.rate_factor = 1.0
        self.volume = 1.0

    def speak(self, text: str, on_done: OnDone = None, rate_factor: float | None = None) -> None:
        """Record `text` and call on_done immediately."""
        self.said.append(text)
        self.rates.append(self.rate_factor if rate_factor is None else rate_factor)
        if on_done is not None:
            on_done()

    def set_rate_factor(self, factor: float) -> None:
        """Remember the rate (a multiple of the configured one)."""
        self.rate_factor = factor

    def set_volume(self, volume: float) -> None:
        """Remember the loudness."""
        self.volume = volume

    def stop(self) -> None:
        """Count the stop."""
        self.stops += 1

    @property
    def is_speaking(self) -> bool:
        """Never speaking."""
        return False

    def close(self) -> None:
        """Nothing to release."""


class SilentSpeaker(RecordingSpeaker):
    """A speaker for kiosks with speech output switched off; keeps no record."""

    def speak(self, text: str, on_done: OnDone = None, rate_factor: float | None = None) -> None:
        """Call on_done immediately."""
        if on_done is not None:
            on_done()


class Pyttsx3Speaker:
    """espeak-ng speech via pyttsx3 in a worker process, played from a background thread."""

    def __init__(self, voice: str = "cmn-latn-pinyin", rate: int = 130, volume: float = 1.0, *,
                 cache: PromptCache | None = None, player: Player | None = None,
                 synth: Synthesizer | None = None, faults: SpeechFaults | None = None):
        self.faults = faults               # counts on disk for `kiosk doctor` (None: not counted)
        self.synth = synth or Synthesizer(voice, rate)
        self.base_rate = self.synth.rate
        self.rate_factor = 1.0
        self.cache = cache if cache is not None else PromptCache(voice=voice, rate=rate)
        self.player = player or Player(volume=volume)
        self._jobs: queue.Queue = queue.Queue()
        self._stop = threading.Event()
        self._speaking = threading.Event()
        self._generation = 0
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self.voice_id: str | None = None
        # Latency of the last utterance, for benchmarks: speak() call to first audio block.
        self.last_first_audio_s: float | None = None
        self.last_source: str | None = None  # "cache" or "synth"

    def start(self) -> "Pyttsx3Speaker":
        """Start the engine and check the voice (raises VoiceUnavailable: a start-up error)."""
        self.voice_id = self.synth.start()
        self._thread = threading.Thread(target=self._run, daemon=True, name="speaker")
        self._thread.start()
        return self

    def speak(self, text: str, on_done: OnDone = None, rate_factor: float | None = None) -> None:
        """Queue `text`, replacing whatever is being said; `rate_factor` for this text only."""
        if self._thread is None:
            raise RuntimeError("Pyttsx3Speaker.start() was not called")
        rate = round(self.base_rate * (self.rate_factor if rate_factor is None else rate_factor))
        with self._lock:
            self._generation += 1
            self._stop.set()  # cut off the current text; the thread clears it for the new one
            self._speaking.set()
            self._jobs.put((self._generation, text, on_done, time.perf_counter(), rate))

    def set_rate_factor(self, factor: float) -> None:
        """The resident's rate: a multiple of the configured rate, for the texts said from now."""
        self.rate_factor = factor

    def set_volume(self, volume: float) -> None:
        """The resident's loudness (above 1.0 is gain with saturation)."""
        self.player.volume = volume

    def stop(self) -> None:
        """Interrupt the current text and forget queued ones."""
        with self._lock:
            self._generation += 1
            self._stop.set()

    @property
    def is_speaking(self) -> bool:
        """True from speak() until the audio ends or is stopped."""
        return self._speaking.is_set()

    def wait_idle(self, timeout: float = 30.0) -> bool:
        """Block until nothing is queued or playing (tests, command line)."""
        deadline = time.monotonic() + timeout
        while self.is_speaking:
            if time.monotonic() > deadline:
                return False
            time.sleep(0.01)
        return True

    def clip_for(self, text: str, rate: int | None = None) -> Clip:
        """Audio for `text` at `rate` (default: the configured rate): cached, else rendered now."""
        rate = self.base_rate if rate is None else rate
        cached = self.cache.get(text, rate) if self.cache is not None else None
        if cached is not None:
            self.last_source = "cache"
            return load_clip(cached)
        self.last_source = "synth"
        return load_clip(self.synth.render_bytes(pronounce(text), rate))

    def _run(self) -> None:
        while True:
            job = self._jobs.get()
            if job is None:
                return
            generation, text, on_done, asked_at, rate = job
            with self._lock:
                if generation != self._generation:  # superseded or stopped before it began
                    if self._jobs.empty():
                        self._speaking.clear()
                    continue
                self._stop.clear()
            finished = False
            try:
                clip = self.clip_for(text, rate)
                if not self._stop.is_set():
                    self.player.play(clip, self._stop)
                    if self.player.first_audio_at is not None:
                        self.last_first_audio_s = self.player.first_audio_at - asked_at
                    finished = not self._stop.is_set()
            except (SynthesisError, VoiceUnavailable, OSError, EOFError) as err:
                # The screen still shows the text; move on. The message names the fault, never
                # the text (a read-back holds personal data).
                log.warning("prompt not spoken: %s", err)
                self._count("no_audio" if isinstance(err, NoAudio) else "not_spoken")
                finished = not self._stop.is_set()
            finally:
                with self._lock:
                    if self._jobs.empty():
                        self._speaking.clear()
            if finished and on_done is not None:
                try:
                    on_done()
                except Exception:  # a UI callback error must not kill the speaker thread
                    log.exception("on_done callback failed")

    def _count(self, kind: str) -> None:
        if self.faults is not None:
            self.faults.record(kind)

    def close(self) -> None:
        """Stop speaking and end the worker process."""
        self.stop()
        self._jobs.put(None)
        self.synth.close()
