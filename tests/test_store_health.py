"""Storage health: doctor and start-up find a full disk, a read-only disk, a non-database file and a
damaged one; `kiosk run` stays up on the out-of-service screen; no receipt goes into a damaged store;
doctor proves the configured secret opens the stored key."""
from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from kiosk import doctor
from kiosk.config import REPO_DIR, Settings, StoreSettings
from kiosk.doctor import FAIL, OK
from kiosk.store import Draft, ScryptParams, SqliteStore, StoreError, open_store

STRONG = "health-tests-Hq2Xv9Lp7Kq"


def settings_in(data: Path, **store) -> Settings:
    return Settings(data_dir=data, store=StoreSettings(**store))


def a_draft() -> Draft:
    return Draft(uuid.uuid4().hex, "repair", {"name": "王建国", "kind": "water"}, {"name"})


@contextlib.contextmanager
def tmpfs(path: Path, size_kb: int):
    """A real small filesystem (needs root, as on the test machines; skipped elsewhere)."""
    path.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(path)],
                          capture_output=True, text=True)
    if done.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def make_store(data: Path, n: int = 3) -> list[str]:
    with SqliteStore(data / "kiosk.db", "K01", secret=STRONG, kdf=ScryptParams(n=2 ** 10)) as s:
        s.mark_demo(False)
        return [s.submit(a_draft()).receipt_no for _ in range(n)]


