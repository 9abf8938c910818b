"""Staff: change one answer with the input widget of its type; keep a refused value with a reason.

Choices, yes/no, digits, dates and addresses use the resident's own answer widgets
(kiosk.ui.answers) wired to the staff case instead of the session. Names and free text need
the on-screen keyboard (kiosk.ui.keyboard) when it is installed. A value the form's checks
refuse can be kept only with a written reason (a ready-made one, or typed), which the audit
log keeps.
"""
from __future__ import annotations

import datetime as dt
import importlib
import logging
from typing import Any

from kivy.app import App
from kivy.metrics import dp
from kivy.properties import BooleanProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.widget import Widget

from kiosk.catalogue.spec import FieldSpec, FieldType
from kiosk.dialogue.kinds import kind_of
from kiosk.ui import answers
from kiosk.ui.staff_widgets import StaffBase
from kiosk.ui.widgets import KButton, KLabel, load_kv
from kiosk.voices import say

log = logging.getLogger(__name__)

load_kv("staff_edit")

REASONS = ("staff.ui.reason_checked", "staff.ui.reason_confirmed", "staff.ui.reason_special")
TEXT_TYPES = tuple(t for t in FieldType if kind_of(t).touch_widget == "keyboard")


def bounds(f: FieldSpec, site, today: dt.date) -> dict[str, Any]:
    """The PROMPT 'bounds' the answer widgets read (the field kind's own, as the engine sends)."""
    return kind_of(f.type).bounds(f, site, today)


def make_keyboard(mode: str = "text", text: str = "", max_length: int = 0):
    """The on-screen pinyin keyboard (kiosk.ui.keyboard.PinyinKeyboard), or None where it is missing."""
    try:
        module = importlib.import_module("kiosk.ui.keyboard")
        return module.PinyinKeyboard(mode=mode, text=text, max_length=max_length or 0)
    except Exception:   # not installed yet, or broken: staff are told, nothing crashes
        log.exception("on-screen keyboard unavailable")
        return None


class _CaseAnswers:
    """What the answer widgets call, routed to the staff flow instead of a resident session."""

    def __init__(self, flow) -> None:
        self.flow = flow

    def answer(self, value: Any) -> None:
        self.flow.set_value(value)

    def skip(self) -> None:
        self.flow.clear_value()

    def request_help(self) -> None:
        """Not offered to staff (the say-it panel is never built here)."""

    def confirm(self, _yes: bool) -> None:
        """Not used: staff changes need no read-back."""


