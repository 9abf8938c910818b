"""Building blocks of the staff screens: the staff bar, paged rows, and the list-screen base.

Staff screens use the same theme as the resident screens (>= 32 sp text, >= 90 dp targets,
AAA contrast); lists are paged with 上一页 / 下一页 like the review screen, never scrolled.
A subclass says what its rows and side buttons are (`rows()`, `actions()`); the layout is one
kv rule for all of them (staff_widgets.kv).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from kivy.app import App
from kivy.clock import Clock
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.ui.widgets import KButton, KLabel, load_kv, paginate

ROW_TARGETS = 1.25      # a list row is this many touch targets high: two lines of text with room


@dataclass
class Row:
    """One list row: tappable when it has an action."""

    text: str
    action: Callable[[], None] | None = None
    selected: bool = False
    kind: str = "normal"


@dataclass
class Action:
    """One side button."""

    text: str
    action: Callable[[], None]
    kind: str = "normal"
    key: str = ""                 # ids-like name for tests


class StaffRow(KButton):
    """A tappable list row ('A001　报修 · 电话 …'), cut short rather than overflowing."""


class StaffLine(KLabel):
    """A plain list row (day summary figures)."""


class StaffBar(BoxLayout):
    """Title, 返回菜单 and 退出登录, on every staff screen."""

    title = StringProperty("")
    show_menu = BooleanProperty(True)


class StaffBase(Screen):
    """Common to every staff screen: a notice, a refresh on entry, taps count as staff activity."""

    title = StringProperty("")
    notice_text = StringProperty("")
    show_menu = BooleanProperty(True)

    @property
    def flow(self):
        """The app's StaffFlow."""
        return App.get_running_app().staff

    def refresh(self) -> None:
        """Fill the screen from the staff core (subclasses)."""

    def on_touch_down(self, touch):
        if self.flow is not None and self.collide_point(*touch.pos):
            self.flow.touch()
        return super().on_touch_down(touch)


class StaffListScreen(StaffBase):
    """Intro text, paged rows on the left, action buttons on the right."""

    intro_text = StringProperty("")
    page = NumericProperty(0)
    pages = NumericProperty(1)
    page_text = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._rows: list[Row] = []
        self._looks: list[tuple] = []
        self._trigger = Clock.create_trigger(self._layout)
        self.ids.rows.bind(size=self._trigger)
        self.bind(size=self._trigger)
        self.ids.notice.bind(height=self._fit_side)
        self.ids.body.bind(orientation=self._fit_side)
        App.get_running_app().theme.bind(scale=self._trigger)

    def on_enter(self, *_args) -> None:
        """Shown and laid out: fit the rows to the real list height."""
        self._trigger()

    def rows(self) -> list[Row]:
        """The list (subclasses)."""
        return []

    def actions(self) -> list[Action]:
        """The side buttons (subclasses)."""
        return []

    def refresh(self) -> None:
        """Rebuild rows and buttons from the staff core."""
        flow = self.flow
        if flow is None or not flow.unlocked:
            return
        self._rows = flow.run(self.rows) or []
        box = self.ids.actions
        box.clear_widgets()
        theme = App.get_running_app().theme
        for a in flow.run(self.actions) or []:
            b = KButton(text=a.text, kind=a.kind, size_hint_y=None, height=theme.target)
            b.key = a.key
            b.bind(on_release=lambda _b, f=a.action: f())
            box.add_widget(b)
        self._fit_side()
        self._layout()

    def _fit_side(self, *_args) -> None:
        """In portrait the side column sits under the list: its height is its content's."""
        box = self.ids.actions
        theme = App.get_running_app().theme
        n = len(box.children)
        box.height = max(0, n * theme.target + (n - 1) * box.spacing)
        side = box.parent
        if side.size_hint_y is None:
            side.height = self.ids.notice.height + box.height + side.spacing * 2

    def per_page(self) -> int:
        """Rows that fit the list area."""
        theme = App.get_running_app().theme
        row = theme.target * ROW_TARGETS + theme.gap
        return max(1, int((self.ids.rows.height + theme.gap) // row))

    def turn(self, step: int) -> None:
        """上一页 / 下一页."""
        self.page = max(0, min(self.pages - 1, self.page + step))
        self._layout()

    def _layout(self, *_args) -> None:
        n = self.per_page()
        page, self.pages, self.page_text = paginate(len(self._rows), n, self.page)
        self.page = page
        box = self.ids.rows
        shown = self._rows[self.page * n:(self.page + 1) * n]
        looks = [(r.text, r.selected, r.kind, r.action is None) for r in shown]
        if looks == self._looks and len(box.children) == len(shown) + 1:
            # Same rows: keep the laid-out widgets (a tap never meets a row not yet placed),
            # only the actions are new.
            for w, row in zip(reversed(box.children[1:]), shown, strict=False):
                w.row_action = row.action
            return
        self._looks = looks
        box.clear_widgets()
        for row in shown:
            if row.action is None:
                w = StaffLine(text=row.text)
            else:
                w = StaffRow(text=row.text, selected=row.selected, kind=row.kind)
                w.bind(on_release=lambda w: w.row_action and w.row_action())
            w.row_action = row.action
            box.add_widget(w)
        box.add_widget(Widget())


load_kv("staff_widgets")
