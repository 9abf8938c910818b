"""Core benchmarks: a scripted session of each form through the engine, and durable submits."""
from __future__ import annotations

import tempfile
import time
from pathlib import Path

from kiosk.bench import BenchRow, percentile
from kiosk.dialogue.engine import Stage, Visit
from kiosk.dialogue.sample import sample_transcript


def scripted_session(form, site, store) -> tuple[int, str | None]:
    """Fill `form` with sample transcripts, confirming each; return (turns, receipt)."""
    visit = Visit(site, store)
    turns = 0
    session = visit.start(form)
    while session.stage not in (Stage.DONE, Stage.CANCELLED) and turns < 200:
        if session.stage is Stage.ASK:
            session.hear(sample_transcript(session.field, site))
        elif session.stage in (Stage.CONFIRM, Stage.REUSE):
            session.hear("对")
        elif session.stage is Stage.REVIEW:
            session.hear("提交")
        else:
            break
        turns += 1
    return turns, session.receipt_no


def run(settings, quick: bool) -> list[BenchRow]:
    """Engine turns/time per form and submit latency on a real SQLite file."""
    from kiosk.runtime import open_runtime
    from kiosk.store.memory import MemoryStore
    from kiosk.store.sqlite import bench_submit_latency

    rows: list[BenchRow] = []
    runtime = open_runtime(settings, store=MemoryStore(settings.site.kiosk_id))
    repeats = 3 if quick else 20
    for form in runtime.catalogue.forms.values():
        times = []
        for _ in range(repeats):
            start = time.perf_counter()
            turns, receipt = scripted_session(form, settings.site, runtime.store)
            times.append(time.perf_counter() - start)
            if receipt is None:
                raise RuntimeError(f"scripted session of {form.id} did not submit")
        rows.append(BenchRow("core", f"session {form.id} ({turns} turns) p50",
                             percentile(times, 50) * 1000, "ms"))
    n = 30 if quick else 200
    with tempfile.TemporaryDirectory() as tmp:
        durable = bench_submit_latency(Path(tmp) / "durable.db", n, fsync=True)
        loose = bench_submit_latency(Path(tmp) / "loose.db", n, fsync=False)
    for p in (50, 95):
        rows.append(BenchRow("core", f"submit latency p{p} (fsync)", percentile(durable, p) * 1000, "ms",
                             baseline=percentile(loose, p) * 1000, goal="baseline: synchronous=OFF",))
    return rows
