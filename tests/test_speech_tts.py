"""Speaking: real espeak-ng through the pyttsx3 worker, the prompt cache, playback, watchdog."""
from __future__ import annotations

import io
import subprocess
import sys
import textwrap
import threading
import time
import wave
from pathlib import Path

import pytest

from kiosk.speech.cache import PromptCache, cache_key, fixed_prompts, has_placeholders
from kiosk.speech.faults import SpeechFaults, speech_faults
from kiosk.speech.playback import Clip, Player, load_clip, scale_volume
from kiosk.speech.speaker import Pyttsx3Speaker, RecordingSpeaker, SilentSpeaker
from kiosk.speech.tts import (
    NoAudio,
    SynthesisError,
    Synthesizer,
    VoiceUnavailable,
    check_audio,
)
from kiosk.voices import say

REPO = Path(__file__).resolve().parent.parent
NULL_ALSA = "pcm.!default { type null }\nctl.!default { type hw card 0 }\n"
NO_CARD_ALSA = "pcm.!default { type hw card 99 }\nctl.!default { type hw card 99 }\n"


@pytest.fixture(autouse=True)
def null_alsa(tmp_path_factory, monkeypatch):
    """No sound card here: ALSA's default device is a null sink for this process and children."""
    conf = tmp_path_factory.getbasetemp() / "null-alsa.conf"
    conf.write_text(NULL_ALSA)
    monkeypatch.setenv("ALSA_CONFIG_PATH", str(conf))
    return conf


@pytest.fixture(scope="module")
def synth():
    s = Synthesizer("cmn-latn-pinyin", 130)
    s.start()
    yield s
    s.close()


def wav_info(data: bytes) -> tuple[int, int, int, float]:
    with wave.open(io.BytesIO(data)) as w:
        return w.getframerate(), w.getnchannels(), w.getsampwidth(), w.getnframes() / w.getframerate()


def test_mandarin_voice_renders_22k_mono_16bit(synth):
    rate, channels, width, seconds = wav_info(synth.render_bytes(say("speech.sound_check")))
    assert (rate, channels, width) == (22050, 1, 2)
    # 17 characters at the slow default rate: a few seconds, not a blip and not English spelling.
    assert 2.0 < seconds < 12.0


def test_worker_selected_the_pinyin_voice(synth):
    assert synth.start().lower().endswith("cmn-latn-pinyin")


def test_longer_text_gives_longer_audio(synth):
    short = wav_info(synth.render_bytes("您好"))[3]
    long = wav_info(synth.render_bytes("您好，请说一下您的手机号码，一位一位地说就可以。"))[3]
    assert long > 2 * short


def test_spaced_digits_take_a_syllable_each(synth):
    # The engine spaces IDs and phones (render.spoken()); eleven spaced digits are eleven
    # syllables, read slowly enough for an older listener to follow.
    one = wav_info(synth.render_bytes("1"))[3]
    spaced = wav_info(synth.render_bytes("1 3 8 0 0 1 3 8 0 0 0"))[3]
    assert spaced > 3.0 and spaced > 2 * one


def test_slower_rate_gives_longer_audio():
    fast, slow = Synthesizer("cmn-latn-pinyin", 220), Synthesizer("cmn-latn-pinyin", 90)
    try:
        fast.start(), slow.start()
        text = "请点一下您要办的事。"
        assert wav_info(slow.render_bytes(text))[3] > 1.3 * wav_info(fast.render_bytes(text))[3]
    finally:
        fast.close(), slow.close()


def test_unknown_voice_is_a_startup_error_not_english():
    s = Synthesizer("xx-no-such-voice", 130)
    try:
        with pytest.raises(VoiceUnavailable, match="xx-no-such-voice"):
            s.start()
    finally:
        s.close()
    with pytest.raises(VoiceUnavailable):
        Pyttsx3Speaker("xx-no-such-voice", 130).start()


