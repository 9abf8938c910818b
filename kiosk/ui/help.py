"""Help / handoff: a staff member is coming; the resident can carry on alone if they like.

The ticket number comes from the staff layer (`controller.handoff_handler`) when it is wired;
staff log in from here with 工作人员登录.
"""
from __future__ import annotations

from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.widgets import load_kv
from kiosk.voices import say

load_kv("help")


class HelpScreen(Screen):
    """工作人员马上就来."""

    ticket = StringProperty("")
    message = StringProperty("")
    can_resume = BooleanProperty(False)

    def show(self, d: dict, ticket: str | None, can_resume: bool) -> None:
        """A HANDOFF_REQUESTED event's data (or a call from Home with no form open)."""
        self.ticket = ticket or ""
        self.can_resume = can_resume
        self.message = say("ui.help_saved") if can_resume else ""
