"""Connect assisted mode to the UI controller's staff hooks (no Kivy imports here).

    from kiosk.staff.wiring import install
    install(app.controller, AssistedMode(runtime.store, settings.site, runtime.catalogue.forms,
                                         settings.staff, printing=app.print_service))

Sets `controller.staff_call.handler` (HANDOFF_REQUESTED data -> ticket number for the help screen),
`controller.staff_entry.handler` (PIN -> True unlocked / False refused; `mode.last_pin_message` says
why) and appends the desk's listener to `controller.listeners` (every visit, so tickets open on
3 failures and consent refusals, and the day counters run). Call before the app starts.
"""
from __future__ import annotations

import logging

from kiosk.dialogue.events import DialogueEvent
from kiosk.staff.errors import StaffError
from kiosk.staff.mode import AssistedMode, StaffSession
from kiosk.staff.tickets import ASKED
from kiosk.store.model import StoreError

log = logging.getLogger(__name__)


def install(controller, mode: AssistedMode, on_unlocked=None) -> None:
    """Wire the desk and the PIN check into a KioskController-like object."""
    desk = mode.desk

    def listener(event: DialogueEvent) -> None:
        visit = controller.visit
        if visit is not None:
            desk.track(visit)
            desk.on_event(visit, event)

    def handoff(data: dict) -> str | None:
        # The controller asks before the desk's own listener has run: open (or find) the ticket now.
        ticket = mode.tickets.open(data.get("reason") or ASKED, form_id=data.get("form_id"),
                                   field_id=data.get("field_id"), draft_id=data.get("draft_id"))
        return ticket.number

    def pin(entered: str) -> bool:
        try:
            staff: StaffSession = mode.login(entered)
        except StaffError as err:
            mode.last_pin_message = err.message()
            return False
        mode.last_pin_message = ""
        if on_unlocked is not None:
            on_unlocked(staff)
        return True

    try:   # a restart after a crash between submit and the Done screen: staff check those receipts
        mode.tickets_for_unseen_receipts()
    except StoreError as err:
        log.error("unseen receipts not checked: %s", err.code)
    controller.listeners.append(listener)
    if getattr(controller, "visit", None) is not None:   # already begun: the current visit too
        controller.visit.subscribe(listener)
    controller.staff_call.handler = handoff
    controller.staff_entry.handler = pin
