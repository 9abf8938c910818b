"""Free text is sealed like personal fields; queued receipts keep no masked personal lines in clear.
The raw .db / -wal / -shm bytes are searched."""
from __future__ import annotations

import datetime as dt

from staff_support import FORM, SITE, TODAY, fill_prelude, say_all

from kiosk.dialogue.engine import Visit
from kiosk.printing.queue import PrintQueue
from kiosk.printing.receipt import Receipt
from kiosk.store import ScryptParams, SqliteStore
from kiosk.store.model import sealed_field_ids
from kiosk.store.transient import TransientSeal

SECRET = "sealing-tests-Hq2Xv9Lp7"
FREE_TEXT = "楼上欧阳秀花家漏水，电话13912344321，她独居"
MASKED = ("欧**花", "139****4321", "7号楼")


def raw_bytes(path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in path.parent.iterdir() if p.name.startswith(path.name)}


def test_free_text_and_masked_receipt_lines_never_reach_the_disk_in_clear(tmp_path):
    path = tmp_path / "kiosk.db"
    store = SqliteStore(path, "K01", secret=SECRET, kdf=ScryptParams(n=2 ** 10))
    queue = PrintQueue(store.db)
    visit = Visit(SITE, store, TODAY)
    s = visit.start(FORM)
    fill_prelude(s)
    say_all(s, "张 三", "对")
    s.answers["note"] = FREE_TEXT            # what the pinyin keyboard would have typed
    draft = s._draft()
    assert "note" in draft.personal and "name" in draft.personal
    store.save_draft(draft)
    receipt = Receipt(centre_name="测试社区服务中心", title="报事报修", receipt_no="", created_at=dt.datetime.now(),
                      qr_data="KIOSK:x", help_line="12345", applicant_name=MASKED[0], phone=MASKED[1],
                      address=MASKED[2])
    sub = store.submit(draft, in_transaction=lambda sb: queue.enqueue(
        Receipt(**{**receipt.__dict__, "receipt_no": sb.receipt_no})))
    files = raw_bytes(path)
    searched = sum(len(b) for b in files.values())
    assert searched > 4096 and "kiosk.db-wal" in files
    for name, data in files.items():
        for secret in (FREE_TEXT, "欧阳秀花", "13912344321", *MASKED, "张三"):
            assert secret.encode("utf-8") not in data, f"{secret} in clear in {name}"
    assert sub.receipt_no.encode() in files["kiosk.db-wal"]      # the search does find plain text
    # The running kiosk still reads both back: the submission with the secret, the job from memory.
    assert store.get_submission(sub.receipt_no).answers["note"] == FREE_TEXT
    job = queue.latest_for(sub.receipt_no)
    assert (job.receipt.applicant_name, job.receipt.phone, job.receipt.address) == MASKED
    store.close()


def test_after_a_restart_a_queued_receipt_opens_without_its_personal_lines():
    seal, later = TransientSeal(), TransientSeal()
    row = seal.seal_fields({"applicant_name": "张*明", "title": "报修"}, ["applicant_name"], "R1")
    assert row["title"] == "报修" and "张" not in row["applicant_name"]
    assert seal.open_fields(row, ["applicant_name"], "R1")["applicant_name"] == "张*明"
    assert seal.open_fields(row, ["applicant_name"], "R2")["applicant_name"] == ""    # bound to its receipt
    assert later.open_fields(row, ["applicant_name"], "R1")["applicant_name"] == ""


def test_sealed_ids_cover_personal_and_text_fields_only():
    answered = {"name", "phone", "kind", "visit", "note"}
    assert sealed_field_ids(FORM.fields, answered) == {"name", "phone", "note"}
    assert sealed_field_ids(FORM.fields, {"kind"}) == set()
