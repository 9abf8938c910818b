"""The only pop-up: 您还需要更多时间吗？ with one big 继续 button and a countdown."""
from __future__ import annotations

from kivy.properties import NumericProperty
from kivy.uix.modalview import ModalView

from kiosk.ui.widgets import load_kv

load_kv("timeout")


class TimeoutWarning(ModalView):
    """Shown by the idle watch; 继续 grants more time."""

    seconds_left = NumericProperty(0)
    is_open = False

    def open_for(self, seconds: int) -> None:
        """Show with a countdown from `seconds`."""
        self.seconds_left = seconds
        if not self.is_open:
            self.is_open = True
            self.open(animation=False)

    def dismiss(self, *args, **kwargs):
        """Close (no-op when closed)."""
        if self.is_open:
            self.is_open = False
            return super().dismiss(animation=False)
        return None
