"""The stroke test set: 100 common name characters as strokes, and top-k accuracy on it.

The set (tests/data/handwriting/name_chars.json) holds each character's stroke medians from
Make Me a Hanzi (via the npm package hanzi-writer-data 2.0.1): centre lines of the strokes of
the Arphic KaitiM GB / UKai font outlines, in standard stroke order, y pointing down in a
1024 box. That is neat writing; `loosen()` makes a seeded "written by hand" variant (the
whole character scaled, slanted and shifted, each stroke moved, each point wobbled) so the
figures also cover untidy input. Used by the tests and `kiosk bench ui`.
"""
from __future__ import annotations

import json
import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.handwriting.recognizer import HandwritingRecognizer

STROKE_SET = Path(__file__).resolve().parents[2] / "tests" / "data" / "handwriting" / "name_chars.json"
SET_BOX = 1024

Strokes = list[list[tuple[float, float]]]


def load(path: Path = STROKE_SET) -> dict[str, Strokes]:
    """Character -> strokes (lists of (x, y), y down, in a 1024 box), in the file's order."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {ch: [[(float(x), float(y)) for x, y in stroke] for stroke in strokes]
            for ch, strokes in data["characters"].items()}


def loosen(strokes: Sequence[Sequence[tuple[float, float]]], rng: random.Random) -> Strokes:
    """The same character as an unsteady hand might write it (deterministic for a seeded rng)."""
    sx, sy, slant = rng.uniform(0.8, 1.2), rng.uniform(0.8, 1.2), rng.uniform(-0.15, 0.15)
    out = []
    for stroke in strokes:
        dx, dy = rng.gauss(0, 15), rng.gauss(0, 15)
        out.append([(x * sx + slant * y + dx + rng.gauss(0, 6), y * sy + dy + rng.gauss(0, 6))
                    for x, y in stroke])
    return out


@dataclass
class Accuracy:
    """How many characters of a set came back among the first k candidates."""

    k: int
    hits: int = 0
    total: int = 0
    misses: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """hits / total (0 for an empty set)."""
        return self.hits / self.total if self.total else 0.0


def accuracy(recognizer: HandwritingRecognizer, samples: dict[str, Strokes], k: int = 5,
             boost: str = "") -> Accuracy:
    """Top-k accuracy of the recogniser on the samples."""
    acc = Accuracy(k)
    for ch, strokes in samples.items():
        got = [c.char for c in recognizer.classify(strokes, SET_BOX, SET_BOX, n=k, boost=boost)]
        acc.total += 1
        if ch in got:
            acc.hits += 1
        else:
            acc.misses.append(ch)
    return acc


def loosened(samples: dict[str, Strokes], seed: int = 1) -> dict[str, Strokes]:
    """Every sample loosened with one seeded generator (the same set on every run)."""
    rng = random.Random(seed)
    return {ch: loosen(strokes, rng) for ch, strokes in samples.items()}
