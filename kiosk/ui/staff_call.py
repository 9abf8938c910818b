"""A resident asked for staff (or the engine handed over): the ticket, the help screen, the call.

The staff layer (kiosk.staff.wiring) sets `handler` (HANDOFF_REQUESTED data -> ticket number);
without it the help screen shows the engine's own words. Then the chime rings for staff and the
resident hears their number. `controller` gives the app, the voice, the session and the chime.
"""
from __future__ import annotations

import logging
from typing import Callable

from kiosk.voices import say

log = logging.getLogger(__name__)


class StaffCall:
    """Open (or find) the staff ticket and show the help screen with its number."""

    def __init__(self, controller) -> None:
        self.controller = controller
        self.handler: Callable[[dict], str | None] | None = None   # staff layer: data -> ticket number

    def call(self, d: dict) -> None:
        """A HANDOFF_REQUESTED event's data (or the help button with no form open)."""
        ctl = self.controller
        ticket = None
        if self.handler is not None:
            try:
                ticket = self.handler(d)
            except Exception:
                log.exception("handoff handler failed")
        ticket = ticket or d.get("ticket")
        ctl.app.screen("help").show(d, ticket, can_resume=ctl.session is not None)
        ctl._show("help")
        if ctl.chime is not None:
            ctl.chime.ring()
        if ticket:
            from kiosk.ui.staff_slip import spoken_number

            ctl.voice.say(say("handoff.ticket.speech", number=spoken_number(ticket)))
        else:
            ctl.voice.say(d.get("speech", ""))

    def show_again(self) -> None:
        """Staff logged out with the resident still waiting: the help screen as it was."""
        ctl = self.controller
        ctl.app.screen("help").can_resume = ctl.session is not None
        ctl._show("help")
