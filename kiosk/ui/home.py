"""Home: one big tile per service (pictogram + 2-6 character name), all on one page."""
from __future__ import annotations

from kivy.app import App
from kivy.properties import ListProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.ui.staff_door import StaffDoor  # noqa: F401 (registers the kv class before load_kv)
from kiosk.ui.widgets import load_kv

load_kv("home")


class ServiceTile(ButtonBehavior, BoxLayout):
    """A service: tap once to start it."""

    form_id = StringProperty("")
    pictogram = StringProperty("")
    text = StringProperty("")
    bg = ListProperty([1, 1, 1, 1])

    def on_release(self) -> None:
        """Start this service."""
        App.get_running_app().controller.start_form(self.form_id)


class HomeScreen(Screen):
    """The service tiles, in the catalogue's order."""

    def fill(self, forms) -> None:
        """One tile per form (FormSpec: id, short_name, pictogram, order)."""
        grid = self.ids.tiles
        grid.clear_widgets()
        for form in sorted(forms, key=lambda f: (f.order, f.id)):
            grid.add_widget(ServiceTile(form_id=form.id, pictogram=form.pictogram, text=form.short_name))
