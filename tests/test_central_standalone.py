"""The central service runs without the kiosk's own dependencies (Kivy, vosk, audio, printer).

A central-only install is `pip install kiosk[central]`: the subprocess below refuses every
kiosk-only package at import time (a sys.meta_path finder raising ModuleNotFoundError, as a
missing package would), then starts `kiosk-central serve` and `kiosk central serve` for real
and asks each for /api/v1/health.
"""
from __future__ import annotations

import json
import re
import subprocess
import sys
import time
import tomllib
import urllib.request

import pytest
from central_support import cluster, free_port

from kiosk.central.schema import MIGRATIONS
from kiosk.config import REPO_DIR

# Import names of everything in the `kiosk` extra.
KIOSK_ONLY = ("kivy", "vosk", "pyttsx3", "sounddevice", "escpos", "serial", "qrcode", "PIL", "httpx", "uniseg")

RUNNER = """
import importlib.abc, sys
BLOCKED = {blocked!r}
class Refuse(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if any(name == b or name.startswith(b + ".") for b in BLOCKED):
            raise ModuleNotFoundError(f"No module named {{name!r}} (central-only install)", name=name)
        return None
sys.meta_path.insert(0, Refuse())
import kiosk.central.app  # the app module and everything it imports
assert not any(m.split(".")[0] in ("kivy", "vosk") or m.startswith("kiosk.ui") for m in sys.modules)
if sys.argv[1] == "kiosk-central":
    from kiosk.central.commands import main
else:
    from kiosk.cli import main
sys.exit(main(sys.argv[2:]))
"""


def _health(url: str, proc: subprocess.Popen, deadline_s: float = 60) -> dict:
    """GET /api/v1/health once the server accepts connections (fails if the process exits first)."""
    end = time.monotonic() + deadline_s
    while True:
        if proc.poll() is not None:
            raise AssertionError(f"server exited {proc.returncode}: {proc.stderr.read()}")
        try:
            with urllib.request.urlopen(f"{url}/api/v1/health", timeout=5) as answer:
                return json.loads(answer.read())
        except OSError:
            if time.monotonic() > end:
                raise
            time.sleep(0.1)   # waiting for the socket to open; no assertion on how long it takes


@pytest.mark.parametrize("entry", [["kiosk-central", "serve"], ["kiosk", "central", "serve"]])
def test_central_serves_health_with_kiosk_only_packages_missing(entry, tmp_path):
    dsn = cluster().new_database()
    port = free_port()
    runner = RUNNER.format(blocked=KIOSK_ONLY)
    proc = subprocess.Popen([sys.executable, "-c", runner, entry[0], *entry[1:], "--dsn", dsn, "--port", str(port)],
                            cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert _health(f"http://127.0.0.1:{port}", proc) == {"ok": True, "schema": len(MIGRATIONS)}
    finally:
        proc.terminate()
        proc.wait(30)


# Distribution name in the `kiosk` extra -> the module it installs (what RUNNER refuses).
IMPORT_NAMES = {"kivy": "kivy", "vosk": "vosk", "pyttsx3": "pyttsx3", "qrcode": "qrcode", "pyserial": "serial",
                "python-escpos": "escpos", "pillow": "PIL", "sounddevice": "sounddevice", "httpx": "httpx",
                "uniseg": "uniseg"}


def test_every_package_of_the_kiosk_extra_is_refused_in_the_runner():
    """A package added to the `kiosk` extra must be refused above too, or the test would miss its import."""
    extra = tomllib.loads((REPO_DIR / "pyproject.toml").read_text())["project"]["optional-dependencies"]["kiosk"]
    names = {re.split(r"[\[<>=!~ ;]", req, maxsplit=1)[0].lower() for req in extra}
    unknown = names - set(IMPORT_NAMES)
    assert not unknown, f"add the import names of {sorted(unknown)} to IMPORT_NAMES and KIOSK_ONLY"
    assert {IMPORT_NAMES[n] for n in names} <= set(KIOSK_ONLY)


def test_the_blocker_really_refuses_kivy(tmp_path):
    """The runner's finder is what makes the test above mean something: kivy cannot be imported."""
    runner = RUNNER.format(blocked=KIOSK_ONLY).split("import kiosk.central.app")[0] + "import kivy\n"
    done = subprocess.run([sys.executable, "-c", runner], cwd=tmp_path, capture_output=True, text=True, timeout=60)
    assert done.returncode != 0 and "central-only install" in done.stderr
