"""`kiosk console FORM_ID --json`: every shipped form end to end from vosk-shaped transcripts."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from kiosk.catalogue.loader import load_catalogue
from kiosk.catalogue.spec import SiteSpec
from kiosk.config import REPO_DIR
from kiosk.dialogue.engine import Stage, Visit
from kiosk.dialogue.sample import sample_transcript, spell_digits
from kiosk.store.memory import MemoryStore

FORMS = load_catalogue(REPO_DIR / "forms").forms


def script_for(form) -> list[str]:
    """Transcripts for a family-helper application with a correction, a repeat and a back."""
    visit = Visit(SiteSpec(), MemoryStore("K01"))
    session = visit.start(form)
    lines: list[str] = []
    tricks = {"correct": False, "repeat": False, "back": False}
    prelude = iter(["代办", "对", "王 小 红", "对", "女儿", "对", spell_digits("13900001111"), "对"])

    def send(line: str) -> None:
        lines.append(line)
        session.hear(line)

    for _ in range(300):
        if session.stage in (Stage.DONE, Stage.CANCELLED):
            break
        field = session.field
        if session.stage is Stage.ASK:
            if field.id.startswith("helper") or field.id == "applicant":
                send(next(prelude))
                continue
            if field.id != "consent" and not tricks["repeat"]:
                tricks["repeat"] = True
                send("再说 一遍")
            send(sample_transcript(field, visit.site))
        elif session.stage is Stage.CONFIRM:
            if field.id.startswith("helper") or field.id == "applicant":
                send(next(prelude))
            elif field.id != "consent" and not tricks["correct"]:
                tricks["correct"] = True
                send("不对")
            elif field.id != "consent" and tricks["correct"] and not tricks["back"]:
                tricks["back"] = True
                send("对")
                send("上一步")
            else:
                send("对")
        elif session.stage is Stage.REUSE:
            send("对")
        elif session.stage is Stage.REVIEW:
            send("提交")
    assert session.stage is Stage.DONE, f"{form.id} could not be completed in the dry run"
    assert all(tricks.values())
    return lines


@pytest.mark.parametrize("form_id", list(FORMS))
def test_every_form_completes_through_the_console(form_id, tmp_path):
    script = script_for(FORMS[form_id])
    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path), KIOSK_STAFF_SECRET="test-secret-9f3Kq7Lx2")
    proc = subprocess.run(
        [sys.executable, "-m", "kiosk.cli", "console", form_id, "--json"],
        input="\n".join(script) + "\n", capture_output=True, text=True, env=env, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    events = [json.loads(line) for line in proc.stdout.splitlines()]
    types = [e["type"] for e in events]
    assert events[-1]["type"] == "result" and events[-1]["receipt_no"]
    assert "submitted" in types and "understood" in types
    assert sum(t == "prompt" for t in types) > len(FORMS[form_id].fields)
    assert any(e.get("field_id") == "helper_relation" and e["type"] == "confirmed" for e in events)
    assert "王小红" in proc.stdout                     # Chinese kept, not \\u-escaped
    # the real SQLite file holds the submission but not the helper's phone in clear text
    raw = b"".join(p.read_bytes() for p in tmp_path.glob("kiosk.db*"))
    assert b"13900001111" not in raw and "王小红".encode() not in raw


def test_unknown_form_names_the_known_ones(tmp_path):
    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path), KIOSK_STAFF_SECRET="test-secret-9f3Kq7Lx2")
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "console", "nope"], capture_output=True,
                          text=True, env=env, timeout=60)
    assert proc.returncode == 2 and "repair_request" in proc.stderr


def test_plain_console_prints_questions_and_receipt(tmp_path):
    script = script_for(FORMS["complaint"])
    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path), KIOSK_STAFF_SECRET="test-secret-9f3Kq7Lx2")
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "console", "complaint"],
                          input="\n".join(script), capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert "? 请问是您本人办理" in proc.stdout and "受理号: 20" in proc.stdout


def test_runtime_forgets_drafts_older_than_the_purge_setting(tmp_path):
    import datetime

    from kiosk.config import load_settings
    from kiosk.runtime import open_runtime
    from kiosk.store.model import Draft

    now = [datetime.datetime(2026, 11, 1, 9, 0, tzinfo=datetime.timezone.utc)]
    store = MemoryStore("K01", clock=lambda: now[0])
    store.save_draft(Draft("old", "complaint", {"topic": "x"}))
    now[0] += datetime.timedelta(hours=70)
    store.save_draft(Draft("recent", "complaint", {"topic": "y"}))
    now[0] += datetime.timedelta(hours=3)          # "old" is 73 h old, "recent" 3 h
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_STORE__DRAFT_PURGE_HOURS": "72"})
    runtime = open_runtime(settings, store=store)  # purges at start
    assert store.load_draft("old") is None and store.load_draft("recent") is not None
    assert runtime.purge_old_drafts() == 0


# Keys each event carried before events were typed: `--json` is a public interface, so every one
# of them must still be there (newer keys are only added).
OLD_KEYS = {
    "form_started": {"form_id", "title", "text", "speech", "draft_id"},
    "prompt": {"field_id", "field_type", "label", "text", "speech", "help", "optional", "step", "total",
               "choices", "current", "bounds", "attempts", "repeat"},
    "understood": {"field_id", "value", "display", "text", "speech"},
    "rejected": {"field_id", "key", "text", "speech", "attempts"},
    "confirmed": {"field_id", "value", "display"},
    "reuse_offered": {"field_id", "label", "value", "display", "text", "speech"},
    "review": {"items", "text", "speech"},
    "submitted": {"receipt_no", "uuid", "form_id", "documents", "department", "opening_hours", "text", "speech"},
}


def test_json_lines_keep_their_shape_and_read_back_as_typed_events():
    import io

    from kiosk.console import run_console
    from kiosk.dialogue.events import DialogueEvent

    form = FORMS["repair_request"]
    out = io.StringIO()
    receipt = run_console(Visit(SiteSpec(), MemoryStore("K01")), form, io.StringIO("\n".join(script_for(form))),
                          out, as_json=True)
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    assert receipt and lines[-1] == {"type": "result", "receipt_no": receipt}
    heard = [e for e in lines if e["type"] == "heard"]
    assert heard and all(set(e) == {"type", "transcript", "confidence", "via"} for e in heard)
    seen = set()
    for line in lines[:-1]:
        seen.add(line["type"])
        assert OLD_KEYS.get(line["type"], set()) <= set(line), line["type"]
        event = DialogueEvent.from_dict(line)
        assert {k: v for k, v in event.to_dict().items() if k != "submission"} == line
    assert set(OLD_KEYS) - {"reuse_offered", "rejected"} <= seen
