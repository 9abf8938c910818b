"""Staff secret: never a silent demo secret, strength, demo stores refused by a real install,
write-only without the secret, change-secret with the old one, secret file, CLI errors on stderr."""
from __future__ import annotations

import io
import stat
import uuid

import pytest

from kiosk.cli import main
from kiosk.config import load_settings
from kiosk.store import DEMO_SECRET, Draft, Keyring, ScryptParams, SqliteStore, StoreError, open_store
from kiosk.store.keyring import generate_secret, secret_problem

STRONG = "Vq3-pL9x_Tz2Rk7mWb4sNc8h"
OTHER = "correct horse battery staple 42"


def settings_for(tmp_path, **env):
    return load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path), **env})


def a_draft() -> Draft:
    return Draft(uuid.uuid4().hex, "repair", {"name": "王建国", "kind": "water"}, {"name"})


@pytest.fixture
def cli_env(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.delenv("KIOSK_STAFF_SECRET", raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_strength_rule():
    assert secret_problem(generate_secret()) is None
    assert secret_problem(STRONG) is None and secret_problem(OTHER) is None
    for weak in ("staff-secret", "x" * 40, "12121212121212121212", DEMO_SECRET, ""):
        assert secret_problem(weak), weak
    assert len({generate_secret() for _ in range(50)}) == 50


def test_a_new_store_needs_a_secret_and_never_falls_back_to_a_demo_one(tmp_path):
    settings = settings_for(tmp_path)
    with pytest.raises(StoreError) as err:
        open_store(settings, environ={})
    assert err.value.code == "no_secret"
    assert "kiosk store new-secret" in err.value.describe() and "工作人员密钥" in err.value.describe()
    with pytest.raises(StoreError) as weak:
        open_store(settings, environ={"KIOSK_STAFF_SECRET": "short-secret"})
    assert weak.value.code == "weak_secret"
    with open_store(settings, environ={"KIOSK_STAFF_SECRET": STRONG}) as store:
        assert store.unlocked and not store.is_demo_store()
        assert not store.keyring.is_demo_secret


def test_an_existing_store_writes_without_the_secret_and_reads_only_with_it(tmp_path):
    settings = settings_for(tmp_path)
    open_store(settings, environ={"KIOSK_STAFF_SECRET": STRONG}).close()
    with open_store(settings, environ={}) as store:           # the unit file holds no secret
        assert not store.unlocked
        sub = store.submit(a_draft())
        with pytest.raises(StoreError) as err:
            store.get_submission(sub.receipt_no)
        assert err.value.code == "locked"
        store.unlock(STRONG)                                 # what a staff-only action does
        assert store.get_submission(sub.receipt_no).answers["name"] == "王建国"


def test_secret_from_a_file_on_a_removable_key(tmp_path):
    key = tmp_path / "usb" / "kiosk-secret"
    key.parent.mkdir()
    key.write_text(STRONG + "\n")
    settings = settings_for(tmp_path, KIOSK_STORE__SECRET_FILE=str(key))
    with open_store(settings, environ={}) as store:
        assert store.unlocked
    key.unlink()                                              # key pulled out: still writes
    with open_store(settings, environ={}) as store:
        assert not store.unlocked
        store.submit(a_draft())


def test_a_demo_store_cannot_be_opened_by_a_real_install(tmp_path):
    demo = settings_for(tmp_path, KIOSK_STORE__DEMO="true")
    with open_store(demo, environ={"KIOSK_STAFF_SECRET": "quick-start"}) as store:   # demo: any secret
        assert store.is_demo_store()
        store.submit(a_draft())
    real = settings_for(tmp_path)
    for env in ({}, {"KIOSK_STAFF_SECRET": "quick-start"}, {"KIOSK_STAFF_SECRET": STRONG}):
        with pytest.raises(StoreError) as err:
            open_store(real, environ=env)
        assert err.value.code == "demo_store"
    with open_store(demo, environ={}) as store:              # the demo itself still runs
        assert store.receipt_numbers()


def test_a_store_wrapped_with_the_old_public_demo_secret_is_refused(tmp_path):
    # What early Quick starts left behind: no demo mark, key wrapped with the public secret.
    SqliteStore(tmp_path / "kiosk.db", "K01", secret=DEMO_SECRET, kdf=ScryptParams(n=2 ** 10)).close()
    with pytest.raises(StoreError) as err:
        open_store(settings_for(tmp_path), environ={"KIOSK_STAFF_SECRET": STRONG})
    assert err.value.code == "demo_store"


def test_cli_errors_go_to_stderr_in_english_and_chinese(cli_env, capsys):
    assert main(["store", "check"]) != 0
    out, err = capsys.readouterr()
    assert out == ""
    assert "no_secret" in err and "no staff secret" in err and "还没有设置工作人员密钥" in err


def test_cli_change_secret_needs_the_old_one_and_adopts_a_demo_store(cli_env, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_STORE__DEMO", "true")
    monkeypatch.setenv("KIOSK_STAFF_SECRET", "quick-start")
    with open_store(load_settings()) as store:
        sub = store.submit(a_draft())
    monkeypatch.delenv("KIOSK_STORE__DEMO")
    monkeypatch.delenv("KIOSK_STAFF_SECRET")
    monkeypatch.setattr("sys.stdin", io.StringIO(f"wrong-old-secret\n{STRONG}\n"))
    assert main(["store", "change-secret"]) != 0
    assert "wrong_secret" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO("quick-start\nweak\n"))
    assert main(["store", "change-secret"]) != 0
    assert "weak_secret" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(f"quick-start\n{STRONG}\n"))
    assert main(["store", "change-secret"]) == 0
    assert "no longer a demo store" in capsys.readouterr().err
    with open_store(load_settings(), environ={"KIOSK_STAFF_SECRET": STRONG}) as store:   # real install now
        assert not store.is_demo_store()
        assert store.get_submission(sub.receipt_no).answers["name"] == "王建国"
    with pytest.raises(StoreError):
        SqliteStore(cli_env / "kiosk.db", "K01", secret="quick-start")
    # --generate: the old one from the environment, the new one printed once on stdout.
    monkeypatch.setenv("KIOSK_STAFF_SECRET", STRONG)
    assert main(["store", "change-secret", "--generate"]) == 0
    new = capsys.readouterr().out.strip()
    assert secret_problem(new) is None
    with SqliteStore(cli_env / "kiosk.db", "K01", secret=new) as store:
        assert store.unlocked


def test_cli_demo_secret_file_is_private_and_made_once(cli_env, capsys):
    assert main(["store", "demo-secret"]) == 0
    path = capsys.readouterr().out.strip()
    from pathlib import Path

    first = Path(path).read_text()
    assert stat.S_IMODE(Path(path).stat().st_mode) == 0o600 and secret_problem(first.strip()) is None
    assert main(["store", "demo-secret"]) == 0
    assert capsys.readouterr().out.strip() == path and Path(path).read_text() == first


def test_new_secret_prints_a_strong_one(cli_env, capsys):
    assert main(["store", "new-secret"]) == 0
    assert secret_problem(capsys.readouterr().out.strip()) is None


def test_keyring_of_a_memory_store_is_never_the_demo_secret():
    ring = Keyring.create(generate_secret(), ScryptParams(n=2 ** 4))
    assert not ring.is_demo_secret


def test_staff_login_unlocks_from_a_plugged_in_key_and_logout_locks(tmp_path):
    from staff_support import FAST_KDF, FORMS, PIN, SITE, FakeClock

    from kiosk.config import StaffSettings
    from kiosk.staff.mode import AssistedMode

    settings = settings_for(tmp_path)
    open_store(settings, environ={"KIOSK_STAFF_SECRET": STRONG}).close()
    key = tmp_path / "usb-key"
    clock = FakeClock()
    with open_store(settings, environ={}) as store:              # the kiosk runs without the secret
        sub = store.submit(a_draft())
        mode = AssistedMode(store, SITE, FORMS, StaffSettings(), clock=clock, kdf=FAST_KDF,
                            secret_source=lambda: key.read_text().strip() if key.exists() else None)
        mode.pins.set_pin("S01", PIN)
        staff = mode.login(PIN)                                  # no key plugged in: masked only
        assert not store.unlocked
        staff.logout()
        key.write_text(STRONG)                                   # staff plug in their key
        staff = mode.login(PIN)
        assert store.unlocked and store.get_submission(sub.receipt_no).answers["name"] == "王建国"
        staff.logout()
        assert not store.unlocked                                # locked again when they leave
        assert [e.action for e in mode.audit.entries()].count("store_unlock") == 1