def test_render_bytes_leaves_no_file_behind(synth, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    synth.render_bytes("您的手机号码是 1 3 8")
    assert list(tmp_path.iterdir()) == []


# --- watchdog -----------------------------------------------------------------------------

HANGING_WORKER = textwrap.dedent("""
    import json, sys, time
    for line in sys.stdin:
        req = json.loads(line)
        if "text" not in req:
            print(json.dumps({"ok": True, "voice": "fake"}), flush=True)
        else:
            time.sleep(60)
""")
DYING_WORKER = textwrap.dedent("""
    import json, sys
    for line in sys.stdin:
        req = json.loads(line)
        if "text" not in req:
            print(json.dumps({"ok": True, "voice": "fake"}), flush=True)
        else:
            sys.exit(3)
""")


@pytest.mark.parametrize("script,what", [(HANGING_WORKER, "hung"), (DYING_WORKER, "exited")])
def test_watchdog_replaces_a_hung_or_dead_engine(tmp_path, script, what):
    worker = tmp_path / "worker.py"
    worker.write_text(script)
    s = Synthesizer(timeout_s=0.5, per_char_s=0.0, worker_cmd=[sys.executable, str(worker)])
    try:
        s.start()
        first = s.pid
        with pytest.raises(SynthesisError, match=what):
            s.render("您好", tmp_path / "a.wav")
        assert s.restarts == 1
        assert s.pid is not None and s.pid != first
        assert s.start() == "fake"  # the replacement answers
    finally:
        s.close()


def test_speaker_carries_on_when_the_engine_hangs(tmp_path):
    worker = tmp_path / "worker.py"
    worker.write_text(HANGING_WORKER)
    synth = Synthesizer(timeout_s=0.3, per_char_s=0.0, worker_cmd=[sys.executable, str(worker)])
    sp = Pyttsx3Speaker(cache=PromptCache(tmp_path / "cache"), synth=synth).start()
    done = threading.Event()
    try:
        sp.speak("您好", on_done=done.set)
        assert done.wait(10), "on_done must still come so the screen moves on"
        assert synth.restarts == 1
    finally:
        sp.close()


# --- cache --------------------------------------------------------------------------------

def test_cache_key_depends_on_text_voice_and_rate():
    base = cache_key("您好", "cmn-latn-pinyin", 130)
    assert base == cache_key("您好", "cmn-latn-pinyin", 130)
    assert len({base, cache_key("您好。", "cmn-latn-pinyin", 130),
                cache_key("您好", "cmn", 130), cache_key("您好", "cmn-latn-pinyin", 131)}) == 4


def test_placeholders_detected():
    assert has_placeholders("您说的是{answer}，对吗？")
    assert not has_placeholders("您好，欢迎。")


def test_fixed_prompts_cover_catalogue_and_forms():
    from kiosk.catalogue.loader import load_catalogue
    from kiosk.config import REPO_DIR
    from kiosk.voices import catalogue

    texts = fixed_prompts(REPO_DIR / "forms")
    assert say("welcome") in texts
    assert not any(has_placeholders(t) for t in texts)
    templates = [t for t in catalogue().values() if has_placeholders(t)]
    assert templates and not set(templates) & set(texts)
    forms = load_catalogue(REPO_DIR / "forms").forms
    forms = list(forms.values()) if isinstance(forms, dict) else list(forms)
    assert forms
    for form in forms:
        assert form.intro in texts
        assert all(f.prompt in texts for f in form.fields)
        assert all(f.help in texts for f in form.fields if f.help)
    assert len(texts) == len(set(texts))


def test_build_renders_keeps_and_prunes(synth, tmp_path):
    cache = PromptCache(tmp_path, "cmn-latn-pinyin", 130)
    rep = cache.build(["您好", "请坐"], synth)
    assert (rep.rendered, rep.kept, rep.pruned) == (2, 0, 0)
    first = cache.get("您好")
    assert first is not None and wav_info(first.read_bytes())[0] == 22050
    rep = cache.build(["您好", "请稍等"], synth)  # one text changed
    assert (rep.rendered, rep.kept, rep.pruned) == (1, 1, 1)
    assert cache.get("请坐") is None and cache.get("请稍等") is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [cache.path_for("您好").name, cache.path_for("请稍等").name])


def test_voices_build_command(tmp_path, monkeypatch, capsys):
    from kiosk.cli import main
    from kiosk.config import load_settings

    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n')
    # Every 40th fixed prompt, rendered for real: the list is the one test_fixed_prompts_cover_
    # catalogue_and_forms proves complete, so the file names show the command renders from it.
    build = ["--config", str(cfg), "voices", "build", "--cache-dir", str(tmp_path / "c"), "--every", "40"]
    assert main(build) == 0
    texts = fixed_prompts(REPO / "forms")[::40]
    assert len(texts) >= 10
    sp = load_settings(cfg).speech
    cache = PromptCache(tmp_path / "c", sp.voice, sp.rate)
    assert sorted(p.name for p in (tmp_path / "c").glob("*.wav")) == sorted(cache.path_for(t).name for t in texts)
    for text in texts:
        rate, channels, _, seconds = wav_info(cache.path_for(text).read_bytes())
        assert (rate, channels) == (22050, 1) and seconds > 0.3, text
    capsys.readouterr()
    assert main(build) == 0                                 # a second build keeps them all
    assert f"{len(texts)} prompts: 0 rendered, {len(texts)} already cached" in capsys.readouterr().out


