"""The printer test page: Chinese text, full-width punctuation, a column ruler, both QR kinds."""
from __future__ import annotations

from typing import Any

from kiosk.printing.layout import encoder_for
from kiosk.voices import say

SELFTEST_QR = "KIOSK:SELFTEST"


def ruler(columns: int) -> list[str]:
    """Two lines that number every column: tens on the first, units on the second."""
    tens = "".join(str((i // 10) % 10) if i % 10 == 0 else " " for i in range(1, columns + 1))
    units = "".join(str(i % 10) for i in range(1, columns + 1))
    return [tens, units]


def selftest_job(settings: Any) -> bytes:
    """The test page for these PrinterSettings."""
    enc = encoder_for(settings).init()
    enc.align("center").size(2, 2).text(say("print_selftest_title")).size(1, 1)
    enc.text(f"{settings.paper_mm}mm  {settings.encoding}  {settings.profile}")
    enc.align("left").text(say("print_selftest_text"))
    enc.text("，。！？，。！？")
    for line in ruler(enc.columns):
        enc.text(line)
    enc.text("中" * (enc.columns // 2))
    enc.align("center").text(say("print_selftest_native_qr")).qr_native(SELFTEST_QR).feed(1)
    enc.text(say("print_selftest_raster_qr")).qr_raster(SELFTEST_QR).feed(2).cut()
    return enc.getvalue()
