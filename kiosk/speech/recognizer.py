"""Speech recognition: the `Recognizer` interface, the vosk implementation and a scripted twin.

vosk facts this module relies on (see DESIGN.md):
- a model is loaded from an explicit directory only; `Model(lang=...)` downloads or exits;
- grammar JSON must be dumped with `ensure_ascii=False` (escaped Chinese is silently ignored);
- words missing from the model vocabulary are silently dropped from a grammar, so every word is
  checked with `vosk_model_find_word` and missing ones are reported once;
- results are space-separated words (`{"text": "一 三 八"}`), as the dialogue engine expects.

vosk 0.3.45 has no API for endpoint delays (its model.conf ends a segment after 0.5 s of
silence, far too early for slow, pausing speakers). So this module keeps feeding audio across
vosk's segment boundaries and decides the end of the answer itself: after `end_silence_s` of
trailing silence once speech has begun, or at `max_utterance_s`.
"""
from __future__ import annotations

import collections
import json
import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Protocol, runtime_checkable

from kiosk.errors import KioskError
from kiosk.speech.audio import SAMPLE_RATE, AudioSource, rms

log = logging.getLogger(__name__)

UNK = "[unk]"


class ModelUnavailable(KioskError):
    """The vosk model directory is missing or broken; the message says how to fix it."""

    code = "model_unavailable"


@dataclass(frozen=True)
class RecognitionResult:
    """One recognised answer: space-separated words, mean word confidence 0..1, final or not."""

    text: str
    confidence: float
    final: bool = True


@dataclass
class Endpointing:
    """When an answer is over. Defaults are tuned for slow speakers who pause between digits."""

    end_silence_s: float = 1.2        # trailing silence that ends an answer (no completeness test)
    # VoiceXML's completetimeout / incompletetimeout: with the field kind's end-of-speech test,
    # a pause ends the answer quickly once the words make a complete answer, and only after a
    # long pause while they do not (11 of 18 ID digits: the resident is still reading).
    complete_silence_s: float = 0.3
    incomplete_silence_s: float = 2.5
    max_utterance_s: float = 20.0     # an ID number read slowly takes ~15 s
    no_speech_timeout_s: float = 8.0  # nobody spoke: give the screen back (touch still works)
    chunk_s: float = 0.1
    min_rms: float = 300.0            # int16 level below which a chunk is silence...
    noise_factor: float = 3.0         # ...or below this multiple of the measured noise floor


# Trailing silence that ends an answer, per field type. One-word answers (是/不是, a choice)
# end sooner so the read-back comes quickly; digit strings and names allow pauses between
# groups ("一三八，零零一三，八零零零").
_SHORT, _MEDIUM, _LONG = 0.6, 1.0, 1.2
_END_SILENCE = {
    "yes_no": _SHORT, "consent": _SHORT, "choice": _SHORT,
    "multi_choice": _MEDIUM, "integer": _MEDIUM, "date": _MEDIUM, "address": _MEDIUM,
    "phone": _LONG, "id_number": _LONG, "name": _LONG, "text": _LONG,
}


def end_silence_for(field_type) -> float:
    """Seconds of trailing silence that end an answer to a field of this type."""
    key = getattr(field_type, "value", field_type)
    return _END_SILENCE.get(str(key), _LONG)


@runtime_checkable
class Recognizer(Protocol):
    """Turns one spoken answer into text."""

    def listen(self, grammar: list[str] | None, source: AudioSource,
               cancel: threading.Event | None = None) -> RecognitionResult:
        """Read `source` until the answer ends; `grammar` None means free text."""

    def check_vocabulary(self, phrases: Iterable[str]) -> list[str]:
        """Words of `phrases` the recognizer cannot hear (empty when all are known)."""


def grammar_json(phrases: Iterable[str], unk: bool = True) -> str:
    """A vosk grammar: the phrases (deduplicated, order kept) plus "[unk]", Chinese unescaped.

    "[unk]" lets vosk say "none of these" instead of forcing the nearest phrase; pass
    unk=False for a model without an [unk] word (vosk would only log a warning).
    """
    out: list[str] = []
    for p in phrases:
        p = " ".join(p.split())
        if p and p not in out:
            out.append(p)
    if unk and UNK not in out:
        out.append(UNK)
    return json.dumps(out, ensure_ascii=False)


