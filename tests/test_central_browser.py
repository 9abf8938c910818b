"""Real-browser check of the central pages with Debian's headless chromium.

Loads the public status page and checks the rendered DOM; renders screenshots of the status
page and the console list (the console HTML is fetched with a staff session and saved to a
file, because chromium's command line cannot carry a session cookie). With
KIOSK_DOCS_IMG=1 the screenshots are also written to docs/img/ for the README.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from central_support import PERSONAL_STRINGS, SECRET, ServerThread, central_app, cluster, kiosk_store, submit_allowance
from PIL import Image

from kiosk.central.store import CentralStore
from kiosk.config import REPO_DIR
from kiosk.sync.client import SyncClient
from kiosk.voices import say

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    """Run headless chromium once with a throwaway profile."""
    if CHROMIUM is None:
        pytest.fail("chromium is not installed: run `bash scripts/setup.sh` (Debian package chromium)")
    profile = tmp_path / "profile"
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
           "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
           "--disable-dev-shm-usage",
           f"--user-data-dir={profile}", *args]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A server with one synced submission (status 办理中) and a staff login."""
    tmp = tmp_path_factory.mktemp("browser")
    dsn = cluster().new_database()
    server = ServerThread(central_app(dsn)).start()
    store = CentralStore(dsn)
    store.set_password("wang", "correct horse battery")
    kiosk = kiosk_store(tmp)
    subs = [submit_allowance(kiosk) for _ in range(3)]
    with SyncClient(kiosk, server.url, store.add_kiosk("K01"), "K01") as client:
        assert client.sync_once().sent == 3
    store.set_status(subs[0].uuid, "in_progress", "wang")
    store.set_status(subs[2].uuid, "done", "wang")
    yield server, subs
    server.stop()
    kiosk.close()


def _docs_copy(path: Path, name: str) -> None:
    if os.environ.get("KIOSK_DOCS_IMG") == "1":
        (REPO_DIR / "docs" / "img").mkdir(parents=True, exist_ok=True)
        shutil.copy(path, REPO_DIR / "docs" / "img" / name)


def _is_drawn(path: Path) -> bool:
    """True when the screenshot has real content (not one flat colour)."""
    with Image.open(path) as img:
        lo, hi = img.convert("L").getextrema()
    return hi - lo > 100


def test_status_page_in_a_real_browser(site, tmp_path):
    server, subs = site
    url = f"{server.url}/r/{subs[0].receipt_no}?c={subs[0].check_code}"
    done = chromium(tmp_path, "--dump-dom", url)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert re.search(r'id="status"[^>]*>' + say("central_status_in_progress") + "<", dom)
    assert "高龄津贴申请" in dom and subs[0].receipt_no in dom
    for value in PERSONAL_STRINGS:
        assert value not in dom
    shot = tmp_path / "status.png"
    done = chromium(tmp_path, f"--screenshot={shot}", "--window-size=720,1400", url)
    assert done.returncode == 0 and shot.exists() and _is_drawn(shot)
    _docs_copy(shot, "central-status.png")


def test_wrong_code_page_in_a_real_browser(site, tmp_path):
    server, subs = site
    done = chromium(tmp_path, "--dump-dom", f"{server.url}/r/{subs[0].receipt_no}?c=ZZZZZZ")
    assert done.returncode == 0
    assert say("central_missing_title") in done.stdout and "高龄津贴申请" not in done.stdout


def test_console_list_screenshot(site, tmp_path):
    import httpx
    server, subs = site
    client = httpx.Client(base_url=server.url, follow_redirects=True)
    page = client.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    page = client.post("/console/login", data={"username": "wang", "password": "correct horse battery", "csrf": csrf})
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    page = client.post("/console/unlock", data={"kiosk_id": "K01", "secret": SECRET, "csrf": csrf})
    assert page.status_code == 200 and "张*英" in page.text
    html = tmp_path / "console.html"
    html.write_text(page.text, encoding="utf-8")
    shot = tmp_path / "console.png"
    done = chromium(tmp_path, f"--screenshot={shot}", "--window-size=1280,640", html.as_uri())
    assert done.returncode == 0 and shot.exists() and _is_drawn(shot)
    _docs_copy(shot, "central-console.png")


def test_too_many_looks_page_in_a_real_browser(tmp_path):
    """The 429 a resident may meet is a kind Mandarin page with the help line, never English."""
    import httpx

    from kiosk.central.limits import Limits

    clock = [0.0]
    server = ServerThread(central_app(cluster().new_database(), limits=Limits(clock=lambda: clock[0]))).start()
    try:
        url = f"{server.url}/r/20270228-K01-0001?c=ZZZZZZ"
        for i in range(30):          # the address's 30 looks this minute, taken without a browser
            assert httpx.get(f"{server.url}/r/20270228-K01-{i:04d}?c=ZZZZZZ").status_code == 404
        done = chromium(tmp_path, "--dump-dom", url)
        assert done.returncode == 0
        assert say("central_busy_title") in done.stdout and "Too Many" not in done.stdout
        shot = tmp_path / "busy.png"
        done = chromium(tmp_path, f"--screenshot={shot}", "--window-size=720,1000", url)
        assert done.returncode == 0 and shot.exists() and _is_drawn(shot)
        _docs_copy(shot, "central-busy.png")
    finally:
        server.stop()
