"""Audio input: 16 kHz mono int16 chunks from a microphone or a WAV file, behind one interface.

The recognizer only ever calls `read(frames)`; the listening loop calls `pause()` while the
kiosk speaks (so the kiosk never hears itself) and `resume()` when it listens again.
No numpy here: WAV conversion uses the standard `array` module.
"""
from __future__ import annotations

import array
import logging
import math
import queue
import sys
import threading
import time
import wave
from pathlib import Path
from typing import Protocol, runtime_checkable

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

SAMPLE_RATE = 16000
SAMPLE_WIDTH = 2  # int16


class MicUnavailable(KioskError):
    """No usable microphone (no PortAudio, no input device, or it would not open)."""

    code = "mic_unavailable"


@runtime_checkable
class AudioSource(Protocol):
    """16 kHz mono int16 audio, read in chunks."""

    sample_rate: int

    def read(self, frames: int) -> bytes:
        """Up to `frames` frames of int16 audio; b'' at the end of the stream."""

    def pause(self) -> None:
        """Stop capturing (the kiosk is about to speak); buffered audio is dropped."""

    def resume(self) -> None:
        """Capture again."""

    def close(self) -> None:
        """Release the device or file."""


def _to_mono16(data: bytes, width: int, channels: int) -> array.array:
    """int16 mono samples from little-endian PCM of width 1, 2 or 4 bytes."""
    if width == 2:
        samples = array.array("h", data)
    elif width == 1:  # unsigned 8-bit
        samples = array.array("h", ((b - 128) << 8 for b in data))
    elif width == 4:
        wide = array.array("i", data)
        if sys.byteorder == "big":
            wide.byteswap()
        samples = array.array("h", (v >> 16 for v in wide))
    else:
        raise ValueError(f"unsupported sample width {width}")
    if width == 2 and sys.byteorder == "big":
        samples.byteswap()
    if channels > 1:
        samples = array.array(
            "h", (sum(samples[i:i + channels]) // channels for i in range(0, len(samples), channels))
        )
    return samples


def resample_linear(samples: array.array, src_rate: int, dst_rate: int) -> array.array:
    """Linear-interpolation resampling of int16 samples (good enough for speech into a recognizer)."""
    if src_rate == dst_rate or not samples:
        return array.array("h", samples)
    n_out = int(len(samples) * dst_rate / src_rate)
    step = src_rate / dst_rate
    last = len(samples) - 1
    out = array.array("h", bytes(2 * n_out))
    for i in range(n_out):
        pos = i * step
        j = int(pos)
        if j >= last:
            out[i] = samples[last]
            continue
        frac = pos - j
        out[i] = int(samples[j] + (samples[j + 1] - samples[j]) * frac)
    return out


def read_wav_16k(path: str | Path) -> bytes:
    """The WAV file as 16 kHz mono int16 little-endian bytes, converting when needed."""
    with wave.open(str(path), "rb") as w:
        rate, width, channels = w.getframerate(), w.getsampwidth(), w.getnchannels()
        raw = w.readframes(w.getnframes())
    if rate == SAMPLE_RATE and width == 2 and channels == 1:
        return raw
    samples = resample_linear(_to_mono16(raw, width, channels), rate, SAMPLE_RATE)
    if sys.byteorder == "big":
        samples.byteswap()
    return samples.tobytes()


def rms(chunk: bytes) -> float:
    """Root-mean-square level of int16 little-endian audio."""
    samples = array.array("h", chunk[: len(chunk) // 2 * 2])
    if sys.byteorder == "big":
        samples.byteswap()
    if not samples:
        return 0.0
    return math.sqrt(sum(s * s for s in samples) / len(samples))


class WavFileSource:
    """A WAV file read through the microphone interface (tests, benchmarks, corpus runs).

    `trailing_silence_s` appends digital silence, as a resident who stops talking would produce;
    `realtime=True` paces reads like a live microphone.
    """

    sample_rate = SAMPLE_RATE

    def __init__(self, path: str | Path | None = None, *, pcm: bytes | None = None,
                 trailing_silence_s: float = 0.0, realtime: bool = False):
        if (path is None) == (pcm is None):
            raise ValueError("give exactly one of path or pcm")
        data = read_wav_16k(path) if path is not None else pcm
        data += bytes(2 * int(trailing_silence_s * SAMPLE_RATE))
        self._data = data
        self._pos = 0
        self._realtime = realtime
        self.paused = False
        self.closed = False

    @property
    def duration_s(self) -> float:
        """Length of the whole stream, silence included."""
        return len(self._data) / (2 * SAMPLE_RATE)

    def read(self, frames: int) -> bytes:
        """The next chunk; b'' at the end."""
        chunk = self._data[self._pos:self._pos + 2 * frames]
        self._pos += len(chunk)
        if self._realtime and chunk:
            time.sleep(len(chunk) / (2 * SAMPLE_RATE))
        return chunk

    def pause(self) -> None:
        """Files keep their place; recorded only so tests can check the loop paused."""
        self.paused = True

    def resume(self) -> None:
        """See pause()."""
        self.paused = False

    def close(self) -> None:
        """Nothing to release."""
        self.closed = True


class SoundDeviceMic:
    """The kiosk microphone through sounddevice (PortAudio), 16 kHz mono int16.

    sounddevice is imported lazily so a machine without PortAudio still starts (touch-only).
    The stream is opened on `resume()` and stopped on `pause()`.
    """

    sample_rate = SAMPLE_RATE

    def __init__(self, device: int | str | None = None, block_frames: int = 1600):
        try:
            import sounddevice as sd
        except (ImportError, OSError) as err:
            raise MicUnavailable(f"sounddevice/PortAudio not usable: {err}") from err
        self._sd = sd
        try:
            info = sd.query_devices(device, kind="input")
        except (sd.PortAudioError, ValueError) as err:
            raise MicUnavailable(f"no microphone found ({err})") from err
        if not info or info.get("max_input_channels", 0) < 1:
            raise MicUnavailable("the selected audio device has no input channels")
        self.device_name = str(info.get("name", "?"))
        self._device = device
        self._block = block_frames
        self._queue: queue.Queue[bytes] = queue.Queue(maxsize=600)  # ~60 s at 0.1 s blocks
        self._buffer = b""
        self._stream = None
        self._lock = threading.Lock()
        self.paused = True

    def _callback(self, indata, frames, time_info, status) -> None:  # PortAudio thread
        if status:
            log.debug("microphone status: %s", status)
        try:
            self._queue.put_nowait(bytes(indata))
        except queue.Full:
            log.warning("microphone buffer overflow; dropping audio")

    def resume(self) -> None:
        """Open (or restart) the input stream."""
        with self._lock:
            if self._stream is None:
                try:
                    self._stream = self._sd.RawInputStream(
                        samplerate=SAMPLE_RATE, channels=1, dtype="int16", device=self._device,
                        blocksize=self._block, callback=self._callback,
                    )
                except Exception as err:  # PortAudioError, OSError
                    raise MicUnavailable(f"microphone would not open: {err}") from err
            self._drain()
            self._stream.start()
            self.paused = False

    def pause(self) -> None:
        """Stop capturing and drop what was buffered (it may contain the kiosk's own voice)."""
        with self._lock:
            if self._stream is not None and self._stream.active:
                self._stream.stop()
            self._drain()
            self.paused = True

    def _drain(self) -> None:
        self._buffer = b""
        while True:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break

    def read(self, frames: int) -> bytes:
        """Block until `frames` frames are captured (or return silence-free b'' when paused)."""
        want = 2 * frames
        while len(self._buffer) < want:
            if self.paused:
                return b""
            try:
                self._buffer += self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
        chunk, self._buffer = self._buffer[:want], self._buffer[want:]
        return chunk

    def close(self) -> None:
        """Close the stream."""
        self.pause()
        with self._lock:
            if self._stream is not None:
                self._stream.close()
                self._stream = None
