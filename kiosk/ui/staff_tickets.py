"""Staff: the open help tickets (oldest first) and drafts left without one; tap one to open it.

A handoff slip scanned at the desk (a USB scanner types its QR text and Enter) opens the same
draft; so does typing a ticket number on a keyboard.
"""
from __future__ import annotations

from kivy.core.window import Window

from kiosk.ui.staff_widgets import Action, Row, StaffListScreen
from kiosk.voices import say


class StaffTicketsScreen(StaffListScreen):
    """待处理求助."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.typed = ""

    def refresh(self) -> None:
        self.title = say("staff.ui.tickets_title")
        self.intro_text = say("staff.ui.tickets_intro")
        super().refresh()

    def rows(self) -> list[Row]:
        flow = self.flow
        forms = flow.mode.forms
        rows = []
        with_ticket = set()
        today = flow.mode.clock().date()
        for t in flow.session.tickets():
            form = forms.get(t.form_id or "")
            where = form.title if form else ""
            if form and t.field_id:
                label = next((f.label for f in form.fields if f.id == t.field_id), "")
                where = f"{where} · {label}" if label else where
            if t.draft_id:
                with_ticket.add(t.draft_id)
            # Numbers restart each day: a ticket left open from another day carries its date, so
            # yesterday's A001 is never taken for today's.
            number = t.number if t.created_at.date() == today else \
                say("staff.ui.ticket_other_day", month=t.created_at.month, day=t.created_at.day, number=t.number)
            text = say("staff.ui.ticket_row", number=number, where=where or "—", why=t.reason_text(),
                       time=f"{t.created_at:%H:%M}")
            if t.status == "taken":
                text += say("staff.ui.ticket_taken", staff=t.taken_by)
            if t.draft_id:
                rows.append(Row(text, lambda t=t: flow.open_ticket(t.id)))
            elif t.receipt_no:
                rows.append(Row(text, lambda: flow.go("staff_print")))
            else:
                rows.append(Row(text, lambda t=t: flow.close_ticket(t.id)))
        for d in flow.session.drafts():
            if d.draft_id in with_ticket or d.live:
                continue
            when = f"{d.updated_at:%H:%M}" if d.updated_at else ""
            rows.append(Row(say("staff.ui.draft_row", title=d.title, time=when),
                            lambda d=d: flow.open_draft(d.draft_id)))
        if not rows:
            rows.append(Row(say("staff.ui.tickets_none")))
        return rows

    def actions(self) -> list[Action]:
        return []

    # A desk scanner is a keyboard: collect its characters while this screen is shown.
    def on_enter(self, *args) -> None:
        super().on_enter(*args)
        self.typed = ""
        Window.bind(on_textinput=self._text, on_key_down=self._key)

    def on_leave(self, *_args) -> None:
        Window.unbind(on_textinput=self._text, on_key_down=self._key)

    def _text(self, _window, text: str) -> None:
        self.typed = (self.typed + text)[-200:]

    def _key(self, _window, key: int, *_args) -> None:
        if key in (13, 271) and self.typed.strip():   # Enter, keypad Enter
            text, self.typed = self.typed, ""
            self.flow.scanned(text)
