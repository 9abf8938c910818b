"""Staff: one draft's answers, each a row to tap and change; 提交 on the resident's behalf.

Personal values are masked unless the store is unlocked and staff tap 显示个人信息 (audited);
a draft whose store key is locked shows （已加密） and cannot be changed.
"""
from __future__ import annotations

from kiosk.ui.staff_widgets import Action, Row, StaffListScreen
from kiosk.voices import say


class StaffCaseScreen(StaffListScreen):
    """一份表的内容."""

    def refresh(self) -> None:
        flow = self.flow
        case = flow.case if flow is not None else None
        if case is not None:
            self.title = say("staff.ui.case_title", title=case.form.title)
            if case.submitted is not None:
                self.intro_text = say("staff.ui.case_submitted")
            else:
                missing = case.missing()
                self.intro_text = (say("staff.ui.case_missing", n=len(missing)) if missing
                                   else say("staff.ui.case_complete"))
                if not flow.reveal and any(i.personal and i.answered for i in case.items()):
                    self.intro_text += "\n" + say("staff.ui.case_masked" if flow.store_unlocked
                                                   else "staff.ui.case_masked_locked")
        super().refresh()

    def rows(self) -> list[Row]:
        flow = self.flow
        case = flow.case
        if case is None:
            return []
        missing = set(case.missing())
        rows = []
        for it in case.items():
            if it.type == "consent" and it.answered:
                value = it.display
            elif not it.answered:
                value = say("staff.ui.value_missing" if it.field_id in missing else "staff.ui.value_empty")
            elif it.personal and not flow.reveal:
                value = it.masked
            else:
                value = it.display
            text = f"{it.label}：{value}"
            if it.overridden:
                text += say("staff.ui.value_overridden")
            done = case.submitted is not None
            rows.append(Row(text, None if done else (lambda f=it.field_id: flow.edit(f))))
        return rows

    def actions(self) -> list[Action]:
        flow = self.flow
        case = flow.case
        if case is None:
            return [Action(say("staff.ui.to_tickets"), lambda: flow.go("staff_tickets"), key="tickets")]
        out = []
        if case.submitted is None:
            out.append(Action(say("staff.ui.submit"), flow.submit, "primary", "submit"))
            if flow.store_unlocked and not case.locked and any(i.personal for i in case.items()):
                out.append(Action(say("staff.ui.hide" if flow.reveal else "staff.ui.reveal"),
                                  flow.toggle_reveal, key="reveal"))
            if case.live is not None:
                out.append(Action(say("staff.ui.hand_back"), flow.hand_back, key="hand_back"))
            from kiosk.ui.idcard_staff import card_action

            out += [a for a in (card_action(flow),) if a is not None]
        out.append(Action(say("staff.ui.to_tickets"), lambda: flow.go("staff_tickets"), key="tickets"))
        return out
