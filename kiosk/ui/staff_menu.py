"""Staff menu: what assisted mode offers, with counts, after the PIN.

待处理求助 / 接手当前居民 / 打印队列 / 今日情况 / 退出自助机 (the only way to quit the app,
asked twice), and 退出登录 in the staff bar.
"""
from __future__ import annotations

from kiosk.ui.staff_widgets import Action, Row, StaffListScreen
from kiosk.voices import say


class StaffMenuScreen(StaffListScreen):
    """工作人员菜单."""

    def refresh(self) -> None:
        flow = self.flow
        self.title = say("staff.ui.menu_title")
        self.show_menu = False
        if flow is not None and flow.unlocked:
            lines = [say("staff.ui.menu_intro", staff=flow.session.staff_id)]
            resident = flow.resident_session()
            if resident is not None:
                lines.append(say("staff.ui.menu_resident", title=resident.form.title))
            self.intro_text = "\n".join(lines)
        super().refresh()

    def rows(self) -> list[Row]:
        flow = self.flow
        s = flow.session
        tickets = len(s.tickets())
        rows = [Row(say("staff.ui.menu_tickets", n=tickets), lambda: flow.go("staff_tickets"))]
        if flow.resident_session() is not None:
            rows.append(Row(say("staff.ui.menu_take_over"), flow.take_over))
        if flow.mode.printing is not None:
            pending = len(flow.mode.printing.queue.pending())
            rows.append(Row(say("staff.ui.menu_print", n=pending), lambda: flow.go("staff_print")))
        rows.append(Row(say("staff.ui.menu_day"), lambda: flow.go("staff_day")))
        return rows

    def actions(self) -> list[Action]:
        flow = self.flow
        # Apart from the everyday rows, so it is never tapped by mistake; asked twice.
        return [Action(say("staff.ui.exit_really" if flow.exit_armed else "staff.ui.menu_exit"),
                       flow.exit_kiosk, "staff", "exit")]
