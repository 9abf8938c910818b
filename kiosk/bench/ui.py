"""UI benchmarks: process start to an interactive Home, and tap-to-next-question time.

Each figure is measured in child processes (one Kivy window per process, offscreen SDL) beside
a bare Kivy hello-world started the same way in the same run. Home runs the real `run_app`
path (font check, window options, forms, SQLite store, all screens) with the voice loading
in its background thread as in production: it must not delay Home.
Goals: Home <= 3x hello-world and < 1.5 s; next question drawn < 100 ms after a choice tap.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time

from kiosk.bench import BenchRow, percentile

HELLO = r"""
import os, sys, time
os.environ.setdefault("KIVY_NO_ARGS", "1"); os.environ.setdefault("KIVY_NO_CONFIG", "1")
os.environ.setdefault("KIVY_LOG_MODE", "PYTHON")
from kivy.app import App
from kivy.clock import Clock
from kivy.uix.label import Label
class Hello(App):
    def build(self):
        return Label(text="hello")
    def on_start(self):
        Clock.schedule_once(self.ready, 0)
    def ready(self, _dt):
        print("READY", flush=True); self.stop()
Hello().run()
"""

HOME = r"""
import sys
from kiosk.config import load_settings
import kiosk.app as kapp
from kivy.clock import Clock
original = kapp.KioskApp.on_start
def on_start(self):
    original(self)
    # The next frame after on_start is the first one where Home is drawn and takes taps.
    Clock.schedule_once(lambda _dt: (print("READY", self.screens.current, flush=True), self.stop()), 0)
kapp.KioskApp.on_start = on_start
settings = load_settings()
sys.exit(kapp.run_app(settings))
"""

TAPS = r"""
import json, time
from kiosk.ui import harness
from kiosk.ui.touch import tap, find_button
from kiosk.voices import say
app = harness.kiosk_app()
home = app.screens.get_screen("home")
question = app.screens.get_screen("question")
out = []
for _ in range(REPEATS):
    harness.fresh(app)
    tile = next(t for t in home.ids.tiles.children if t.form_id == "repair_request")
    tap(tile); harness.frames(2)
    before = question.prompt_data.get("field_id")
    choice = find_button(question, question.prompt_data["choices"][0]["label"])
    start = time.perf_counter()
    tap(choice)                # a tapped choice is kept at once (no read-back screen)
    harness.frames(1)          # one frame: clock, layout and the draw of the new question
    took = time.perf_counter() - start
    assert question.prompt_data.get("field_id") != before and question.mode == "ask"
    out.append(took)
print("TAPS", json.dumps(out), flush=True)
"""


def _child_env(data_dir: str) -> dict:
    env = dict(os.environ)
    env.setdefault("SDL_VIDEODRIVER", "offscreen")
    env.pop("KIVY_GL_BACKEND", None) if env.get("KIVY_GL_BACKEND") == "mock" else None
    env.update({"KIOSK_DATA_DIR": data_dir, "KIOSK_UI__FULLSCREEN": "false",
                "KIVY_NO_ARGS": "1", "KIVY_NO_CONFIG": "1", "KIVY_LOG_MODE": "PYTHON"})
    env.setdefault("KIOSK_STAFF_SECRET", "bench-secret-not-for-production")
    return env


def _script(tmp: str, name: str, code: str) -> str:
    """Write a child script to a file (Kivy's App needs a real source file)."""
    path = os.path.join(tmp, f"{name}.py")
    with open(path, "w", encoding="utf-8") as f:
        f.write(code)
    return path


def _time_to_ready(script: str, env: dict, timeout: float = 60) -> float:
    """Seconds from spawning the child to its READY line."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, script], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        for line in proc.stdout:
            if line.startswith("READY"):
                took = time.perf_counter() - start
                proc.wait(timeout)
                if len(line.split()) > 1 and line.split()[1] != "home":
                    raise RuntimeError(f"kiosk did not start on Home: {line.strip()}")
                return took
    finally:
        if proc.poll() is None:
            proc.kill()
    raise RuntimeError(f"child exited {proc.wait()} without READY")


def run(settings, quick: bool) -> list[BenchRow]:
    """Home start vs hello-world, and tap-to-next-question latency."""
    rows: list[BenchRow] = []
    repeats = 3 if quick else 7
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-ui-") as tmp:
        env = _child_env(tmp)
        hello_py, home_py = _script(tmp, "hello", HELLO), _script(tmp, "home", HOME)
        taps_py = _script(tmp, "taps", TAPS.replace("REPEATS", str(10 if quick else 30)))
        hello, home = [], []
        for _ in range(repeats):          # interleaved, so machine noise hits both alike
            hello.append(_time_to_ready(hello_py, env))
            home.append(_time_to_ready(home_py, env))
        h, k = percentile(hello, 50), percentile(home, 50)
        rows.append(BenchRow("ui", "process start -> interactive Home p50", k, "s", baseline=h,
                             goal="<= 3x hello-world and < 1.5 s", met=k <= 3 * h and k < 1.5))
        proc = subprocess.run([sys.executable, taps_py],
                              capture_output=True, text=True, env=env, timeout=300)
        line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("TAPS ")), None)
        if line is None:
            raise RuntimeError(f"tap benchmark failed: {proc.stderr[-500:]}")
        taps = json.loads(line[5:])
    for p in (50, 95):
        v = percentile(taps, p) * 1000
        rows.append(BenchRow("ui", f"tap a choice -> next question drawn p{p}", v, "ms",
                             goal="< 100 ms", met=v < 100))
    from kiosk.bench import handwriting

    rows.extend(handwriting.run(settings, quick))
    return rows
