"""ID card reader bench: card placed -> fields ready to show, through the real serial code.

The protocol simulator answers on a socat pty pair and holds every answer for its time on the
wire at 115200 baud (socat ignores the baud rate). "Placed" is the moment the simulator answers
the find command with "card found"; "shown" is when the confirmation rows (label, masked
value) for the senior-card form are built. Not included: a real card's own radio time inside the
reader (vendors quote well under a second) and drawing the panel (the ui bench covers screens).
"""
from __future__ import annotations

import datetime as dt
import shutil
import time

from kiosk.bench import BenchRow, percentile

AREA = "idcard"
BAUD = 115200


def _answer_bytes() -> int:
    """Bytes a reader sends for find + select + read (text and photo)."""
    from kiosk.idcard.card import PHOTO_LEN, TEXT_LEN  # noqa: PLC0415

    frame = 5 + 2 + 3 + 1
    return (frame + 4) + (frame + 8) + (frame + 4 + TEXT_LEN + PHOTO_LEN)


def run(settings, quick: bool) -> list[BenchRow]:
    """Wall time from card placed to fields ready, p50 and max over several reads."""
    if shutil.which("socat") is None:
        return [BenchRow(AREA, "card placed -> fields shown (socat missing: not measured)", float("nan"), "s")]
    from kiosk.catalogue.loader import load_catalogue  # noqa: PLC0415
    from kiosk.dialogue import prelude  # noqa: PLC0415
    from kiosk.dialogue.render import display  # noqa: PLC0415
    from kiosk.idcard import fill  # noqa: PLC0415
    from kiosk.idcard.card import card_fields  # noqa: PLC0415
    from kiosk.idcard.reader import Ga467Reader  # noqa: PLC0415
    from kiosk.idcard.simulator import simulated_reader  # noqa: PLC0415
    from kiosk.idcard.twin import demo_card  # noqa: PLC0415

    form = load_catalogue(settings.forms_dir).forms["senior_card"]
    fields = prelude.prelude_fields(form) + list(form.fields)
    by_id = {f.id: f for f in fields}
    today = dt.date.today()
    times: list[float] = []
    for _ in range(3 if quick else 10):
        with simulated_reader(card_fields(demo_card()), "valid", find_misses=2, pace=True, baud=BAUD) as (host, sim):
            reader = Ga467Reader(host, BAUD)
            try:
                card = reader.read_card(5, today=today)
                values = fill.values_for(card, fields, fill.RESIDENT)
                rows = [(by_id[k].label, display(by_id[k], v)) for k, v in values.items()]
                done = time.perf_counter()
            finally:
                reader.close()
            assert rows and sim.card_found.is_set()
            times.append(done - sim.found_at)
    wire = _answer_bytes() * 10 / BAUD
    return [
        BenchRow(AREA, "card placed -> fields shown, p50 (pty @115200, vs bytes on the wire)",
                 percentile(times, 50), "s", baseline=wire, goal="<= 1.0", met=percentile(times, 50) <= 1.0),
        BenchRow(AREA, "card placed -> fields shown, max", max(times), "s", goal="<= 1.5", met=max(times) <= 1.5),
    ]
