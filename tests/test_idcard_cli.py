"""`kiosk idcard test`, the doctor line and the bench, against the simulator on a socat pty."""
from __future__ import annotations

import argparse
import shutil

import pytest

from kiosk.config import load_settings
from kiosk.doctor import OK, WARN, check_idcard
from kiosk.idcard.card import card_fields
from kiosk.idcard.commands import register
from kiosk.idcard.simulator import simulated_reader
from kiosk.idcard.twin import demo_card

pytestmark = pytest.mark.skipif(shutil.which("socat") is None, reason="Debian socat is not installed")


def run_cli(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--config")
    register(parser.add_subparsers())
    args = parser.parse_args(["idcard", *argv])
    return args.func(args)


def settings_for(tmp_path, **idcard):
    env = {"KIOSK_DATA_DIR": str(tmp_path)}
    env.update({f"KIOSK_IDCARD__{k.upper()}": str(v) for k, v in idcard.items()})
    return load_settings(environ=env), env


def test_idcard_test_prints_masked_fields_only(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    assert run_cli("test", "--simulate", "valid", "--wait", "3") == 0
    out = capsys.readouterr().out
    card = demo_card()
    assert "SAM: ready 05.01-" in out
    assert "张**" in out and card.tail in out
    for secret in (card.name, card.id_number, card.address, "08-10"):
        assert secret not in out


@pytest.mark.parametrize("scenario, code", [("expired", "expired"), ("check_digit", "check_digit"),
                                            ("removed", "removed"), ("garbage", "unreadable")])
def test_idcard_test_explains_a_failed_read(tmp_path, monkeypatch, capsys, scenario, code):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    assert run_cli("test", "--simulate", scenario, "--wait", "3") == 1
    out = capsys.readouterr().out
    assert f"no card read: {code}" in out
    assert "请您直接说" in out or "直接说" in out


def test_idcard_test_without_a_reader(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KIOSK_IDCARD__TYPE", raising=False)
    assert run_cli("test") == 1
    assert "no ID card reader configured" in capsys.readouterr().out


def test_doctor_reports_port_and_sam_id(tmp_path):
    with simulated_reader(card_fields(demo_card())) as (host, _sim):
        settings, _ = settings_for(tmp_path, type="ga467", port=host)
        check = check_idcard(settings)
    assert check.status == OK
    assert host in check.detail and "SAM 05.01-20260101-0000000001-0000000042 ready" in check.detail


def test_doctor_warns_on_a_sam_fault_and_a_missing_port(tmp_path):
    with simulated_reader(None, "sam_fault") as (host, _sim):
        settings, _ = settings_for(tmp_path, type="ga467", port=host)
        check = check_idcard(settings)
    assert check.status == WARN and "sam_fault" in check.detail and "power-cycle" in check.fix
    settings, _ = settings_for(tmp_path, type="ga467", port=tmp_path / "ttyUSB9")
    check = check_idcard(settings)
    assert check.status == WARN and "does not exist" in check.detail
    settings, _ = settings_for(tmp_path)
    assert check_idcard(settings).status == OK


def test_bench_measures_a_read_through_the_pty(tmp_path):
    from kiosk.bench import idcard

    settings, _ = settings_for(tmp_path)
    times = idcard.core_times(settings, 2)      # raises when a read gives no fields
    assert len(times) == 2 and all(t > 0 for t in times)
    assert idcard._answer_bytes() == 11 + 4 + 11 + 8 + 11 + 4 + 256 + 1024   # find, select, read answers
