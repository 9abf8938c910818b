"""ID card reader bench: card placed -> fields shown, through the real serial code.

The protocol simulator answers on a socat pty pair and holds every answer for its time on the
wire at 115200 baud (socat ignores the baud rate). Two figures:
- core: from the simulator answering "card found" to the confirmation rows (label, value) of the
  senior-card form being built (no screen);
- kiosk: in a child process running the real kiosk window with the GA 467 reader installed, from
  the card being put on the (simulated) reader while the panel polls, to the frame that draws the
  filled confirmation. This includes the polling gap (a find every 0.25 s).
Not included: a real card's own radio time inside the reader (vendors quote well under a second).
"""
from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

from kiosk.bench import BenchRow, percentile

AREA = "idcard"
BAUD = 115200


def _answer_bytes() -> int:
    """Bytes a reader sends for find + select + read (text and photo)."""
    from kiosk.idcard.card import PHOTO_LEN, TEXT_LEN

    frame = 5 + 2 + 3 + 1
    return (frame + 4) + (frame + 8) + (frame + 4 + TEXT_LEN + PHOTO_LEN)


def run(settings, quick: bool) -> list[BenchRow]:
    """Card placed -> fields shown: on the kiosk window, and in the core alone; p50 and max."""
    if shutil.which("socat") is None:
        return [BenchRow(AREA, "card placed -> fields shown (socat missing: not measured)", float("nan"), "s")]
    repeats = 3 if quick else 10
    core, shown = core_times(settings, repeats), _kiosk_times(repeats)
    wire = _answer_bytes() * 10 / BAUD
    return [
        BenchRow(AREA, "card placed -> filled confirmation drawn on the kiosk, p50 (pty @115200, polling)",
                 percentile(shown, 50), "s", baseline=wire, goal="<= 1.0", met=percentile(shown, 50) <= 1.0),
        BenchRow(AREA, "card placed -> filled confirmation drawn, max", max(shown), "s",
                 goal="<= 1.5", met=max(shown) <= 1.5),
        BenchRow(AREA, "card found -> fields ready (core, no screen), p50 (vs bytes on the wire)",
                 percentile(core, 50), "s", baseline=wire, goal="<= 1.0", met=percentile(core, 50) <= 1.0),
    ]


def core_times(settings, repeats: int) -> list[float]:
    """Seconds from the simulator's "card found" to the senior-card confirmation rows, per read."""
    from kiosk.catalogue.loader import load_catalogue
    from kiosk.dialogue import prelude
    from kiosk.dialogue.render import display
    from kiosk.idcard import fill
    from kiosk.idcard.card import card_fields
    from kiosk.idcard.reader import Ga467Reader
    from kiosk.idcard.simulator import simulated_reader
    from kiosk.idcard.twin import demo_card

    form = load_catalogue(settings.forms_dir).forms["senior_card"]
    fields = prelude.prelude_fields(form) + list(form.fields)
    by_id = {f.id: f for f in fields}
    today = dt.date.today()
    times: list[float] = []
    for _ in range(repeats):
        with simulated_reader(card_fields(demo_card()), "valid", find_misses=2, pace=True, baud=BAUD) as (host, sim):
            reader = Ga467Reader(host, BAUD)
            try:
                card = reader.read_card(5, today=today)
                values = fill.values_for(card, fields, fill.RESIDENT)
                rows = [(by_id[k].label, display(by_id[k], v)) for k, v in values.items()]
                done = time.perf_counter()
            finally:
                reader.close()
            if not rows or not sim.card_found.is_set():
                raise RuntimeError("the simulated card gave no fields")
            times.append(done - sim.found_at)
    return times


KIOSK = r"""
import json, time
from kiosk.idcard.card import card_fields
from kiosk.idcard.reader import Ga467Reader
from kiosk.idcard.simulator import simulated_reader
from kiosk.idcard.twin import demo_card
from kiosk.ui import harness
from kiosk.ui.idcard_prompt import SCREEN, install
from kiosk.ui.touch import find_button, tap
from kiosk.voices import say
app = harness.kiosk_app()
out = []
with simulated_reader(None, "valid", pace=True, baud=115200) as (host, sim):
    install(app, Ga467Reader(host, 115200), 15)
    for _ in range(REPEATS):
        harness.fresh(app)
        sim.card = None
        home = app.screens.get_screen("home")
        tap(next(t for t in home.ids.tiles.children if t.form_id == "senior_card")); harness.frames(2)
        tap(find_button(app.screens.current_screen, say("applicant.self"))); harness.frames(2)
        for _ in range(6):
            if app.screens.current == SCREEN:
                break
            screen = app.screens.current_screen
            tap(find_button(screen, say("ui.readback_yes") if screen.mode == "readback" else say("ui.consent_yes")))
            harness.frames(2)
        panel = app.screens.get_screen(SCREEN)
        assert app.screens.current == SCREEN and panel.mode == "wait"
        harness.settle(0.3)                  # the panel polls for a while with no card
        placed = time.perf_counter()
        sim.card = card_fields(demo_card())
        while panel.mode != "confirm":
            harness.frames(1)
            assert time.perf_counter() - placed < 10, "no confirmation"
        harness.frames(1)                    # the frame that draws the filled values
        out.append(time.perf_counter() - placed)
print("SHOWN", json.dumps(out), flush=True)
"""


def _kiosk_times(repeats: int) -> list[float]:
    """Card placed -> confirmation drawn, measured in a child process running the kiosk window."""
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-idcard-") as tmp:
        path = os.path.join(tmp, "idcard_kiosk.py")
        with open(path, "w", encoding="utf-8") as f:
            f.write(KIOSK.replace("REPEATS", str(repeats)))
        env = dict(os.environ)
        env.setdefault("SDL_VIDEODRIVER", "offscreen")
        env.update({"KIOSK_DATA_DIR": tmp, "KIVY_NO_ARGS": "1", "KIVY_NO_CONFIG": "1",
                    "KIVY_LOG_MODE": "PYTHON"})
        proc = subprocess.run([sys.executable, path], capture_output=True, text=True, env=env, timeout=300)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("SHOWN ")), None)
    if line is None:
        raise RuntimeError(f"idcard kiosk bench failed: {proc.stderr[-800:]}")
    return [float(x) for x in json.loads(line[6:])]
