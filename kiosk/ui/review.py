"""Review: every answer as a big button (tap one to change it) and a big 确认提交.

Long forms are split into pages turned with 上一页 / 下一页 buttons: no scrolling, because a
swipe is a gesture many residents cannot make.
"""
from __future__ import annotations


from kivy.app import App
from kivy.clock import Clock
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.ui.widgets import KButton, load_kv, paginate

load_kv("review")


class ReviewRow(KButton):
    """One answer: '标签：内容'; a tap edits it."""

    field_id = StringProperty("")


class ReviewScreen(Screen):
    """All answers, paged to fit the screen."""

    form_title = StringProperty("")
    intro_text = StringProperty("")
    notice_text = StringProperty("")
    page = NumericProperty(0)
    pages = NumericProperty(1)
    page_text = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.items: list[dict] = []
        self._trigger = Clock.create_trigger(self._layout)
        self.ids.rows.bind(size=self._trigger)
        App.get_running_app().theme.bind(scale=self._trigger)

    def show(self, d: dict) -> None:
        """A REVIEW event's data: items and the spoken instruction."""
        self.items = list(d.get("items", []))
        self.intro_text = d.get("text", "")
        self.notice_text = ""
        self.page = 0
        self._layout()

    def show_notice(self, text: str, assist: bool = False) -> None:
        """Submission failed, or a yes/no was not understood."""
        self.notice_text = text

    def per_page(self) -> int:
        """How many rows fit in the list area at the current size."""
        theme = App.get_running_app().theme
        row = theme.target * 1.05 + theme.gap
        return max(1, int((self.ids.rows.height + theme.gap) // row))

    def turn(self, step: int) -> None:
        """上一页 / 下一页."""
        self.page = max(0, min(self.pages - 1, self.page + step))
        self._layout()

    def _layout(self, *_args) -> None:
        n = self.per_page()
        page, self.pages, self.page_text = paginate(len(self.items), n, self.page)
        self.page = page
        box = self.ids.rows
        box.clear_widgets()
        controller = App.get_running_app().controller
        for item in self.items[self.page * n:(self.page + 1) * n]:
            row = ReviewRow(text=f"{item['label']}：{item['display']}", field_id=item["field_id"])
            row.bind(on_release=lambda r: controller.edit(r.field_id))
            box.add_widget(row)
        from kivy.uix.widget import Widget  # noqa: PLC0415

        box.add_widget(Widget())   # rows stay at the top of the list area
