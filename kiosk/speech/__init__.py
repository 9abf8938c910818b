"""Speaking (pyttsx3/espeak-ng) and listening (vosk) for the kiosk, behind small interfaces.

Composition helpers used by the app:
    speaker = make_speaker(settings)                  # raises VoiceUnavailable: start-up error
    recognizer, why = make_recognizer(settings)       # None + reason -> touch-only
    mic, why = make_microphone(settings)              # None + reason -> touch-only
Heavy libraries (vosk, sounddevice, pyttsx3) are imported only when used.
"""
from __future__ import annotations

import logging

from kiosk.speech.audio import (
    AudioSource,
    MicUnavailable,
    SoundDeviceMic,
    WavFileSource,
)
from kiosk.speech.listening import ListeningLoop
from kiosk.speech.recognizer import (
    Endpointing,
    ModelUnavailable,
    RecognitionResult,
    Recognizer,
    ScriptedRecognizer,
    VoskRecognizer,
    end_silence_for,
    grammar_json,
)
from kiosk.speech.speaker import (
    Pyttsx3Speaker,
    RecordingSpeaker,
    SilentSpeaker,
    Speaker,
)
from kiosk.speech.tts import SynthesisError, VoiceUnavailable

log = logging.getLogger(__name__)

__all__ = [
    "AudioSource", "Endpointing", "MicUnavailable", "ModelUnavailable", "Pyttsx3Speaker",
    "RecognitionResult", "Recognizer", "RecordingSpeaker", "ScriptedRecognizer", "SilentSpeaker",
    "SoundDeviceMic", "Speaker", "SynthesisError", "VoiceUnavailable", "VoskRecognizer",
    "WavFileSource", "ListeningLoop", "end_silence_for", "grammar_json", "make_microphone", "make_recognizer", "make_speaker",
]


def make_speaker(settings) -> Speaker:
    """The configured speaker, started; an unusable voice raises VoiceUnavailable."""
    sp = settings.speech
    if sp.speaker == "silent":
        return SilentSpeaker()
    from kiosk.speech.cache import PromptCache
    from kiosk.speech.faults import speech_faults

    return Pyttsx3Speaker(sp.voice, sp.rate, sp.volume,
                          cache=PromptCache(voice=sp.voice, rate=sp.rate),
                          faults=speech_faults(settings)).start()


def make_recognizer(settings) -> tuple[Recognizer | None, str]:
    """The vosk recognizer, or None and the reason the kiosk is touch-only (never raises)."""
    if settings.speech.recognizer == "none":
        return None, "speech answers are switched off ([speech] recognizer = \"none\")"
    try:
        return VoskRecognizer(settings.model_path), ""
    except ModelUnavailable as err:
        log.warning("touch-only: %s", err)
        return None, str(err)
    except Exception as err:  # anything else from a native library: still touch-only
        log.exception("speech recognizer failed to start")
        return None, f"speech recognizer failed to start: {err}"


def make_microphone(settings) -> tuple[AudioSource | None, str]:
    """The microphone, or None and the reason (never raises)."""
    if settings.speech.microphone == "none":
        return None, "microphone switched off ([speech] microphone = \"none\")"
    try:
        return SoundDeviceMic(), ""
    except MicUnavailable as err:
        log.warning("touch-only: %s", err)
        return None, f"{err}; plug in a USB microphone and restart the kiosk"
