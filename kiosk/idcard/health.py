"""The reader's line in `kiosk doctor`: port, SAM id and status, and the fix for staff.

A missing or broken reader never stops the kiosk (residents say or key their ID), so problems
are WARN, not FAIL. Nothing is read from a card here.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any


def reader_check(settings: Any) -> Any:
    """A `kiosk.doctor.Check` for the configured ID card reader."""
    from kiosk.doctor import OK, WARN, Check
    from kiosk.idcard.reader import make_reader

    conf = settings.idcard
    if conf.type == "none":
        return Check("idcard", OK, "no ID card reader ([idcard] type = \"none\"): ID numbers are said or keyed")
    if conf.type == "ga467" and not Path(conf.port).exists():
        return Check("idcard", WARN, f"ID card reader port {conf.port} does not exist; residents say or key their ID",
                     "plug in the reader's USB cable, check `ls /dev/ttyUSB* /dev/ttyACM*`, set [idcard] port")
    reader = make_reader(settings)
    assert reader is not None
    try:
        sam = reader.sam()
    finally:
        reader.close()
    where = "demo twin (made-up cards)" if conf.type == "twin" else f"{conf.port} at {conf.baud} baud"
    if not sam.ok:
        fixes = {
            "no_reader": "check the cable and [idcard] port/baud (readers default to 115200); power-cycle the reader",
            "sam_fault": "the reader's security module (SAM) failed its self-test: power-cycle it, else call the supplier",
        }
        return Check("idcard", WARN, f"{where}: reader not ready ({sam.code}); residents say or key their ID",
                     fixes.get(sam.code, "power-cycle the reader; if it persists call the supplier"))
    status = WARN if conf.type == "twin" else OK
    fix = "set [idcard] type = \"ga467\" and port for a real reader" if conf.type == "twin" else ""
    return Check("idcard", status, f"{where}, SAM {sam.sam_id} ready", fix)
