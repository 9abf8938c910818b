"""Shared set-up for the staff tests: a real SQLite store, a fake clock, an inline form."""
from __future__ import annotations

import datetime as dt

from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.config import PrinterSettings, StaffSettings
from kiosk.dialogue.engine import Visit
from kiosk.dialogue.events import DialogueEvent
from kiosk.printing.printers import MemoryPrinter
from kiosk.printing.queue import PrintQueue
from kiosk.printing.service import PrintService
from kiosk.staff.mode import AssistedMode
from kiosk.staff.pin import PinKdf
from kiosk.store.keyring import ScryptParams
from kiosk.store.sqlite import SqliteStore

TZ = dt.timezone(dt.timedelta(hours=8))
TODAY = dt.date(2026, 11, 23)
SITE = SiteSpec()
PIN = "482913"
OTHER_PIN = "730264"
FAST_KDF = PinKdf(n=2 ** 8)          # tests only; the default cost is asserted separately

FORM = FormSpec.model_validate({
    "id": "repair", "title": "报事报修", "short_name": "报修", "pictogram": "wrench",
    "intro": "我们来登记要修的东西。", "department": "物业服务窗口", "opening_hours": "周一至周五",
    "fields": [
        {"id": "name", "type": "name", "label": "姓名", "prompt": "请说您的姓名。", "reuse": "name"},
        {"id": "phone", "type": "phone", "label": "电话", "prompt": "请说手机号。", "reuse": "phone"},
        {"id": "kind", "type": "choice", "label": "报修类型", "prompt": "哪里坏了？",
         "choices": [{"value": "water", "label": "漏水"}, {"value": "light", "label": "电灯"}]},
        {"id": "visit", "type": "yes_no", "label": "上门", "prompt": "需要上门吗？"},
        {"id": "people", "type": "integer", "label": "在家人数", "prompt": "家里几个人？", "min": 1, "max": 9,
         "when": {"field": "visit", "equals": True}},
        {"id": "note", "type": "text", "label": "补充", "prompt": "还有什么要说的吗？",
         "max_length": 50, "optional": True},
    ],
})
FORMS = {FORM.id: FORM}


class FakeClock:
    """An aware clock that only moves when told."""

    def __init__(self, start: dt.datetime | None = None) -> None:
        self.now = start or dt.datetime(2026, 11, 23, 9, 30, tzinfo=TZ)

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


class Kiosk:
    """Store, print service, assisted mode and a visit, wired as the app would wire them."""

    def __init__(self, tmp_path, clock: FakeClock | None = None, settings: StaffSettings | None = None,
                 printing: bool = True) -> None:
        self.clock = clock or FakeClock()
        self.store = SqliteStore(tmp_path / "kiosk.db", SITE.kiosk_id, secret="staff-secret",
                                 kdf=ScryptParams(n=2 ** 10), clock=self.clock)
        self.printer = MemoryPrinter()
        self.printing = PrintService(self.printer, PrintQueue(self.store.db, self.clock), PrinterSettings(type="memory")) \
            if printing else None
        self.mode = AssistedMode(self.store, SITE, FORMS, settings or StaffSettings(), printing=self.printing,
                                 clock=self.clock, kdf=FAST_KDF)
        self.mode.pins.set_pin("S01", PIN)
        self.events: list[DialogueEvent] = []

    def visit(self) -> Visit:
        v = Visit(SITE, self.store, TODAY)
        self.mode.desk.attach(v)
        v.subscribe(self.events.append)
        return v

    def close(self) -> None:
        self.store.close()


def say_all(session, *lines: str) -> None:
    for line in lines:
        session.hear(line)


def fill_prelude(session) -> None:
    """本人, confirmed; consent given, confirmed."""
    say_all(session, "本人", "对", "同意", "对")