# --- playback and the speaker -------------------------------------------------------------

PLAY_SNIPPET = textwrap.dedent("""
    import sys, threading
    from kiosk.speech.playback import Clip, Player
    clip = Clip(b"\\x00\\x10" * 22050, 22050, 1, 2)
    p = Player(volume=0.5)
    print(p.play(clip, threading.Event()), p.first_audio_at is not None)
""")


def _play_in_child(alsa_conf: Path) -> str:
    env = {"ALSA_CONFIG_PATH": str(alsa_conf), "PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", PLAY_SNIPPET], env=env, capture_output=True,
                         text=True, timeout=60, cwd=REPO)
    assert out.returncode == 0, out.stderr
    return out.stdout.split()


def test_playback_reaches_the_null_device(null_alsa):
    assert _play_in_child(null_alsa) == ["True", "True"]


def test_playback_without_sound_card_fails_soft(tmp_path):
    conf = tmp_path / "nocard.conf"
    conf.write_text(NO_CARD_ALSA)
    assert _play_in_child(conf)[0] == "False"


def test_volume_scales_samples():
    pcm = b"\x00\x10\x00\xf0"  # 4096, -4096
    assert scale_volume(pcm, 0.5) == b"\x00\x08\x00\xf8"
    assert scale_volume(pcm, 1.0) == pcm


class SlowPlayer(Player):
    """Plays in real time (or `speed` times faster) into nothing, so stop() can be observed."""

    def __init__(self, speed: float = 1.0):
        super().__init__()
        self.played: list[float] = []
        self.speed = speed

    def play(self, clip: Clip, stop: threading.Event) -> bool:
        self.first_audio_at = time.perf_counter()
        t = 0.0
        while t < clip.duration_s:
            if stop.wait(0.02):
                break
            t += 0.02 * self.speed
        self.played.append(t)
        return True


@pytest.fixture()
def speaker(tmp_path):
    cache = PromptCache(tmp_path / "cache", "cmn-latn-pinyin", 130)
    sp = Pyttsx3Speaker("cmn-latn-pinyin", 130, cache=cache, player=SlowPlayer()).start()
    yield sp
    sp.close()


@pytest.fixture()
def quick_speaker(tmp_path):
    """The speaker with a player 20 times faster than real time (tests not about stopping)."""
    cache = PromptCache(tmp_path / "cache", "cmn-latn-pinyin", 130)
    sp = Pyttsx3Speaker("cmn-latn-pinyin", 130, cache=cache, player=SlowPlayer(speed=20)).start()
    yield sp
    sp.close()


def test_speaker_uses_cache_for_fixed_prompts_and_synth_for_readbacks(quick_speaker):
    speaker = quick_speaker
    speaker.cache.build(["您好"], speaker.synth)
    done = threading.Event()
    speaker.speak("您好", on_done=done.set)
    assert done.wait(10) and speaker.last_source == "cache"
    done.clear()
    speaker.speak("您说的是 1 3 8，对吗？", on_done=done.set)
    assert done.wait(10) and speaker.last_source == "synth"
    assert speaker.wait_idle(5) and not speaker.is_speaking


def test_stop_interrupts_and_skips_on_done(speaker):
    called = threading.Event()
    speaker.speak("您好，欢迎来到社区服务中心。请点一下您要办的事，也可以直接说出来。", on_done=called.set)
    deadline = time.monotonic() + 5
    while not speaker.player.first_audio_at and time.monotonic() < deadline:
        time.sleep(0.01)
    assert speaker.is_speaking
    speaker.stop()
    assert speaker.wait_idle(2)
    assert not called.is_set()
    assert speaker.player.played[-1] < 2.0  # the clip is ~8 s long


def test_new_speak_replaces_the_current_one(speaker):
    first, second = threading.Event(), threading.Event()
    speaker.speak("您好，欢迎来到社区服务中心。请点一下您要办的事。", on_done=first.set)
    time.sleep(0.2)
    speaker.speak("好", on_done=second.set)
    assert second.wait(10)
    assert not first.is_set()


def test_speak_does_not_block_the_caller(speaker):
    t = time.perf_counter()
    speaker.speak("您好，欢迎来到社区服务中心。请点一下您要办的事。")
    returned = time.perf_counter() - t
    assert speaker.is_speaking
    speaker.stop()
    assert returned < 1.0  # the clip is several seconds: speak() only queued it


