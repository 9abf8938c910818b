"""`kiosk doctor`: one line per part of the kiosk (OK / WARN / FAIL) with the fix for staff.

FAIL means the kiosk cannot serve residents properly (no voice, no font, storage not
writable, printer port missing); WARN means it works in a reduced way (touch-only without a
speech model or microphone, demo staff secret). The command exits 1 when anything FAILs.
"""
from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

OK, WARN, FAIL = "OK", "WARN", "FAIL"
WQY_FONT = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")


@dataclass
class Check:
    """One line of the report."""

    name: str
    status: str
    detail: str
    fix: str = ""

    def line(self) -> str:
        """`[WARN] model: ... -> fix`."""
        text = f"[{self.status:<4}] {self.name:<10} {self.detail}"
        return f"{text}\n{'':18}fix: {self.fix}" if self.fix else text


def check_voice(settings) -> Check:
    """The configured voice can be started and renders audio."""
    sp = settings.speech
    if sp.speaker == "silent":
        return Check("voice", WARN, "speech output switched off ([speech] speaker = \"silent\")",
                     "set [speech] speaker = \"pyttsx3\" so every screen is read aloud")
    from kiosk.speech.tts import SynthesisError, Synthesizer, VoiceUnavailable

    synth = Synthesizer(sp.voice, sp.rate)
    try:
        vid = synth.start()
        audio = synth.render_bytes("您好")  # a Mandarin word through the real engine
    except VoiceUnavailable as err:
        return Check("voice", FAIL, str(err),
                     "apt-get install espeak-ng; keep [speech] voice = \"cmn-latn-pinyin\"")
    except SynthesisError as err:
        return Check("voice", FAIL, f"speech engine failed: {err}", "reinstall espeak-ng and pyttsx3")
    finally:
        synth.close()
    detail = f"{vid}, rate {sp.rate}, volume {sp.volume:g} ({len(audio):,} bytes for a test word)"
    from kiosk.speech.faults import speech_faults

    faults = speech_faults(settings)
    silent = faults.counts().get("no_audio", 0)
    if silent:
        return Check("voice", WARN, f"{detail}; {silent} spoken texts produced no audio since {faults.since()}",
                     "residents saw those screens without hearing them: look for \"produced no audio\" "
                     f"in the kiosk log; delete {faults.path} to start counting again")
    return Check("voice", OK, detail)


def check_model(settings) -> Check:
    """The vosk model loads and knows the core answer words."""
    if settings.speech.recognizer == "none":
        return Check("model", WARN, "speech answers switched off: touch-only",
                     "set [speech] recognizer = \"vosk\" and install the model")
    from kiosk.speech.recognizer import ModelUnavailable, VoskRecognizer

    path = settings.model_path
    install = f"kiosk model install --zip vosk-model-small-cn-0.22.zip (installs to {path})"
    try:
        rec = VoskRecognizer(path)
    except ModelUnavailable as err:
        return Check("model", WARN, f"touch-only: {err}", install)
    words = _core_words()
    missing = rec.check_vocabulary(words) if words else []
    if words and len(missing) == len(set(" ".join(words).split())):
        return Check("model", FAIL, f"model at {path} knows none of the Mandarin answer words "
                     "(wrong language?)", install)
    if missing:
        return Check("model", WARN, f"{path.name}: {len(missing)} answer word(s) not in vocabulary: "
                     + " ".join(missing[:10]), "those words can only be answered by touch")
    return Check("model", OK, f"{path}")


def _core_words() -> list[str]:
    """Digits, yes/no and command words the engine listens for (empty if unavailable)."""
    try:
        from kiosk.dialogue import understand
    except ImportError:
        return []
    words: list[str] = []
    for name in ("DIGIT_WORDS", "YES_WORDS", "NO_WORDS", "COMMAND_WORDS"):
        value = getattr(understand, name, None)
        if isinstance(value, dict):
            words.extend(str(k) for k in value)
        elif value:
            words.extend(str(w) for w in value)
    return words


def check_microphone(settings) -> Check:
    """An input device exists."""
    from kiosk.speech import make_microphone

    if settings.speech.microphone == "none":
        return Check("microphone", WARN, "microphone switched off: touch-only",
                     "set [speech] microphone = \"sounddevice\" and plug in a USB microphone")
    mic, why = make_microphone(settings)
    if mic is None:
        return Check("microphone", WARN, f"touch-only: {why}",
                     "plug in a USB microphone, check `arecord -l`, restart the kiosk")
    name = getattr(mic, "device_name", "?")
    mic.close()
    return Check("microphone", OK, name)


