"""办得顺利吗？ after 办完了: which service to ask about, and asking it on its own screen.

Only when assisted mode gave a feedback box (`box`, kiosk.staff.feedback.FeedbackBox), only for
the service just submitted, and only when the resident tapped 办完了 on the Done screen (nobody
is asked when the countdown ran out). `controller` gives the screens and the voice.
"""
from __future__ import annotations

from kiosk.voices import say


class FeedbackAsk:
    """The anonymous, skippable rating question of one kiosk."""

    def __init__(self, controller) -> None:
        self.controller = controller
        self.box = None           # kiosk.staff.feedback.FeedbackBox when assisted mode is on
        self.form_id = ""         # the service just submitted (asked about after 办完了)

    def submitted(self, form_id: str) -> None:
        """A form was submitted: it is the one to ask about (when there is a box)."""
        self.form_id = form_id if self.box is not None else ""

    def forget(self) -> None:
        """A new visit, or the question was asked: nothing to ask about."""
        self.form_id = ""

    def due(self) -> bool:
        """True when 办完了 on the Done screen should ask first."""
        return self.box is not None and bool(self.form_id) and self.controller.screens.current == "done"

    def ask(self, form_id: str = "") -> None:
        """Show the feedback screen for `form_id` (default: the service just submitted) and ask aloud."""
        ctl = self.controller
        form_id, self.form_id = form_id or self.form_id, ""
        ctl.app.screen("feedback").ask(self.box, form_id)
        ctl._show("feedback")
        ctl.voice.say(say("feedback.ask"))