def test_recording_and_silent_twins():
    rec, done = RecordingSpeaker(), []
    rec.speak("一", on_done=lambda: done.append(1))
    rec.speak("二")
    rec.stop()
    assert rec.said == ["一", "二"] and done == [1] and rec.stops == 1 and not rec.is_speaking
    silent = SilentSpeaker()
    silent.speak("三", on_done=lambda: done.append(2))
    assert silent.said == [] and done == [1, 2]


def test_make_speaker_from_settings(tmp_path):
    from kiosk.config import Settings, SpeechSettings
    from kiosk.speech import make_speaker

    assert isinstance(make_speaker(Settings(data_dir=tmp_path, speech=SpeechSettings(speaker="silent"))),
                      SilentSpeaker)
    with pytest.raises(VoiceUnavailable):
        make_speaker(Settings(data_dir=tmp_path, speech=SpeechSettings(voice="zz-missing")))


def test_load_clip_reads_cached_file(synth, tmp_path):
    path = synth.render(say("speech.listening"), tmp_path / "x.wav")
    clip = load_clip(path)
    assert clip.rate == 22050 and clip.channels == 1 and clip.width == 2 and clip.duration_s > 1


# --- a render that produced no audio is a failure (issue 9 item 2) --------------------------

EMPTY_FILE_WORKER = textwrap.dedent("""
    import json, sys
    for line in sys.stdin:
        req = json.loads(line)
        if "text" not in req:
            print(json.dumps({"ok": True, "voice": "fake"}), flush=True)
        else:
            open(req["path"], "wb").close()  # says ok, wrote nothing
            print(json.dumps({"ok": True, "path": req["path"]}), flush=True)
""")


def test_espeak_render_of_only_punctuation_is_no_audio(synth):
    # espeak-ng turns "。" into half a second of digital silence: nothing a resident hears.
    before = synth.silent_renders
    with pytest.raises(NoAudio):
        synth.render_bytes("。")
    assert synth.silent_renders == before + 1
    assert synth.render_bytes("您好")  # a real text still renders afterwards


def test_worker_that_leaves_the_file_empty_is_a_failure(tmp_path):
    worker = tmp_path / "worker.py"
    worker.write_text(EMPTY_FILE_WORKER)
    s = Synthesizer(timeout_s=5, worker_cmd=[sys.executable, str(worker)])
    try:
        s.start()
        with pytest.raises(NoAudio, match="no audio"):
            s.render_bytes("您好")
        assert s.silent_renders == 1
    finally:
        s.close()


def test_check_audio_rejects_empty_invalid_and_silent_wavs():
    def wav(frames: bytes) -> bytes:
        out = io.BytesIO()
        with wave.open(out, "wb") as w:
            w.setnchannels(1), w.setsampwidth(2), w.setframerate(22050)
            w.writeframes(frames)
        return out.getvalue()

    assert check_audio(b"") == "an empty file"
    assert check_audio(b"RIFF....not a wav") == "not a valid WAV file"
    assert check_audio(wav(b"")) == "no audio frames"
    assert check_audio(wav(b"\x00\x00" * 22050)) == "only silence"
    assert check_audio(wav(b"\x00\x10\x00\xf0" * 2000)) is None


def test_speaker_keeps_going_logs_and_counts_a_silent_render(tmp_path, caplog):
    worker = tmp_path / "worker.py"
    worker.write_text(EMPTY_FILE_WORKER)
    synth = Synthesizer(timeout_s=5, worker_cmd=[sys.executable, str(worker)])
    faults = SpeechFaults(tmp_path / "data" / "speech-faults.json")
    sp = Pyttsx3Speaker(cache=PromptCache(tmp_path / "cache"), synth=synth, player=SlowPlayer(),
                        faults=faults).start()
    done = threading.Event()
    try:
        with caplog.at_level("WARNING"):
            sp.speak("您的手机号码是 1 3 9 0 0 0 0 1 2 3 4", on_done=done.set)
            assert done.wait(10), "the screen moves on with its text"
        assert sp.player.played == []  # nothing was played
        assert SpeechFaults(faults.path).counts() == {"no_audio": 1}
        assert "no audio" in caplog.text
        assert "1 3 9" not in caplog.text  # never the text itself
    finally:
        sp.close()


def test_doctor_shows_the_silent_render_count(tmp_path):
    from kiosk import doctor
    from kiosk.config import Settings

    settings = Settings(data_dir=tmp_path / "data")
    assert doctor.check_voice(settings).status == doctor.OK
    faults = speech_faults(settings)
    faults.record("no_audio")
    faults.record("no_audio")
    check = doctor.check_voice(settings)
    assert check.status == doctor.WARN
    assert "2 spoken texts produced no audio" in check.detail
