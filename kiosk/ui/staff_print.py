"""Staff: receipts waiting in the print queue; tap one, then 重新打印 or 不用打印了."""
from __future__ import annotations

from kiosk.ui.staff_widgets import Action, Row, StaffListScreen
from kiosk.voices import say


class StaffPrintScreen(StaffListScreen):
    """打印队列."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.job_id: int | None = None

    def refresh(self) -> None:
        self.title = say("staff.ui.print_title")
        self.intro_text = say("staff.ui.print_intro")
        printing = self.flow.mode.printing
        if printing is not None and printing.queue.paper_low():     # paper near end: load a roll soon
            self.intro_text += "\n" + say("print_paper_low_notice")
        super().refresh()

    def rows(self) -> list[Row]:
        jobs = self.flow.session.print_jobs()
        if self.job_id not in {j.id for j in jobs}:
            self.job_id = jobs[0].id if jobs else None
        rows = []
        for j in jobs:
            why = say(f"staff.ui.print_error.{j.last_error}") if j.last_error in PRINT_ERRORS else j.last_error
            if j.state == "unconfirmed":      # a printer without status: nobody knows it came out
                why = say("print_staff_unconfirmed")
            elif j.partial:                   # a torn, incomplete slip may be in the printer
                why = say("print_staff_partial", why=why)
            text = say("staff.ui.print_row", receipt=j.receipt_no, title=j.receipt.title,
                       why=why or say("staff.ui.print_waiting"), tries=j.tries)
            rows.append(Row(text, lambda j=j: self.pick(j.id), selected=j.id == self.job_id))
        if not rows:
            rows.append(Row(say("staff.ui.print_none")))
        return rows

    def pick(self, job_id: int) -> None:
        """Select a job for the buttons."""
        self.job_id = job_id
        self.refresh()

    def actions(self) -> list[Action]:
        if self.job_id is None:
            return []
        flow, job = self.flow, self.job_id
        return [Action(say("staff.ui.reprint"), lambda: flow.reprint(job), "primary", "reprint"),
                Action(say("staff.ui.dismiss_print"), lambda: flow.dismiss_print(job), key="dismiss")]


PRINT_ERRORS = ("paper_out", "offline", "cover_open", "unplugged", "timeout", "no_reply", "io_error",
                "driver_missing", "encoding", "bad_status", "cutter_error")