def check_printer(settings) -> Check:
    """The configured receipt printer can be reached."""
    pr = settings.printer
    if pr.type == "memory":
        return Check("printer", WARN, "receipts are not printed ([printer] type = \"memory\")",
                     "set [printer] type = \"serial\" and port for a receipt printer")
    if pr.type == "preview":
        return Check("printer", WARN, "receipts are saved as PNG previews, not printed",
                     "set [printer] type = \"serial\" and port for a receipt printer")
    port = Path(pr.port)
    if not port.exists():
        return Check("printer", FAIL, f"serial port {pr.port} does not exist",
                     "plug in the printer cable, check `ls /dev/ttyUSB* /dev/ttyACM*`, set [printer] port")
    try:
        import serial

        with serial.Serial(pr.port, pr.baudrate, timeout=1, write_timeout=1):
            pass
    except Exception as err:  # SerialException, PermissionError
        return Check("printer", FAIL, f"cannot open {pr.port}: {err}",
                     "add the kiosk user to the dialout group, or close whatever holds the port")
    return Check("printer", OK, f"{pr.port} at {pr.baudrate} baud")


def check_font(settings) -> Check:
    """A Simplified Chinese font is available."""
    configured = settings.ui.font_path
    if configured:
        if Path(configured).is_file():
            return Check("font", OK, configured)
        return Check("font", FAIL, f"font_path {configured} does not exist",
                     "fix [ui] font_path or apt-get install fonts-wqy-microhei")
    if WQY_FONT.is_file():
        return Check("font", OK, str(WQY_FONT))
    if shutil.which("fc-match"):
        out = subprocess.run(["fc-match", "-f", "%{file}", ":lang=zh-cn"],
                             capture_output=True, text=True, timeout=10).stdout.strip()
        if out and Path(out).is_file() and ("wqy" in out.lower() or "cjk" in out.lower()):
            return Check("font", WARN, f"using {out}", "apt-get install fonts-wqy-microhei (tested face)")
    return Check("font", FAIL, "no Simplified Chinese font: screens would show boxes",
                 "apt-get install fonts-wqy-microhei")


def check_storage(settings) -> Check:
    """Disk (writable, free space), database (quick_check, demo store) and that the configured
    staff secret really opens the stored key (kiosk.store.health.doctor_storage)."""
    from kiosk.store.health import doctor_storage

    status, detail, fix = doctor_storage(settings)
    return Check("storage", status, detail, fix)


def check_idcard(settings) -> Check:
    """The ID card reader answers and its SAM is ready (kiosk/idcard/health.py)."""
    from kiosk.idcard.health import reader_check

    return reader_check(settings)


def check_handwriting(settings) -> Check:
    """The handwriting recogniser (zinnia library + model) loads and reads a drawn 十."""
    from kiosk.handwriting import probe

    status = probe(settings.ui.handwriting_model)
    if status.ok:
        return Check("handwriting", OK, f"{status.library}, {status.model} ({status.detail})")
    return Check("handwriting", WARN, f"no 手写 key (pinyin keyboard only): {status.detail}",
                 "apt-get install libzinnia0 tegaki-zinnia-simplified-chinese, or fix [ui] handwriting_model")


def check_sync(settings) -> Check:
    """[sync]: https (or this machine), a token, and the central answering (kiosk/sync/health.py)."""
    from kiosk.sync.health import sync_check

    status, detail, fix = sync_check(settings)
    return Check("sync", status, detail, fix)


CHECKS: tuple[Callable, ...] = (check_voice, check_model, check_microphone, check_printer,
                                check_font, check_storage, check_idcard, check_handwriting, check_sync)


def run_checks(settings) -> list[Check]:
    """Every check; a crashing check is a FAIL line, never a crash."""
    out = []
    for check in CHECKS:
        try:
            out.append(check(settings))
        except Exception as err:
            out.append(Check(check.__name__.removeprefix("check_"), FAIL,
                             f"check crashed: {type(err).__name__}: {err}", "report this to the kiosk supplier"))
    return out


def report(checks: list[Check]) -> tuple[str, int]:
    """The printed report and the exit code (1 when anything FAILed)."""
    text = "\n".join(c.line() for c in checks)
    return text, 1 if any(c.status == FAIL for c in checks) else 0
