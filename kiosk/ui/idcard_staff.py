"""Staff case screen: 刷身份证填写 fills the open case from the resident's card (assisted mode).

The read runs off the UI thread; the values go in through `kiosk.idcard.staff.fill_case`
(validated and audited as staff edits). The staff screen says which fields were filled and
which the form refused; nothing from the card is logged.
"""
from __future__ import annotations

import logging
import threading

from kivy.clock import Clock

from kiosk.idcard import fill
from kiosk.idcard.reader import ReadFailed
from kiosk.ui.staff_widgets import Action
from kiosk.voices import say

log = logging.getLogger(__name__)


def card_action(flow) -> Action | None:
    """The 刷身份证填写 button when this kiosk has a reader and the case has fields a card fills."""
    prompt = getattr(flow.app, "idcard_prompt", None)
    case = flow.case
    if prompt is None or case is None or case.submitted is not None or case.locked:
        return None
    if not fill.card_fields(case.fields, fill.RESIDENT):
        return None
    return Action(say("idcard.staff.read"), lambda: read_into_case(flow), key="idcard")


def read_into_case(flow) -> None:
    """Wait for the card (the resident's), then fill the case and show what went in."""
    from kiosk.idcard.staff import fill_case

    prompt = flow.app.idcard_prompt
    case = flow.case
    flow.notice(say("idcard.place.resident"))

    def work() -> None:
        try:
            result = ("ok", prompt.reader.read_card(prompt.wait_s))
        except ReadFailed as err:
            result = ("fail", err.code)
        except Exception:
            log.exception("card reader failed")
            result = ("fail", "unreadable")
        Clock.schedule_once(lambda _dt: done(result))

    def done(result) -> None:
        kind, payload = result
        if flow.case is not case:
            return                      # staff moved on
        if kind == "fail":
            flow.notice(say(f"idcard.fail.{payload}"))
            return
        filled = flow.run(lambda: fill_case(case, payload))
        if filled is None:
            return
        labels = "、".join(case.field(f).label for f in filled.filled)
        text = say("idcard.staff.filled", labels=labels or "-")
        if filled.refused:
            text += "\n" + "\n".join(filled.refused.values())
        flow.go("staff_case", text)

    threading.Thread(target=work, daemon=True, name="idcard-staff").start()
