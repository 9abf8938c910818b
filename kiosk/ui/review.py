"""Review: every answer as a big button (tap one to change it) and a big 确认提交.

Long forms are split into pages turned with 上一页 / 下一页 buttons: no scrolling, because a
swipe is a gesture many residents cannot make.
"""
from __future__ import annotations

from kivy.app import App
from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.ui.touch import guard
from kiosk.ui.widgets import KButton, load_kv, paginate
from kiosk.voices import say

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
    page_label = StringProperty("")     # 第1页，共2页 ('' on a single page)
    all_seen = BooleanProperty(True)    # every page shown at least once: 确认提交 is offered

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
        self.seen: set[int] = set()
        self._layout()
        guard.hold()

    def show_notice(self, text: str, assist: bool = False) -> None:
        """Submission failed, or a yes/no was not understood."""
        self.notice_text = text

    def lines(self) -> list[list[dict]]:
        """The answers packed into lines: two short answers share a line when the list is wide
        (fewer pages to turn), a long one has the line to itself so nothing is cut."""
        theme = App.get_running_app().theme
        width = self.ids.rows.width
        half = (width - theme.gap) / 2 - dp(32)
        fits_half = [width >= dp(700) and _ems(f"{i['label']}：{i['display']}") * theme.text_size <= half
                     for i in self.items]
        out: list[list[dict]] = []
        for item, short in zip(self.items, fits_half, strict=True):
            if short and out and len(out[-1]) == 1 and out[-1][0].get("_half"):
                out[-1].append(item)
            else:
                out.append([dict(item, _half=short)] if short else [item])
        return out

    def per_page(self) -> int:
        """How many lines of answers fit in the list area at the current size."""
        theme = App.get_running_app().theme
        row = theme.target * 1.05 + theme.gap
        return max(1, int((self.ids.rows.height + theme.gap) // row))

    def turn(self, step: int) -> None:
        """上一页 / 下一页."""
        self.page = max(0, min(self.pages - 1, self.page + step))
        self._layout()
        guard.hold()      # a double tap on 下一页 must not land on a row of the next page

    def _layout(self, *_args) -> None:
        n = self.per_page()
        lines = self.lines()
        page, self.pages, self.page_text = paginate(len(lines), n, self.page)
        self.page = page
        if not hasattr(self, "seen") or self.pages != getattr(self, "_seen_pages", self.pages):
            self.seen = set()      # a new paging (size or text size changed): pages are new too
        self._seen_pages = self.pages
        self.seen.add(page)
        self.all_seen = len(self.seen) >= self.pages
        self.page_label = say("ui.review_page", page=page + 1, pages=self.pages) if self.pages > 1 else ""
        box = self.ids.rows
        box.clear_widgets()
        app = App.get_running_app()
        theme, controller = app.theme, app.controller
        for items in lines[page * n:(page + 1) * n]:
            line = BoxLayout(orientation="horizontal", spacing=theme.gap, size_hint_y=None,
                             height=theme.target * 1.05)
            for item in items:
                row = ReviewRow(text=f"{item['label']}：{item['display']}", field_id=item["field_id"])
                row.bind(on_release=lambda r: controller.edit(r.field_id))
                line.add_widget(row)
            if len(items) == 1 and items[0].get("_half"):
                line.add_widget(Widget())   # a lone short answer keeps half the width
            box.add_widget(line)
        box.add_widget(Widget())   # rows stay at the top of the list area


def _ems(text: str) -> float:
    """Width in em: CJK characters 1 em, digits and Latin letters about 0.6 em."""
    return sum(0.6 if ch.isascii() else 1.0 for ch in text)