def damage_a_page(db: Path) -> None:
    """Overwrite the middle of the file (a table page, not the header) with garbage."""
    with SqliteStore(db, "K01") as s:
        s.db.checkpoint()
    size = db.stat().st_size
    with open(db, "r+b") as f:
        f.seek(size // 2 // 4096 * 4096)
        f.write(b"\xa5" * 4096)


def test_doctor_proves_the_configured_secret_opens_the_stored_key(tmp_path, monkeypatch):
    make_store(tmp_path)
    monkeypatch.setenv("KIOSK_STAFF_SECRET", STRONG)
    c = doctor.check_storage(settings_in(tmp_path))
    assert c.status == OK and "opens it" in c.detail and "quick_check ok" in c.detail
    monkeypatch.setenv("KIOSK_STAFF_SECRET", "another-strong-secret-9Xq2")
    c = doctor.check_storage(settings_in(tmp_path))
    assert c.status == FAIL and "does NOT open" in c.detail and "change-secret" in c.fix
    monkeypatch.delenv("KIOSK_STAFF_SECRET")
    c = doctor.check_storage(settings_in(tmp_path))          # the recommended set-up: no secret on disk
    assert c.status == OK and "no staff secret on this kiosk" in c.detail


def test_doctor_fails_on_a_file_that_is_not_a_database(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_STAFF_SECRET", STRONG)
    (tmp_path / "kiosk.db").write_bytes(b"this is a text file, not SQLite\n" * 200)
    c = doctor.check_storage(settings_in(tmp_path))
    assert c.status == FAIL and "corrupt" in c.detail and "restore" in c.fix


def test_doctor_and_start_up_fail_on_a_damaged_database(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_STAFF_SECRET", STRONG)
    make_store(tmp_path, n=400)
    damage_a_page(tmp_path / "kiosk.db")
    c = doctor.check_storage(settings_in(tmp_path))
    assert c.status == FAIL and ("quick_check" in c.detail or "corrupt" in c.detail)
    with pytest.raises(StoreError) as err:
        open_store(settings_in(tmp_path), check_health=True)
    assert err.value.code == "corrupt"


def test_full_disk_fails_doctor_start_up_and_submit(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_STAFF_SECRET", STRONG)
    with tmpfs(tmp_path / "disk", 1024) as disk:
        make_store(disk, n=1)
        settings = settings_in(disk, min_free_mb=1)
        c = doctor.check_storage(settings)
        assert c.status == FAIL and "MB free" in c.detail
        with pytest.raises(StoreError) as err:
            open_store(settings, check_health=True)
        assert err.value.code == "io"
        # A store opened before the disk filled: submit refuses instead of acknowledging.
        store = open_store(settings_in(disk, min_free_mb=1))
        with pytest.raises(StoreError) as err:
            store.submit(a_draft())
        assert err.value.code == "io"
        store.min_free_mb = 0                           # no early refusal: SQLite itself hits the wall
        filler = disk / "filler"
        with contextlib.suppress(OSError), open(filler, "wb") as f:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
                os.fsync(f.fileno())
        before = store.receipt_numbers()
        with pytest.raises(StoreError):
            for _ in range(200):
                store.submit(Draft(uuid.uuid4().hex, "repair", {"note": "x" * 3000}, {"note"}))
        assert store.damaged is not None
        filler.unlink()                                 # space back: still no receipt from this process
        with pytest.raises(StoreError):
            store.submit(a_draft())
        assert len(store.receipt_numbers()) >= len(before)
        store.close()


def test_read_only_disk_fails_doctor_and_start_up(tmp_path, monkeypatch):
    monkeypatch.setenv("KIOSK_STAFF_SECRET", STRONG)
    with tmpfs(tmp_path / "disk", 8192) as disk:
        make_store(disk, n=1)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        c = doctor.check_storage(settings_in(disk, min_free_mb=1))
        assert c.status == FAIL and "not writable" in c.detail
        with pytest.raises(StoreError) as err:
            open_store(settings_in(disk, min_free_mb=1), check_health=True)
        assert err.value.code == "io"


def run_kiosk_until_out_of_service(data: Path, code: str, staff_words: str) -> None:
    """`kiosk run` on `data`: it must say out of service and stay up until SIGTERM."""
    env = dict(os.environ, KIOSK_DATA_DIR=str(data), KIOSK_STAFF_SECRET=STRONG, SDL_VIDEODRIVER="offscreen",
               KIVY_NO_ARGS="1", KIOSK_UI__FULLSCREEN="false", KIOSK_SPEECH__RECOGNIZER="none",
               KIOSK_SPEECH__SPEAKER="silent", KIOSK_PRINTER__TYPE="memory", KIVY_NO_CONSOLELOG="0")
    env.pop("KIOSK_CONFIG", None)
    proc = subprocess.Popen([sys.executable, str(REPO_DIR / "main.py")], cwd=data.parent, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        seen = []
        for line in proc.stderr:               # waits on the process's own words, not on time
            seen.append(line)
            if "out of service" in line:
                break
        assert any("out of service" in s for s in seen), "".join(seen[-20:])
        text = "".join(seen)
        assert f"[{code}]" in text and staff_words in text
        assert proc.poll() is None             # still running: no restart loop, no black screen
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 4
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_running_kiosk_checks_storage_on_its_maintenance_round(tmp_path, monkeypatch):
    from kiosk.config import load_settings
    from kiosk.runtime import open_runtime

    monkeypatch.setenv("KIOSK_STAFF_SECRET", STRONG)
    runtime = open_runtime(load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path)}))
    try:
        assert runtime.check_storage() == [] and runtime.store.damaged is None
        runtime.settings.store.min_free_mb = 10 ** 9          # the disk "fills up" under it
        runtime.maintain()
        assert runtime.store.damaged is not None and runtime.store.damaged.code == "io"
        runtime.settings.store.min_free_mb = 1                # space back: still none from this process
        runtime.store.min_free_mb = 1
        with pytest.raises(StoreError) as err:
            runtime.store.submit(a_draft())
        assert err.value.code == "io"
    finally:
        runtime.store.close()


def test_doctor_after_a_first_start_without_a_secret_says_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.delenv("KIOSK_STAFF_SECRET", raising=False)
    with pytest.raises(StoreError):
        open_store(settings_in(tmp_path), environ={})          # leaves an empty schema behind
    c = doctor.check_storage(settings_in(tmp_path))
    assert c.status == FAIL and "no staff secret" in c.detail and "new-secret" in c.fix
    monkeypatch.setenv("KIOSK_STAFF_SECRET", STRONG)
    assert doctor.check_storage(settings_in(tmp_path)).status == OK
    with open_store(settings_in(tmp_path)) as store:            # and the kiosk then creates it
        assert store.unlocked


def test_kiosk_run_stays_up_on_the_out_of_service_screen_for_a_corrupt_file(tmp_path):
    (tmp_path / "kiosk.db").write_bytes(b"not a database\n" * 300)
    run_kiosk_until_out_of_service(tmp_path, "corrupt", "数据库文件损坏")


def test_kiosk_run_stays_up_on_the_out_of_service_screen_on_a_full_disk(tmp_path):
    with tmpfs(tmp_path / "disk", 1024) as disk:
        make_store(disk, n=1)
        with contextlib.suppress(OSError), open(disk / "filler", "wb") as f:
            while True:
                f.write(b"\0" * 65536)
                f.flush()
        run_kiosk_until_out_of_service(disk, "io", "磁盘已满")


def test_kiosk_run_stays_up_on_the_out_of_service_screen_on_a_read_only_disk(tmp_path):
    with tmpfs(tmp_path / "disk", 8192) as disk:
        make_store(disk, n=1)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        run_kiosk_until_out_of_service(disk, "io", "只读")
