"""`kiosk console FORM_ID`: the same engine in a terminal, for staff trying a form and for tests.

Each stdin line is one transcript exactly as vosk would return it ("一 三 八 ..."). Prompts go to
stdout; with --json every event is one JSON line (ensure_ascii=False) and the run ends with the
receipt number. The session ends when the form is submitted or cancelled, or stdin runs out.
"""
from __future__ import annotations

import json
import sys
from typing import TYPE_CHECKING, TextIO

from kiosk.catalogue.spec import FormSpec
from kiosk.dialogue.engine import Visit
from kiosk.dialogue.events import DialogueEvent, EventType

if TYPE_CHECKING:
    from kiosk.runtime import Runtime

_ENDING = {EventType.SUBMITTED, EventType.CANCELLED, EventType.ENDED}


def run_console(visit: Visit, form: FormSpec, lines: TextIO, out: TextIO, as_json: bool = False) -> str | None:
    """Drive one form from transcript lines; returns the receipt number when submitted."""
    finished: list[DialogueEvent] = []

    def show(event: DialogueEvent) -> None:
        if as_json:
            data = {k: v for k, v in event.to_dict().items() if k != "submission"}
            out.write(json.dumps(data, ensure_ascii=False, default=str) + "\n")
        elif event.type is EventType.HEARD:
            pass
        elif "text" in event.data:
            marker = "?" if event.type in (EventType.PROMPT, EventType.UNDERSTOOD, EventType.REUSE_OFFERED,
                                            EventType.CANCEL_ASKED, EventType.REVIEW) else " "
            out.write(f"{marker} {event.data['text']}\n")
            for item in event.data.get("items", []):
                out.write(f"    {item['label']}: {item['display']}\n")
        out.flush()
        if event.type in _ENDING:
            finished.append(event)

    visit.subscribe(show)
    session = visit.start(form)
    for line in lines:
        if finished:
            break
        session.hear(line.rstrip("\n"))
    receipt = session.receipt_no
    if as_json:
        out.write(json.dumps({"type": "result", "receipt_no": receipt}, ensure_ascii=False) + "\n")
    else:
        out.write(f"受理号: {receipt}\n" if receipt else "未提交\n")
    out.flush()
    if receipt:   # the number is out: not a receipt nobody saw (see SubmissionStore.unshown_receipts)
        visit.store.mark_receipt_shown(receipt)
    return receipt


def main_console(runtime: Runtime, form_id: str, as_json: bool) -> int:
    """Entry for the CLI: exit 0 when submitted, 1 otherwise."""
    form = runtime.catalogue.forms.get(form_id)
    if form is None:
        known = ", ".join(runtime.catalogue.forms)
        print(f"unknown form {form_id!r}; known forms: {known}", file=sys.stderr)
        return 2
    receipt = run_console(runtime.new_visit(), form, sys.stdin, sys.stdout, as_json)
    return 0 if receipt else 1