def result_from_vosk(segments: list[dict]) -> tuple[str, float]:
    """Join vosk result segments into text and a confidence.

    "[unk]" words are dropped from the text but count as confidence 0, so an answer that was
    mostly outside the grammar comes back with low confidence and the engine asks again.
    """
    words: list[str] = []
    confs: list[float] = []
    for seg in segments:
        detail = seg.get("result")
        if detail:
            for w in detail:
                if w.get("word") == UNK:
                    confs.append(0.0)
                else:
                    words.append(w["word"])
                    confs.append(float(w.get("conf", 0.0)))
        elif seg.get("text"):
            for w in seg["text"].split():
                if w == UNK:
                    confs.append(0.0)
                else:
                    words.append(w)
                    confs.append(1.0)
    if not confs:
        return "", 0.0
    return " ".join(words), sum(confs) / len(confs)


def _valid_model_dir(path: Path) -> str | None:
    """None when `path` looks like a vosk model, else what is wrong."""
    if not path.is_dir():
        return f"no speech model at {path}"
    if not (path / "am" / "final.mdl").is_file():
        return f"{path} is not a vosk model (am/final.mdl missing)"
    if not (path / "conf" / "model.conf").is_file():
        return f"{path} is not a vosk model (conf/model.conf missing)"
    return None


def load_model(path: str | Path):
    """Load a vosk model from an explicit directory (never by language: that downloads or exits)."""
    path = Path(path)
    problem = _valid_model_dir(path)
    if problem:
        raise ModelUnavailable(f"{problem}; install it with `kiosk model install --zip FILE`")
    try:
        import vosk
    except (ImportError, OSError) as err:
        raise ModelUnavailable(f"the vosk library cannot be loaded: {err}") from err
    vosk.SetLogLevel(-1)
    try:
        return vosk.Model(model_path=str(path))
    except Exception as err:  # vosk raises a bare Exception("Failed to create a model")
        raise ModelUnavailable(f"speech model at {path} is broken ({err}); reinstall it") from err


