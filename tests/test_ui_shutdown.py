"""`kiosk run` as systemd runs it: it starts on Home and leaves cleanly on SIGTERM.

SDL would turn SIGTERM into a window-close request, which the kiosk refuses (residents must not
close it); the kiosk handles SIGTERM itself, wiping the visit like the staff exit does.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time


def test_sigterm_stops_the_kiosk_cleanly(tmp_path):
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIOSK_DATA_DIR=str(tmp_path),
               KIOSK_SPEECH__SPEAKER="silent", KIOSK_SPEECH__RECOGNIZER="none",
               KIOSK_UI__FULLSCREEN="false", KIOSK_STAFF_SECRET="shutdown-test-7Hq2Xv9Lp")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk.cli", "-v", "run"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        for line in proc.stderr:                       # wait for the main loop to run
            if "Start application main loop" in line or time.monotonic() > deadline:
                break
        assert proc.poll() is None, "the kiosk exited on its own"
        # keep reading its log so a full pipe never blocks it
        threading.Thread(target=lambda: [None for _ in proc.stderr], daemon=True).start()
        time.sleep(1.0)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=30) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
