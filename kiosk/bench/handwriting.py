"""Handwriting benchmarks (reported by `kiosk bench ui`): accuracy and stroke-end latency.

Accuracy: top-1 / top-5 of the zinnia recogniser on the 100 name characters of
kiosk/handwriting/strokeset.py (font-outline stroke medians), neat and loosened (seed 1),
measured in this process. Latency: in a child process with the real kiosk window (offscreen
SDL), a name question is put on screen, 手写 is tapped, and every stroke of the characters is
drawn with touch events on the pad; each stroke end is timed until the frame that puts its
candidates on the keys has been drawn. Goal: p95 <= 150 ms. A second figure stops the clock
when the candidates are set on the keys (recognition on the worker thread and the hop back to
the UI thread, without the frame): on a loaded machine the frames dominate.
"""
from __future__ import annotations

import json
import subprocess
import sys
import tempfile

from kiosk.bench import BenchRow, percentile

LATENCY = r"""
import json, time
from kivy.tests.common import UnitTestTouch
from kiosk.handwriting import strokeset
from kiosk.ui import harness
from kiosk.ui.touch import tap
app = harness.kiosk_app()
harness.fresh(app)
question = app.screens.get_screen("question")
app.screens.current = "question"
question.show_prompt({"field_type": "name", "field_id": "name", "text": ""})
harness.frames(3)
typing = question.area.typing
tap(typing.toggle); harness.frames(3)
panel = typing.panel
pad = panel.ids.pad
from kiosk.ui import pinyin_ime
harness.wait_until(pinyin_ime.ready, 30)   # the keyboard's index builds once, as a question opens
harness.frames(5)
samples = list(strokeset.load().items())[:COUNT]
out, ready = [], []
for ch, strokes in samples:
    side = min(pad.width, pad.height) * 0.8
    left, top = pad.x + (pad.width - side) / 2, pad.top - (pad.height - side) / 2
    for stroke in strokes:
        pts = [(left + x / 1024 * side, top - y / 1024 * side) for x, y in stroke]
        t = UnitTestTouch(*pts[0]); t.touch_down()
        for p in pts[1:]:
            t.touch_move(*p)
        t.touch_up()
        while panel.answered != panel.generation:
            harness.frames(1)
            if time.perf_counter() - pad.stroke_ended_at > 10:
                raise SystemExit("no candidates after 10 s")
        # The frame that ran the answer also laid out and drew the keys (clock, then draw);
        # one more only if the first key's text texture is not there yet.
        key = panel.candidate_keys[0]
        if panel.candidates and key._label.text != panel.candidates[0]:
            harness.frames(1)
        out.append(time.perf_counter() - pad.stroke_ended_at)
        ready.append(panel.latency)
    panel.clear()
print("STROKES", json.dumps({"shown": out, "ready": ready}), flush=True)
"""


def _accuracy_rows() -> list[BenchRow]:
    from kiosk.handwriting import HandwritingRecognizer, HandwritingUnavailable, strokeset

    try:
        rec = HandwritingRecognizer()
    except HandwritingUnavailable as err:
        return [BenchRow("ui", f"handwriting unavailable: {err}", 0, "", goal="recogniser installed", met=False)]
    samples = strokeset.load()
    loose = strokeset.loosened(samples, seed=1)
    rows = []
    for label, data in (("neat", samples), ("loose", loose)):
        for k in (5, 1):
            acc = strokeset.accuracy(rec, data, k=k)
            goal = ">= 85%" if k == 5 else ""
            rows.append(BenchRow("ui", f"handwriting top-{k}, {acc.total} name chars ({label} strokes)",
                                 acc.rate * 100, "%", goal=goal, met=(acc.rate >= 0.85) if k == 5 else None))
    rec.close()
    return rows


def run(settings, quick: bool) -> list[BenchRow]:
    """Accuracy on the stroke set, then stroke end -> candidates shown in the real window."""
    from kiosk.bench.ui import _child_env, _script

    rows = _accuracy_rows()
    if rows and rows[0].met is False and rows[0].unit == "":
        return rows
    with tempfile.TemporaryDirectory(prefix="kiosk-bench-hw-") as tmp:
        env = _child_env(tmp)
        script = _script(tmp, "strokes", LATENCY.replace("COUNT", str(15 if quick else 100)))
        proc = subprocess.run([sys.executable, script], capture_output=True, text=True, env=env, timeout=600)
    line = next((ln for ln in proc.stdout.splitlines() if ln.startswith("STROKES ")), None)
    if line is None:
        raise RuntimeError(f"handwriting latency benchmark failed: {proc.stderr[-500:]}")
    took = json.loads(line[8:])
    for p in (50, 95):
        v = percentile(took["shown"], p) * 1000
        rows.append(BenchRow("ui", f"handwriting stroke end -> candidates shown p{p} ({len(took['shown'])} strokes)",
                             v, "ms", goal="<= 150 ms", met=v <= 150))
    # The part that is ours alone: recognition on the worker and the hop back to the UI thread.
    v = percentile(took["ready"], 95) * 1000
    rows.append(BenchRow("ui", "handwriting stroke end -> candidates on the keys (before the frame) p95", v, "ms"))
    return rows
