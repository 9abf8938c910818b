"""Handwritten characters to candidates: the zinnia engine with the Simplified Chinese model.

`HandwritingRecognizer.classify(strokes, width, height)` takes the strokes as drawn (lists of
(x, y) points, y pointing down, in a width x height pad) and returns `Candidate`s, most likely
first. Two things happen around the engine:

- the writing is scaled to fill a 1000 x 1000 box (aspect kept, 10% margin): elders write
  small in a corner or large across the pad, and the model was trained on centred writing
  (measured on the 100 name characters of strokeset.py: top-5 86 -> 87 neat, 86 -> 88 loose);
- among near-equal scores the commoner character comes first: a small bonus for GB2312
  level-1 characters (the 3,755 常用字) and a larger one for characters the caller names in
  `boost` (common surnames while a name is empty, given-name characters after), so 王 beats
  a rare look-alike when the engine cannot tell them apart, but never a clearly better match
  (top-5 on the name set 88 -> 90 with the name boost; top-1 77 -> 81).

A missing library or model is a `HandwritingStatus` with ok=False and a reason, never an
exception at start-up: the kiosk then simply offers no 手写 key.
"""
from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KioskError
from kiosk.handwriting.zinnia import ZinniaError, ZinniaModel, load_library

log = logging.getLogger(__name__)

DEFAULT_MODEL = "/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"
INSTALL_HINT = "apt-get install libzinnia0 tegaki-zinnia-simplified-chinese"
BOX = 1000                 # the engine's coordinate box
MARGIN = 0.1
ENGINE_NBEST = 30          # asked of the engine, so re-ranking has near-misses to promote
BOOST_BONUS = 0.2          # zinnia scores of a clear match are ~1.0, a runner-up ~0; see module doc
COMMON_BONUS = 0.05

Stroke = Sequence[tuple[float, float]]


@dataclass(frozen=True)
class Candidate:
    """One character the writing may be; `score` is the engine's score plus the commonness bonus."""

    char: str
    score: float


@dataclass(frozen=True)
class HandwritingStatus:
    """Whether handwriting can be offered, and what was found (for `kiosk doctor`)."""

    ok: bool
    library: str
    model: str
    detail: str
    characters: int = 0


class HandwritingUnavailable(KioskError):
    """The zinnia library or the model cannot be used; the message says which and why."""

    code = "handwriting_unavailable"


def _level1(ch: str) -> bool:
    """A GB2312 level-1 character (the 3,755 most common, first byte 0xB0-0xD7)."""
    try:
        b = ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return len(b) == 2 and 0xB0 <= b[0] <= 0xD7


def normalise(strokes: Sequence[Stroke], pad: float = BOX) -> list[list[tuple[int, int]]]:
    """Scale and centre the writing into the engine's box, keeping its aspect (a dot stays a dot).

    `pad` is the smaller side of the writing pad: ink smaller than a third of it is scaled as
    if it were that big, so a lone 丶 is not blown up into a long stroke.
    """
    points = [p for s in strokes for p in s]
    if not points:
        return []
    xs = [p[0] for p in points]
    ys = [p[1] for p in points]
    x0, x1, y0, y1 = min(xs), max(xs), min(ys), max(ys)
    span = max(x1 - x0, y1 - y0, pad / 3, 1e-6)
    scale = BOX * (1 - 2 * MARGIN) / span
    cx, cy = (x0 + x1) / 2, (y0 + y1) / 2
    return [[(round((x - cx) * scale + BOX / 2), round((y - cy) * scale + BOX / 2)) for x, y in s]
            for s in strokes if s]


class HandwritingRecognizer:
    """The zinnia engine with one model; `classify` is safe to call from a worker thread."""

    def __init__(self, model_path: str = DEFAULT_MODEL):
        self.model_path = str(model_path)
        try:
            lib, self.library = load_library()
        except ZinniaError as err:
            raise HandwritingUnavailable(f"{err}; {INSTALL_HINT}") from err
        if not Path(self.model_path).is_file():
            raise HandwritingUnavailable(f"model file {self.model_path} not found; {INSTALL_HINT}")
        try:
            self._model = ZinniaModel(lib, self.model_path)
        except ZinniaError as err:
            raise HandwritingUnavailable(str(err)) from err
        self._lock = threading.Lock()
        self.characters = self._model.size()
        if self.characters == 0:
            raise HandwritingUnavailable(f"model {self.model_path} knows no characters")

    def classify(self, strokes: Sequence[Stroke], width: float = BOX, height: float = BOX,
                 n: int = 10, boost: str = "") -> list[Candidate]:
        """Up to n candidates for the strokes, most likely (then commonest) first; [] for no ink.

        width/height are the pad's size (the ink's own box decides the scale; see normalise).
        """
        ink = normalise(strokes, min(width, height))
        if not ink or n <= 0:
            return []
        started = time.perf_counter()
        with self._lock:
            raw = self._model.classify(ink, BOX, BOX, max(n, ENGINE_NBEST))
        ranked = sorted(
            (Candidate(ch, score + (BOOST_BONUS if ch in boost else 0.0)
                       + (COMMON_BONUS if _level1(ch) else 0.0)) for ch, score in raw),
            key=lambda c: -c.score)
        log.debug("classified %d strokes in %.1f ms", len(ink), (time.perf_counter() - started) * 1000)
        return ranked[:n]

    def close(self) -> None:
        """Free the model."""
        self._model.close()


def probe(model_path: str = DEFAULT_MODEL) -> HandwritingStatus:
    """Load the library and model and recognise a built-in 十; never raises."""
    try:
        rec = HandwritingRecognizer(model_path)
    except HandwritingUnavailable as err:
        return HandwritingStatus(False, "", str(model_path), str(err))
    try:
        got = [c.char for c in rec.classify([[(100, 500), (900, 500)], [(500, 100), (500, 900)]], n=5)]
    except ZinniaError as err:
        return HandwritingStatus(False, rec.library, rec.model_path, str(err), rec.characters)
    finally:
        rec.close()
    if "十" not in got:
        return HandwritingStatus(False, rec.library, rec.model_path,
                                 f"model does not recognise a drawn 十 (got {''.join(got)}): wrong language?",
                                 rec.characters)
    return HandwritingStatus(True, rec.library, rec.model_path, f"{rec.characters} characters", rec.characters)


_shared_lock = threading.Lock()
_shared: dict[str, HandwritingRecognizer | HandwritingUnavailable] = {}


def shared(model_path: str = DEFAULT_MODEL) -> HandwritingRecognizer | None:
    """One recogniser per model for the whole process (None, logged once, when unavailable)."""
    key = str(model_path)
    with _shared_lock:
        if key not in _shared:
            try:
                _shared[key] = HandwritingRecognizer(key)
            except HandwritingUnavailable as err:
                log.warning("handwriting input off: %s", err)
                _shared[key] = err
        got = _shared[key]
    return got if isinstance(got, HandwritingRecognizer) else None