class StaffEditScreen(StaffBase):
    """修改一项."""

    label_text = StringProperty("")
    current_text = StringProperty("")
    wide = BooleanProperty(False)       # typing: the keyboard takes the full width

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.area = None
        self.keyboard = None
        # ids are weak proxies: keep the real answer column to take it out and put it back.
        self._left = next(c for c in self.ids.body.children if c == self.ids.left)

    def on_wide(self, _screen, wide: bool) -> None:
        """Typing: take the answer column out of the tree, so its hidden buttons catch no taps."""
        body = self.ids.body
        if wide and self._left.parent is not None:
            self._left.parent.remove_widget(self._left)
        elif not wide and self._left.parent is None:
            body.add_widget(self._left, index=len(body.children))
        if not wide:
            self.ids.top_row.height = 0

    def refresh(self) -> None:
        flow = self.flow
        if flow is None or flow.case is None or not flow.field_id:
            return
        case = flow.case
        f = case.field(flow.field_id)
        self.title = say("staff.ui.edit_title", title=case.form.title, label=f.label)
        self.label_text = f.label
        item = next((i for i in case.items() if i.field_id == f.id), None)
        if item is None or not item.answered:
            shown = say("staff.ui.value_empty")
        elif f.personal and not flow.reveal:
            shown = item.masked
        else:
            shown = item.display
        masked = item is not None and item.answered and f.personal and not flow.reveal
        self.current_text = say("staff.ui.edit_current_masked" if masked else "staff.ui.edit_current", value=shown)
        for box in (self.ids.side, self.ids.main, self.ids.top_row):
            box.clear_widgets()
        self.wide = False
        self.keyboard = None
        theme = App.get_running_app().theme
        if f.type is FieldType.CONSENT:
            self.notice_text = say("staff.consent_is_residents")
            self.ids.main.add_widget(Widget())
            return
        if f.type in TEXT_TYPES:
            current = case.answers.get(f.id) if not (f.personal and not flow.reveal) else None
            self._typing(f.type.value, current if isinstance(current, str) else "", f.max_length or 0,
                         say("ui.ok"), flow.set_value, clear=item is not None and item.answered)
            return
        d = {"field_id": f.id, "field_type": f.type.value, "label": f.label, "optional": False,
             "choices": [{"value": c.value, "label": c.label} for c in f.choices],
             "current": None if (f.personal and not flow.reveal) else case.answers.get(f.id),
             "bounds": bounds(f, flow.mode.site, flow.mode.today())}
        self.area = answers.build(d, theme, _CaseAnswers(flow), touch_only=True, today=flow.mode.today())
        self.ids.side.add_widget(self.area.side)
        self.ids.main.add_widget(self.area.main)
        if item is not None and item.answered:
            clear = KButton(text=say("staff.ui.clear_value"), size_hint_y=None, height=theme.target)
            clear.bind(on_release=lambda *_: flow.clear_value())
            self.ids.side.add_widget(clear)

    def _typing(self, mode: str, text: str, max_length: int, ok_text: str, on_ok, clear: bool = False) -> None:
        """The keyboard across the screen; what is typed, 确定 and 返回 in the row above it."""
        flow = self.flow
        theme = App.get_running_app().theme
        self.ids.main.clear_widgets()
        self.ids.top_row.clear_widgets()
        self.keyboard = make_keyboard("name" if mode == "name" else "text", text, max_length)
        if self.keyboard is None:
            self.ids.main.add_widget(KLabel(text=say("staff.ui.no_keyboard")))
            self.ids.main.add_widget(Widget())
            if clear:
                b = KButton(text=say("staff.ui.clear_value"), size_hint_y=None, height=theme.target)
                b.bind(on_release=lambda *_: flow.clear_value())
                self.ids.side.add_widget(b)
            return
        self.wide = True
        top = self.ids.top_row
        row = top
        if self.width < self.height:     # portrait: what is typed gets the full width, buttons under it
            top.orientation = "vertical"
            top.height = theme.target * 2 + theme.gap + dp(8)
            top.add_widget(self.keyboard.display)
            row = BoxLayout(orientation="horizontal", spacing=theme.gap)
            top.add_widget(row)
        else:
            top.orientation = "horizontal"
            top.height = theme.target + dp(8)
            row.add_widget(self.keyboard.display)
        ok = KButton(text=ok_text, kind="primary", size_hint_x=None, width=theme.target * 2.6)
        ok.bind(on_release=lambda *_: on_ok(self.keyboard.text))
        row.add_widget(ok)
        if clear:
            c = KButton(text=say("staff.ui.clear_value"), size_hint_x=None, width=theme.target * 2.6)
            c.bind(on_release=lambda *_: flow.clear_value())
            row.add_widget(c)
        back = KButton(text=say("staff.ui.edit_back"), size_hint_x=None, width=theme.target * 2.6)
        back.bind(on_release=lambda *_: flow.go("staff_case"))
        row.add_widget(back)
        self.ids.main.add_widget(self.keyboard)

    def ask_reason(self, problem: str) -> None:
        """The value was refused: say why and offer the reasons that keep it anyway."""
        flow = self.flow
        theme = App.get_running_app().theme
        self.notice_text = problem
        self.wide = False
        main = self.ids.main
        main.clear_widgets()
        box = BoxLayout(orientation="vertical", spacing=theme.gap)
        box.add_widget(KLabel(text=say("staff.ui.reason_pick")))
        for key in REASONS:
            b = KButton(text=say(key), size_hint_y=None, height=theme.target)
            b.bind(on_release=lambda _b, k=key: flow.keep_with_reason(say(k)))
            box.add_widget(b)
        own = KButton(text=say("staff.ui.reason_write"), size_hint_y=None, height=theme.target)
        own.bind(on_release=lambda *_: self._typing("text", "", 60, say("staff.ui.reason_own"),
                                                    flow.keep_with_reason))
        box.add_widget(own)
        box.add_widget(Widget())
        main.add_widget(box)
