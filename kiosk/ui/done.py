"""Done: the receipt number in huge digits, print status, what to bring and where to go.

Returns to Home by itself after `[ui] done_return_s` (the controller runs the countdown).
"""
from __future__ import annotations

from kivy.properties import NumericProperty, StringProperty
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen

from kiosk.ui.widgets import load_kv
from kiosk.voices import say

load_kv("done")


class ReceiptLabel(Label):
    """The receipt number: as large as the screen width allows (never below the digits size)."""


class DoneScreen(Screen):
    """After a successful submission."""

    receipt_no = StringProperty("")
    print_status = StringProperty("")
    info_text = StringProperty("")
    seconds_left = NumericProperty(0)

    def show(self, d: dict) -> None:
        """A SUBMITTED event's data."""
        self.receipt_no = d.get("receipt_no", "")
        self.print_status = ""
        lines = []
        documents = d.get("documents") or []
        if documents:
            bring = say("ui.done_bring")
            indent = "\u3000" * len(bring)   # full-width spaces line the list up under the first item
            lines += [f"{bring if i == 0 else indent}{doc}" for i, doc in enumerate(documents)]
        if d.get("department"):
            lines.append(say("ui.done_where", department=d["department"]))
        if d.get("opening_hours"):
            lines.append(say("ui.done_hours", hours=d["opening_hours"]))
        self.info_text = "\n".join(lines)
