"""Smaller hardening: private file modes, the scratch directory for read-back audio, YAML limits
(alias bomb), bounded lockout settings, store errors on stderr with --json output kept valid."""
from __future__ import annotations

import io
import json
import math
import os
import stat
import uuid

import pytest

from kiosk.cli import main
from kiosk.config import ConfigError, StaffSettings, load_settings
from kiosk.safeyaml import YamlTooBig, expanded_nodes, load_yaml
from kiosk.store import Draft, ScryptParams, SqliteStore

SECRET = "hardening-tests-Hq2Xv9Lp7"

# The 630-byte "billion laughs" from the attack report: 9 levels of 9 aliases (~387 million nodes).
BOMB = "\n".join(
    ["a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]"]
    + [f"{c}: &{c} [{','.join(['*' + p] * 9)}]" for p, c in zip("abcdefgh", "bcdefghi", strict=True)]) + "\n"


def mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_store_files_are_private(tmp_path):
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path / "data")})
    assert mode(settings.data_dir) == 0o700
    store = SqliteStore(settings.db_path, "K01", secret=SECRET, kdf=ScryptParams(n=2 ** 10))
    store.submit(Draft(uuid.uuid4().hex, "repair", {"name": "王建国"}, {"name"}))
    files = [p for p in settings.data_dir.iterdir() if p.name.startswith("kiosk.db")]
    assert {p.name for p in files} >= {"kiosk.db", "kiosk.db-wal", "kiosk.db-shm", "kiosk.db.guard"}
    assert {p.name: mode(p) for p in files} == {p.name: 0o600 for p in files}
    store.close()


def test_scratch_directory_is_private_and_emptied_at_start(tmp_path, monkeypatch):
    import kiosk.scratch as scratch

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    monkeypatch.setattr(scratch, "_chosen", None)
    d = scratch.scratch_dir()
    assert d == tmp_path / "kiosk" and mode(d) == 0o700
    (d / "kiosk-tts-left-by-a-crash.wav").write_bytes(b"RIFF....WAVE")
    (d / "nested").mkdir()
    assert scratch.clean_scratch() == 2 and list(d.iterdir()) == []
    # A directory of that name open to others is never used.
    monkeypatch.setattr(scratch, "_chosen", None)
    os.chmod(d, 0o777)
    other = scratch.scratch_dir()
    assert other != d and mode(other) == 0o700


def test_tts_read_back_goes_through_the_scratch_directory(tmp_path, monkeypatch):
    import kiosk.scratch as scratch
    from kiosk.speech.tts import Synthesizer

    not_a_dir = tmp_path / "plain-file"
    not_a_dir.write_text("")
    monkeypatch.setattr(scratch, "scratch_dir", lambda: not_a_dir)   # nowhere else would fail like this
    with pytest.raises(OSError):
        Synthesizer("cmn-latn-pinyin", 130).render_bytes("您好")


def test_alias_bomb_is_refused_before_it_expands(tmp_path, capsys):
    assert len(BOMB.encode()) < 700
    with pytest.raises(YamlTooBig):
        load_yaml(BOMB)
    with pytest.raises(YamlTooBig):
        expanded_nodes(BOMB)
    assert load_yaml("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}   # ordinary aliases still work
    assert expanded_nodes("a: &x [1, 2]\nb: *x\n") == 9     # map, 2 keys, 2 lists of 3
    with pytest.raises(YamlTooBig):
        load_yaml("k: " + "x" * 2_000_000)
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text(BOMB)
    assert main(["forms", "check", str(bomb)]) == 1
    assert "alias" in capsys.readouterr().out


@pytest.mark.parametrize("field,value", [
    ("lockout_s", 0), ("lockout_s", -5), ("lockout_s", math.nan), ("lockout_s", math.inf),
    ("max_pin_attempts", 0), ("max_pin_attempts", -1), ("max_pin_attempts", 10 ** 6),
    ("idle_logout_s", math.inf),
])
def test_staff_lockout_settings_are_bounded(field, value):
    with pytest.raises(ValueError):
        StaffSettings(**{field: value})


def test_bad_lockout_from_the_environment_stops_start_up(tmp_path):
    for text in ("nan", "inf", "0", "-1"):
        with pytest.raises(ConfigError) as err:
            load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_STAFF__LOCKOUT_S": text})
        assert "lockout_s" in str(err.value)


def test_store_errors_go_to_stderr_and_json_stays_valid(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KIOSK_STAFF_SECRET", raising=False)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("sys.stdin", io.StringIO("是\n"))
    code = main(["console", "repair_request", "--json"])
    out, err = capsys.readouterr()
    assert code != 0 and "no_secret" in err
    assert all(json.loads(line) is not None for line in out.splitlines())
    (tmp_path / "kiosk.db").write_bytes(b"garbage, not SQLite\n" * 100)
    assert main(["store", "check"]) != 0
    out, err = capsys.readouterr()
    assert out == "" and "[corrupt]" in err


@pytest.mark.parametrize("kwargs", [{"lockout_s": 0}, {"lockout_s": -1}, {"lockout_s": math.nan},
                                    {"lockout_s": math.inf}, {"max_attempts": 0}, {"max_attempts": 10 ** 6}])
def test_pin_vault_refuses_unbounded_lockout(tmp_path, kwargs):
    from kiosk.staff.pin import PinVault
    from kiosk.store import Database

    db = Database(tmp_path / "k.db")
    with pytest.raises(ValueError):
        PinVault(db, **kwargs)
    db.close()