class VoskRecognizer:
    """vosk (Kaldi) recognition with runtime grammars and slow-speaker endpointing."""

    def __init__(self, model_path: str | Path, endpointing: Endpointing | None = None, *, model=None):
        self.model_path = Path(model_path)
        self.model = model if model is not None else load_model(self.model_path)
        self.endpointing = endpointing or Endpointing()
        self._reported: set[str] = set()
        self._known: dict[str, bool] = {}
        self._recognizers: collections.OrderedDict[str, object] = collections.OrderedDict()
        self._lock = threading.Lock()

    # --- vocabulary -------------------------------------------------------------------------
    def knows(self, word: str) -> bool:
        """True when `word` is in the model vocabulary."""
        if word not in self._known:
            self._known[word] = self.model.vosk_model_find_word(word) >= 0
        return self._known[word]

    def check_vocabulary(self, phrases: Iterable[str]) -> list[str]:
        """Words the model does not know, in first-seen order; each is logged once per recognizer."""
        missing: list[str] = []
        for phrase in phrases:
            for word in phrase.split():
                if word != UNK and not self.knows(word) and word not in missing:
                    missing.append(word)
        new = [w for w in missing if w not in self._reported]
        if new:
            self._reported.update(new)
            # Grammar words are field vocabulary (digits, choices, commands), not personal data.
            log.warning("speech model %s does not know %d grammar word(s): %s",
                        self.model_path.name, len(new), " ".join(new))
        return missing

    def usable_phrases(self, phrases: Iterable[str]) -> list[str]:
        """The phrases whose every word the model knows (vosk would silently mangle the others)."""
        phrases = list(phrases)
        missing = set(self.check_vocabulary(phrases))
        return [p for p in phrases if not (set(p.split()) & missing)]

    # --- decoding ---------------------------------------------------------------------------
    def _recognizer(self, grammar: list[str] | None):
        import vosk

        key = "" if grammar is None else grammar_json(self.usable_phrases(grammar), unk=self.knows(UNK))
        with self._lock:
            rec = self._recognizers.pop(key, None)
            if rec is None:
                rec = (vosk.KaldiRecognizer(self.model, SAMPLE_RATE, key) if key
                       else vosk.KaldiRecognizer(self.model, SAMPLE_RATE))
                rec.SetWords(True)
            else:
                rec.Reset()
            self._recognizers[key] = rec
            while len(self._recognizers) > 16:  # a handful of fields are active at once
                self._recognizers.popitem(last=False)
        return rec

    def listen(self, grammar: list[str] | None, source: AudioSource,
               cancel: threading.Event | None = None, on_partial=None,
               end_silence_s: float | None = None, complete=None) -> RecognitionResult:
        """Decode one answer from `source`; returns final=False when cancelled.

        `end_silence_s` overrides the trailing silence for this answer (see end_silence_for).
        `complete(words_so_far) -> bool` (the field kind's end_of_speech): the answer ends after
        `complete_silence_s` of pause once it holds, after `incomplete_silence_s` while not.
        """
        ep = self.endpointing
        end_silence = ep.end_silence_s if end_silence_s is None else end_silence_s
        judged = complete is not None and end_silence_s is None
        rec = self._recognizer(grammar)
        frames = int(ep.chunk_s * SAMPLE_RATE)
        segments: list[dict] = []
        heard = 0.0            # seconds of audio consumed
        speech_start = None    # when speech began (audio time)
        silence_run = 0.0
        noise: list[float] = []
        last_partial = ""
        self.last_endpoint_at = None  # perf_counter at the endpoint decision (benchmarks)
        self.last_endpoint_audio_s = None  # audio time of that decision (benchmarks)
        self.last_complete = None     # whether the words were judged complete at the end
        while True:
            if cancel is not None and cancel.is_set():
                rec.Reset()
                return RecognitionResult("", 0.0, final=False)
            chunk = source.read(frames)
            if not chunk:
                break
            dur = len(chunk) / (2 * SAMPLE_RATE)
            heard += dur
            if rec.AcceptWaveform(chunk):
                segments.append(json.loads(rec.Result()))
            elif on_partial is not None:
                partial = json.loads(rec.PartialResult()).get("partial", "")
                if partial != last_partial:
                    last_partial = partial
                    on_partial(partial)
            level = rms(chunk)
            # The noise floor is learnt from the quietest early chunks, so a humming fan does
            # not count as speech and a quiet voice in a quiet room still does.
            floor = min(noise) if noise else 0.0
            threshold = max(ep.min_rms, ep.noise_factor * floor)
            if level >= threshold:
                if speech_start is None:
                    speech_start = heard - dur
                silence_run = 0.0
            else:
                if speech_start is None and len(noise) < 10:
                    noise.append(level)
                silence_run += dur
            if speech_start is not None and judged and silence_run > 0:
                # In a pause: is what was said so far already a whole answer?
                so_far = _words_so_far(segments, json.loads(rec.PartialResult()).get("partial", ""))
                self.last_complete = bool(so_far) and bool(complete(so_far))
                end_silence = ep.complete_silence_s if self.last_complete else ep.incomplete_silence_s
            if speech_start is None:
                if heard >= ep.no_speech_timeout_s:
                    break
            elif silence_run >= end_silence or heard - speech_start >= ep.max_utterance_s:
                break
        self.last_endpoint_at = time.perf_counter()
        self.last_endpoint_audio_s = heard
        segments.append(json.loads(rec.FinalResult()))
        text, conf = result_from_vosk(segments)
        return RecognitionResult(text, conf, final=True)


def _words_so_far(segments: list[dict], partial: str) -> str:
    """The words of the finished segments and the current partial, [unk] left out."""
    words = [w for seg in segments for w in seg.get("text", "").split() if w != UNK]
    words += [w for w in partial.split() if w != UNK]
    return " ".join(words)


@dataclass
class ScriptedRecognizer:
    """Returns the given transcripts in order (vosk-shaped: space-separated words).

    Each item is a text or a (text, confidence) pair; when the script runs out it returns an
    empty final result. Records each grammar it was asked with in `grammars`.
    """

    script: list = field(default_factory=list)
    grammars: list = field(default_factory=list)
    vocabulary: set[str] | None = None

    completes: list = field(default_factory=list)

    def listen(self, grammar, source=None, cancel=None, on_partial=None,
               end_silence_s=None, complete=None) -> RecognitionResult:
        """The next scripted transcript (`complete`, the end-of-speech test, is recorded)."""
        self.grammars.append(grammar)
        self.completes.append(complete)
        if cancel is not None and cancel.is_set():
            return RecognitionResult("", 0.0, final=False)
        if not self.script:
            return RecognitionResult("", 0.0, final=True)
        item = self.script.pop(0)
        text, conf = item if isinstance(item, tuple) else (item, 1.0)
        return RecognitionResult(text, conf, final=True)

    def check_vocabulary(self, phrases: Iterable[str]) -> list[str]:
        """Unknown words when a vocabulary was given, else none."""
        if self.vocabulary is None:
            return []
        missing: list[str] = []
        for p in phrases:
            for w in p.split():
                if w not in self.vocabulary and w != UNK and w not in missing:
                    missing.append(w)
        return missing
