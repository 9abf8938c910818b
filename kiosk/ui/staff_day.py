"""Staff: today at this kiosk: what residents came for, where they got stuck, what they said.

Counts and feedback only (kiosk.staff.activity / feedback): no names, no answers.
"""
from __future__ import annotations

from kiosk.ui.staff_widgets import Action, Row, StaffListScreen
from kiosk.voices import say


class StaffDayScreen(StaffListScreen):
    """今日情况."""

    def refresh(self) -> None:
        self.title = say("staff.ui.day_title")
        super().refresh()

    def rows(self) -> list[Row]:
        flow = self.flow
        summary = flow.session.day_summary()
        forms = flow.mode.forms
        self.intro_text = say("staff.ui.day_intro", day=summary.day,
                              tickets=len(summary.tickets),
                              open=sum(1 for t in summary.tickets if t.is_open),
                              pending=summary.print_pending)

        def title(form_id: str) -> str:
            form = forms.get(form_id)
            return form.short_name or form.title if form else form_id

        rows = []
        for form_id, c in sorted(summary.activity.services.items()):
            rows.append(Row(say("staff.ui.day_service", title=title(form_id), started=c.started,
                                submitted=c.submitted, staff=c.staff_submitted, cancelled=c.cancelled)))
        if not summary.activity.services:
            rows.append(Row(say("staff.ui.day_nothing")))
        for s in summary.activity.stuck[:5]:
            form = forms.get(s.form_id)
            label = next((f.label for f in form.fields if f.id == s.field_id), s.field_id) if form else s.field_id
            rows.append(Row(say("staff.ui.day_stuck", title=title(s.form_id), label=label, help=s.total,
                                rejected=s.rejected)))
        fb = summary.feedback
        if fb.total():
            rows.append(Row(say("staff.ui.day_feedback", good=fb.total("good"), ok=fb.total("ok"),
                                bad=fb.total("bad"))))
            for form_id, texts in sorted(fb.comments.items()):
                for text in texts[:3]:
                    rows.append(Row(say("staff.ui.day_comment", title=title(form_id), text=text)))
        else:
            rows.append(Row(say("staff.ui.day_no_feedback")))
        return rows

    def actions(self) -> list[Action]:
        return []
