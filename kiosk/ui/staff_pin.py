"""Staff PIN entry: a keypad and dots. Verification belongs to the staff layer.

Hook: `KioskApp.on_pin_entered(pin)` (-> kiosk.ui.staff_entry, `controller.staff_entry.handler`) returns True (unlocked: the
staff layer switches screens), False (refused: the staff layer's Mandarin reason is shown, e.g.
wrong PIN with tries left, locked for N minutes, no PIN set) or None (no staff layer wired).
"""
from __future__ import annotations

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.widgets import Keypad, load_kv
from kiosk.voices import say

load_kv("staff_pin")

MAX_PIN = 12        # kiosk.staff.pin.PIN_MAX


class StaffPinScreen(Screen):
    """工作人员登录."""

    pin = StringProperty("")
    notice_text = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.keypad = Keypad(extra="clear")
        self.keypad.bind(on_key=self._key)
        self.ids.pad_box.add_widget(self.keypad)
        theme = App.get_running_app().theme
        self.keypad.spacing = theme.gap

    def clear(self) -> None:
        """Empty the PIN and the message (each time the screen opens)."""
        self.pin = ""
        self.notice_text = App.get_running_app().controller.staff_entry.status()

    def _key(self, _pad, key: str) -> None:
        if key == "delete":
            self.pin = self.pin[:-1]
        elif key == "clear":
            self.pin = ""
        elif key.isdigit() and len(self.pin) < MAX_PIN:
            self.pin += key

    def submit(self) -> None:
        """登录: hand the PIN over; never keep it after."""
        pin, self.pin = self.pin, ""
        result = App.get_running_app().on_pin_entered(pin)
        if result is None:
            self.notice_text = say("ui.pin_unavailable")
        elif result is False:
            self.notice_text = App.get_running_app().controller.staff_entry.message() or say("ui.pin_wrong")
        else:
            self.notice_text = ""
