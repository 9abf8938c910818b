"""The resident's speech controls on screen: the 声音 pop-up and the 等一下 overlay.

The question screen's bar has one compact 声音 button; it opens big buttons for 慢一点 /
快一点 / 大声 / 小声 / 等一下. Each goes to `KioskController.speech_control`, the same path as
saying it (never a failed answer). While paused, a full-screen notice waits for 好了 or any tap.
"""
from __future__ import annotations

from kivy.app import App
from kivy.uix.modalview import ModalView

from kiosk.ui.widgets import load_kv

load_kv("voice_panel")


class VoicePanel(ModalView):
    """Rate, loudness and pause buttons."""

    def choose(self, control: str) -> None:
        """Close the panel and apply the control (the resident hears the question again)."""
        self.dismiss(animation=False)
        App.get_running_app().controller.speech_control(control)


class VoicePaused(ModalView):
    """Shown while the voice is paused; 好了 or a tap anywhere carries on."""

    is_open = False
    _shared: VoicePaused | None = None      # the one overlay of the kiosk, made when first needed

    @classmethod
    def show_while(cls, paused: bool) -> None:
        """The voice's on_paused: show the overlay while paused, hide it after."""
        if paused:
            cls._shared = cls._shared or cls()
            cls._shared.show()
        elif cls._shared is not None:
            cls._shared.hide()

    def show(self) -> None:
        """Open (no-op when open)."""
        if not self.is_open:
            self.is_open = True
            self.open(animation=False)

    def hide(self) -> None:
        """Close (no-op when closed)."""
        if self.is_open:
            self.is_open = False
            self.dismiss(animation=False)

    def on_touch_down(self, touch):
        """Any tap ends the pause (the 好了 button is just the obvious place)."""
        if self.is_open and not self.ids.resume.collide_point(*touch.pos):
            self.carry_on()
            return True
        return super().on_touch_down(touch)

    def carry_on(self) -> None:
        """好了: the question again."""
        self.hide()
        App.get_running_app().controller.speech_control("resume")
