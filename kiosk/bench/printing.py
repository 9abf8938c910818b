"""Receipt printing bench: bytes on the wire and seconds at 9600 baud, ours vs python-escpos defaults.

Both jobs carry the same content: the standard receipt's lines (as our layout wrapped them) and
its QR. The python-escpos job uses its `Dummy` printer, its text path and its default `qr()`
(a raster image, 3 dots per module); a second baseline prints its raster QR at the same module
size as ours, i.e. the same printed size, which is the fair like-for-like figure.
"""
from __future__ import annotations

import contextlib
import io
import shutil
import time
from typing import Any

from kiosk.bench import BenchRow
from kiosk.config import PrinterSettings
from kiosk.printing.escpos import EscPosEncoder, qr_fit
from kiosk.printing.layout import encode_receipt
from kiosk.printing.preview import render
from kiosk.printing.sample import sample_receipt

BAUD = 9600
BITS_PER_BYTE = 10          # start + 8 data + stop
AREA = "printing"


def wire_seconds(n_bytes: int, baud: int = BAUD) -> float:
    """Seconds to send n bytes over a serial line (8N1)."""
    return n_bytes * BITS_PER_BYTE / baud


def escpos_default_job(lines: list[str], number: str, qr_data: str, qr_size: int | None = None) -> bytes:
    """The same receipt content through python-escpos' Dummy printer, text path and qr()."""
    from escpos.printer import Dummy

    p = Dummy()
    with contextlib.redirect_stdout(io.StringIO()):      # qr() prints a profile warning
        for line in lines:
            if line == number:
                p.set(double_height=True, double_width=True)
                p.text(line + "\n")
                p.set(normal_textsize=True)
            else:
                p.text(line + "\n")
        if qr_size is None:
            p.qr(qr_data)
        else:
            p.qr(qr_data, size=qr_size)
        p.cut()
    return p.output


def run(settings, quick: bool) -> list[BenchRow]:
    """Bytes and wire time of the standard receipt, ours vs python-escpos."""
    rows: list[BenchRow] = []
    receipt = sample_receipt(settings.printer.status_url_base if settings else "")
    ours_settings = PrinterSettings(paper_mm=80, profile="native_qr")
    ours = encode_receipt(receipt, ours_settings)
    lines = [ln for ln in render(ours, 80).lines if ln]
    module = qr_fit(receipt.qr_data, 80)[1]
    base_default = escpos_default_job(lines, receipt.receipt_no, receipt.qr_data)
    base_same_size = escpos_default_job(lines, receipt.receipt_no, receipt.qr_data, qr_size=module)

    rows.append(BenchRow(AREA, "receipt bytes 80mm (vs python-escpos default qr)", len(ours), "B",
                         baseline=len(base_default), goal="<= 700", met=len(ours) <= 700))
    rows.append(BenchRow(AREA, "receipt wire time @9600 (vs python-escpos default qr)", wire_seconds(len(ours)), "s",
                         baseline=wire_seconds(len(base_default))))
    rows.append(BenchRow(AREA, "python-escpos default qr bytes / ours", len(base_default) / len(ours), "x",
                         goal=">= 6", met=len(base_default) / len(ours) >= 6))
    rows.append(BenchRow(AREA, f"receipt bytes 80mm (vs python-escpos raster qr, same size {module} dots/module)",
                         len(ours), "B", baseline=len(base_same_size), goal="<= 700", met=len(ours) <= 700))
    rows.append(BenchRow(AREA, "receipt wire time @9600 (vs same-size raster qr)", wire_seconds(len(ours)), "s",
                         baseline=wire_seconds(len(base_same_size))))
    rows.append(BenchRow(AREA, "python-escpos same-size raster qr bytes / ours", len(base_same_size) / len(ours), "x",
                         goal=">= 6", met=len(base_same_size) / len(ours) >= 6))
    for mm, profile in ((58, "native_qr"), (58, "raster_qr"), (80, "raster_qr")):
        n = len(encode_receipt(receipt, PrinterSettings(paper_mm=mm, profile=profile)))
        rows.append(BenchRow(AREA, f"receipt bytes {mm}mm {profile}", n, "B"))

    rows += paced_rows(receipt, quick)

    reps = 5 if quick else 50
    started = time.perf_counter()
    for _ in range(reps):
        encode_receipt(receipt, ours_settings)
    rows.append(BenchRow(AREA, "encode one receipt", (time.perf_counter() - started) / reps * 1000, "ms"))
    return rows


def filler_job(min_bytes: int) -> bytes:
    """A real 80 mm job of at least `min_bytes`: raster QR plus lines of rare characters as images."""
    enc = EscPosEncoder(paper_mm=80, profile="raster_qr").init()
    enc.qr("https://fuwu.example.gov.cn/kiosk/r/20261123-K01-0007?c=A0R1KY")
    while len(enc.getvalue()) < min_bytes:
        enc.text("𠀀𪚥𡃁" * 6)
    return enc.feed(2).cut().getvalue()


def paced_rows(receipt: Any, quick: bool) -> list[BenchRow]:
    """Jobs through a socat pty to the simulator at 960 B/s: wire time each, largest confirmed."""
    from kiosk.printing.printers import PrinterError, SerialPrinter
    from kiosk.printing.simulator import PrinterSim, pty_pair

    if shutil.which("socat") is None:
        return [BenchRow(AREA, "paced serial printing (needs Debian socat): skipped", 0, "")]
    jobs = [("receipt 80mm native QR", encode_receipt(receipt, PrinterSettings(paper_mm=80))),
            ("receipt 80mm raster QR", encode_receipt(receipt, PrinterSettings(paper_mm=80, profile="raster_qr"))),
            ("12 KB raster job", filler_job(12 * 1024))]
    if not quick:
        jobs.append(("24 KB raster job", filler_job(24 * 1024)))
    rows, largest = [], 0
    for name, data in jobs:
        with pty_pair() as (kiosk_end, printer_end, _):
            sim = PrinterSim(printer_end, rate=BAUD / BITS_PER_BYTE)
            sim.start()
            try:
                result = SerialPrinter(kiosk_end, BAUD, write_timeout_s=2.0).print_receipt(data)
                ok = result.confirmed and bytes(sim.job) == data
                wire = result.wire_s
            except PrinterError as err:
                ok, wire = False, 0.0
                rows.append(BenchRow(AREA, f"{name}: fault {err.code}", err.bytes_sent, "B"))
            finally:
                sim.close()
        if ok:
            largest = max(largest, len(data))
        rows.append(BenchRow(AREA, f"wire time @9600 paced, {name} ({len(data)} B), to confirmed status", wire, "s",
                             baseline=wire_seconds(len(data)), goal="printed and confirmed", met=ok))
    rows.append(BenchRow(AREA, "largest job printed at 9600-baud pacing without a fault", largest, "B",
                         goal=">= 12288", met=largest >= 12 * 1024))
    return rows
