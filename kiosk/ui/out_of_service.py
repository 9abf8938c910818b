"""The out-of-service screen: what `kiosk run` shows when the store cannot take a form.

Instead of exiting (systemd would restart it every 2 s: a black screen) the kiosk stays up and
shows, in Mandarin, that this machine is not taking forms now, to go to the counter or call the
help line; a band for staff says what to fix (the same words `kiosk` prints on the command
line) and the fault code. It never opens the store, so it works on a full, read-only or damaged
disk. Staff leave it as they leave the kiosk (SIGTERM from systemd, or the window's close when
`exiting`).
"""
from __future__ import annotations

import logging

from kivy.app import App
from kivy.properties import StringProperty
from kivy.uix.screenmanager import NoTransition, Screen, ScreenManager

from kiosk.store.model import StoreError
from kiosk.ui.widgets import load_kv
from kiosk.voices import say

log = logging.getLogger(__name__)
load_kv("out_of_service")


class OutOfServiceScreen(Screen):
    """The one screen of an out-of-service kiosk."""

    resident_text = StringProperty("")
    phone_text = StringProperty("")          # its own line: a phone number never breaks across two
    staff_text = StringProperty("")

    def show(self, err: StoreError, help_line: str) -> None:
        """Fill in the wording for this fault."""
        self.resident_text = say("oos.resident")
        self.phone_text = say("oos.phone", help_line=help_line or "-")
        self.staff_text = say("oos.staff", code=f"S-{err.code.upper()}",
                              staff=err.staff_text() or say("store_staff.internal"))


class OutOfServiceApp(App):
    """A minimal kiosk app with only the out-of-service screen (no store, no speech, no printer)."""

    title = "kiosk"
    say = staticmethod(say)

    def __init__(self, settings, error: StoreError, **kwargs) -> None:
        super().__init__(**kwargs)
        self.settings = settings
        self.error = error
        self.exiting = False
        self.theme = None
        self.screens: ScreenManager | None = None

    def build(self) -> ScreenManager:
        """Register the font, show the screen, refuse closing (like the kiosk)."""
        from kivy.core.window import Window

        from kiosk.ui.fonts import register_cjk_font
        from kiosk.ui.theme import ThemeState
        from kiosk.ui.window import lock_down

        register_cjk_font(self.settings.ui.font_path)
        self.theme = ThemeState()
        Window.clearcolor = self.theme.bg
        self.screens = ScreenManager(transition=NoTransition())
        screen = OutOfServiceScreen(name="out_of_service")
        screen.show(self.error, self.settings.site.help_line)
        self.screens.add_widget(screen)
        lock_down(Window, self)
        log.error("out of service: %s", self.error.describe().splitlines()[0])
        return self.screens

    def staff_exit(self) -> None:
        """Leave (SIGTERM from systemd, or staff)."""
        self.exiting = True
        self.stop()
