"""Text to WAV through the pyttsx3 worker process, with a watchdog that replaces a hung engine.

`Synthesizer.start()` verifies the voice (an unknown or missing voice raises VoiceUnavailable
at start-up, never a silent switch to English). `render(text, path)` writes a WAV file; when the
worker does not answer within its time limit it is killed and restarted and SynthesisError is
raised, so the caller can carry on with the screen text alone.
"""
from __future__ import annotations

import array
import io
import json
import logging
import os
import queue
import subprocess
import sys
import tempfile
import threading
import time
import wave
from pathlib import Path

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

WORKER_CMD = [sys.executable, "-m", "kiosk.speech.tts_worker"]


class VoiceUnavailable(KioskError):
    """The configured voice is not installed or the speech engine cannot start."""

    code = "voice_unavailable"


class SynthesisError(KioskError):
    """One text could not be rendered (the engine hung, crashed or refused)."""

    code = "synthesis"


class NoAudio(SynthesisError):
    """The engine answered ok but the file holds no audible audio (empty, invalid or silent)."""


# A render whose loudest sample stays below this (int16) is silence, not speech: espeak-ng
# writes 0.5 s of digital zeros for a text of only punctuation.
AUDIBLE_PEAK = 64


def check_audio(data: bytes) -> str | None:
    """None when `data` is a WAV file with audible frames, else what is wrong with it."""
    if not data:
        return "an empty file"
    try:
        with wave.open(io.BytesIO(data)) as w:
            width, frames = w.getsampwidth(), w.readframes(w.getnframes())
    except (wave.Error, EOFError, ValueError):
        return "not a valid WAV file"
    if not frames:
        return "no audio frames"
    if width == 2:
        samples = array.array("h", frames[: len(frames) // 2 * 2])
        if sys.byteorder == "big":
            samples.byteswap()
        peak = max(max(samples), -min(samples)) if samples else 0
    else:  # espeak-ng writes int16; any other width: judge the raw bytes
        peak = AUDIBLE_PEAK if any(frames) else 0
    return None if peak >= AUDIBLE_PEAK else "only silence"


class Synthesizer:
    """A pyttsx3 worker process with a watchdog. Thread-safe: requests are serialised."""

    def __init__(self, voice: str = "cmn-latn-pinyin", rate: int = 130, *,
                 timeout_s: float = 5.0, per_char_s: float = 0.05, worker_cmd: list[str] | None = None):
        self.voice = voice
        self.rate = rate
        self.timeout_s = timeout_s
        self.per_char_s = per_char_s   # long texts get longer before the watchdog fires
        self.worker_cmd = worker_cmd or WORKER_CMD
        self.restarts = 0
        self.silent_renders = 0        # renders that "succeeded" with no audible audio
        self._proc: subprocess.Popen | None = None
        self._replies: queue.Queue = queue.Queue()
        self._lock = threading.Lock()

    # --- process management ---------------------------------------------------------------
    def _spawn(self) -> None:
        env = dict(os.environ)
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
        self._proc = subprocess.Popen(
            self.worker_cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            text=True, encoding="utf-8", bufsize=1, env=env,
        )
        self._replies = queue.Queue()
        threading.Thread(target=self._pump, args=(self._proc, self._replies), daemon=True,
                         name="tts-reader").start()

    @staticmethod
    def _pump(proc: subprocess.Popen, replies: queue.Queue) -> None:
        for line in proc.stdout:
            try:
                replies.put(json.loads(line))
            except ValueError:
                log.debug("tts worker said something that is not JSON")
        replies.put(None)  # the worker exited

    def _kill(self) -> None:
        if self._proc is not None:
            self._proc.kill()
            try:
                self._proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                pass
            self._proc = None

    @property
    def pid(self) -> int | None:
        """The worker's process id (changes when the watchdog restarts it)."""
        return self._proc.pid if self._proc else None

    def _ask(self, request: dict, timeout: float) -> dict:
        """Send one request and wait for its reply; restart the worker when it hangs or dies."""
        if self._proc is None or self._proc.poll() is not None:
            self._spawn()
        try:
            self._proc.stdin.write(json.dumps(request, ensure_ascii=False) + "\n")
            self._proc.stdin.flush()
            reply = self._replies.get(timeout=timeout)
        except (OSError, queue.Empty):
            reply = "timeout"
        if reply == "timeout" or reply is None:
            what = "hung" if reply == "timeout" else "exited"
            self._kill()
            self.restarts += 1
            log.warning("speech engine %s; restarted it (restart %d)", what, self.restarts)
            self._spawn()
            raise SynthesisError(f"speech engine {what}")
        return reply

    # --- public API -----------------------------------------------------------------------
    def start(self) -> str:
        """Start the worker and verify the voice; returns espeak-ng's voice id."""
        with self._lock:
            try:
                # First start imports pyttsx3 and espeak-ng: allow more time than a render.
                reply = self._ask({"voice": self.voice, "rate": self.rate}, self.timeout_s + 10)
            except SynthesisError as err:
                raise VoiceUnavailable(f"speech engine would not start: {err}") from err
        if not reply.get("ok"):
            raise VoiceUnavailable(
                f"{reply.get('error')}. Install espeak-ng (apt-get install espeak-ng) or set "
                f"[speech] voice in kiosk.toml to an installed voice (espeak-ng --voices=cmn)"
            )
        return reply["voice"]

    def render(self, text: str, path: str | Path, rate: int | None = None) -> Path:
        """Write `text` as a WAV file at `path` (22050 Hz mono int16 from espeak-ng).

        `rate` (words per minute) overrides the configured rate for this text only.
        """
        req = {"text": text, "path": str(path), "voice": self.voice,
               "rate": self.rate if rate is None else int(rate)}
        with self._lock:
            reply = self._ask(req, self.timeout_s + self.per_char_s * len(text))
        if not reply.get("ok"):
            if reply.get("voice_missing"):
                raise VoiceUnavailable(reply.get("error"))
            if reply.get("no_audio"):
                self.silent_renders += 1
                raise NoAudio(reply.get("error"))
            raise SynthesisError(reply.get("error"))
        try:
            problem = check_audio(Path(path).read_bytes())
        except OSError:
            problem = "no file written"
        if problem:
            # The worker said ok, but a resident would hear nothing: a failure, never "spoken".
            self.silent_renders += 1
            raise NoAudio(f"speech engine produced no audio ({problem})")
        return Path(path)

    def render_bytes(self, text: str, rate: int | None = None) -> bytes:
        """The WAV file bytes for `text`, through a private temporary file removed at once
        (read-backs can contain personal data and must not stay on disk)."""
        from kiosk.scratch import scratch_dir

        fd, tmp = tempfile.mkstemp(suffix=".wav", prefix="kiosk-tts-", dir=scratch_dir())
        os.close(fd)
        try:
            self.render(text, tmp, rate)
            return Path(tmp).read_bytes()
        finally:
            try:
                os.unlink(tmp)
            except OSError:
                pass

    def close(self) -> None:
        """Stop the worker."""
        with self._lock:
            if self._proc is not None:
                try:
                    self._proc.stdin.close()
                    self._proc.wait(timeout=2)
                except (OSError, subprocess.TimeoutExpired):
                    pass
                self._kill()


def wait_ready(synth: Synthesizer, attempts: int = 3, pause_s: float = 0.2) -> str:
    """start() with a few retries (a cold machine may be slow to load espeak-ng data)."""
    last: Exception | None = None
    for _ in range(attempts):
        try:
            return synth.start()
        except VoiceUnavailable as err:
            last = err
            if "not installed" in str(err):
                break
            time.sleep(pause_s)
    raise last  # type: ignore[misc]
