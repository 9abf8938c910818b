"""`kiosk bench`: benchmarks measured side by side in one run, printed as one table.

Each area has a module here with `run(settings, quick) -> list[BenchRow]`. A row is one figure
with its unit, the goal it is held to and, where a baseline was measured in the same run, the
ratio to it. Targets live here, never in timed tests (the machines are shared and noisy).
"""
from __future__ import annotations

import importlib
import statistics
from dataclasses import dataclass

# Bench modules, run in this order.
BENCH_MODULES = (
    "kiosk.bench.core",
    "kiosk.bench.speech",
    "kiosk.bench.printing",
    "kiosk.bench.ui",
    "kiosk.bench.idcard",
)


@dataclass
class BenchRow:
    """One measured figure."""

    area: str
    name: str
    value: float
    unit: str
    baseline: float | None = None   # same quantity for the reference, measured in this run
    goal: str = ""                  # human-readable target, e.g. "<= 1.5 s"
    met: bool | None = None         # None when the goal is informational

    @property
    def ratio(self) -> float | None:
        """value / baseline when a baseline exists."""
        if self.baseline in (None, 0):
            return None
        return self.value / self.baseline


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (0-100) by linear interpolation."""
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(sorted(values), n=100, method="inclusive")[max(0, min(98, int(p) - 1))]


def format_table(rows: list[BenchRow]) -> str:
    """A plain-text table of all rows."""
    head = ("area", "benchmark", "value", "unit", "baseline", "ratio", "goal", "met")
    lines = [head]
    for r in rows:
        lines.append((
            r.area, r.name, f"{r.value:.3g}", r.unit,
            "" if r.baseline is None else f"{r.baseline:.3g}",
            "" if r.ratio is None else f"{r.ratio:.2f}x",
            r.goal, {None: "", True: "yes", False: "NO"}[r.met],
        ))
    widths = [max(len(str(row[i])) for row in lines) for i in range(len(head))]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip() for row in lines)


def run_all(settings, quick: bool = False, only: list[str] | None = None) -> list[BenchRow]:
    """Run every bench module (or those whose area is in `only`)."""
    rows: list[BenchRow] = []
    for name in BENCH_MODULES:
        area = name.rsplit(".", 1)[1]
        if only and area not in only:
            continue
        rows.extend(importlib.import_module(name).run(settings, quick))
    return rows
