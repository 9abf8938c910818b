"""Help / handoff: a calm screen with the ticket number, huge; a staff member is coming.

The ticket number comes from the staff layer (`controller.staff_call.handler`, kiosk.ui.staff_call) when it is wired.
The resident can print a handoff slip (the number and a QR staff scan at the desk to open the
same draft) or carry on alone with 继续填写. Staff log in from here or from Home by holding the
top-left corner for 3 s (kiosk.ui.staff_door): no staff button on a resident screen.
"""
from __future__ import annotations

from kivy.app import App
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from kiosk.ui.staff_door import StaffDoor  # noqa: F401 (registers the kv class before load_kv)
from kiosk.ui.widgets import load_kv
from kiosk.voices import say

load_kv("help")


class TicketLabel(Label):
    """The ticket number: as large as the column allows."""


class HelpScreen(Screen):
    """工作人员马上就来."""

    ticket = StringProperty("")
    message = StringProperty("")
    slip_status = StringProperty("")
    can_resume = BooleanProperty(False)
    can_print = BooleanProperty(False)

    def show(self, d: dict, ticket: str | None, can_resume: bool) -> None:
        """A HANDOFF_REQUESTED event's data (or a call from Home with no form open)."""
        self.ticket = ticket or ""
        self.can_resume = can_resume
        self.message = say("ui.help_saved") if can_resume else ""
        self.slip_status = ""
        staff = getattr(App.get_running_app(), "staff", None)
        self.can_print = bool(self.ticket and staff is not None and staff.mode.printing is not None)

    def print_slip(self) -> None:
        """打印协助单: the number and the QR on paper, for the desk."""
        staff = App.get_running_app().staff
        if staff is None or not self.ticket:
            return
        self.can_print = False          # one slip per tap; the button comes back if it failed
        self.slip_status = say("ui.help_slip_printing")

        def done(ok: bool) -> None:
            self.slip_status = say("ui.help_slip_done" if ok else "ui.help_slip_failed")
            self.can_print = not ok

        staff.print_slip(self.ticket, done)
