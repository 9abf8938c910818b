"""Print service and queue: faults keep the receipt queued until printed or dismissed."""
import pytest

from kiosk.catalogue.spec import SiteSpec
from kiosk.config import PrinterSettings, load_settings
from kiosk.printing.preview import render
from kiosk.printing.printers import (
    PAPER_OUT,
    TIMEOUT,
    MemoryPrinter,
    PreviewPrinter,
    PrinterError,
    SerialPrinter,
    decode_status,
    make_printer,
)
from kiosk.printing.queue import DISMISSED, PRINTED, QUEUED, PrintQueue
from kiosk.printing.sample import SampleSubmission, sample_form
from kiosk.printing.service import PrintService
from kiosk.store.db import Database

FAULT_TEXT = "回执没能打印出来。您的受理号已经保存好了，就是屏幕上的号码，工作人员会帮您补打回执。"


@pytest.fixture
def db(tmp_path):
    d = Database(tmp_path / "kiosk.db")
    yield d
    d.close()


def service(db, printer, **kw):
    return PrintService(printer, PrintQueue(db), PrinterSettings(type="memory", **kw))


def test_printed_receipt_leaves_queue(db):
    printer = MemoryPrinter()
    svc = service(db, printer)
    outcome = svc.print_submission(SampleSubmission(), sample_form(), SiteSpec())
    assert outcome.ok and outcome.message_key == "print_done" and outcome.receipt_no == "20261123-K01-0007"
    assert len(printer.jobs) == 1 and render(printer.jobs[0]).qr_payloads == ["KIOSK:20261123-K01-0007:A0R1KY"]
    assert svc.queue.pending() == []
    assert svc.queue.get(outcome.job_id).state == PRINTED


def test_fault_keeps_job_queued_and_tells_resident_kindly(db, tmp_path):
    printer = MemoryPrinter()
    printer.fail_with(PAPER_OUT)
    svc = service(db, printer)
    outcome = svc.print_submission(SampleSubmission(), sample_form(), SiteSpec())
    assert not outcome.ok and outcome.error_code == PAPER_OUT
    assert outcome.message == FAULT_TEXT
    [job] = svc.queue.pending()
    assert (job.receipt_no, job.tries, job.last_error, job.state) == ("20261123-K01-0007", 1, PAPER_OUT, QUEUED)
    assert job.receipt.applicant_name == "张*明"          # the queue holds masked data only

    # survives a restart of the kiosk
    db.close()
    db2 = Database(tmp_path / "kiosk.db")
    try:
        again = PrintService(printer, PrintQueue(db2), PrinterSettings(type="memory"))
        assert [j.id for j in again.queue.pending()] == [job.id]
        printer.heal()
        assert again.retry(job.id).ok
        assert again.queue.pending() == [] and len(printer.jobs) == 1
    finally:
        db2.close()


def test_staff_reprint_and_dismiss(db):
    printer = MemoryPrinter()
    printer.fail_with(TIMEOUT, times=2)
    svc = service(db, printer)
    a = svc.print_submission(SampleSubmission(), sample_form(), SiteSpec())
    b = svc.print_submission(SampleSubmission(receipt_no="20261123-K01-0008"), sample_form(), SiteSpec())
    assert not a.ok and not b.ok and len(svc.queue.pending()) == 2
    reprinted = svc.reprint(a.job_id, staff="S07")
    assert reprinted.ok
    job = svc.queue.get(a.job_id)
    assert job.state == PRINTED and job.closed_by == "S07"
    assert svc.dismiss(b.job_id, staff="S07").state == DISMISSED
    assert svc.queue.pending() == []
    assert svc.queue.latest_for("20261123-K01-0008").state == DISMISSED


def test_failed_reprint_keeps_job(db):
    printer = MemoryPrinter()
    printer.fail_with(PAPER_OUT)
    svc = service(db, printer)
    out = svc.print_submission(SampleSubmission(), sample_form(), SiteSpec())
    assert not svc.reprint(out.job_id).ok
    assert svc.queue.get(out.job_id).state == QUEUED


def test_queue_schema_registered_with_store_database(db):
    PrintQueue(db)
    assert db.schema_version("printing") == 2
    PrintQueue(db)                                          # idempotent
    assert db.schema_version("printing") == 2


def test_memory_printer_status():
    p = MemoryPrinter()
    assert p.status().ready
    p.fail_with(PAPER_OUT, times=1)
    assert p.status().code == PAPER_OUT
    with pytest.raises(PrinterError):
        p.print_receipt(b"x")
    assert p.status().ready


def test_preview_printer_writes_png_from_bytes(tmp_path):
    p = PreviewPrinter(tmp_path / "prev", paper_mm=58)
    data = b"\x1b@\x1c&" + "您好".encode("gb18030") + b"\n"
    p.print_receipt(data)
    assert p.last_path.exists() and (tmp_path / "prev" / "latest.png").exists()
    with pytest.raises(PrinterError):
        p.print_receipt(b"\x1bZ")                          # bytes no printer understands


def test_make_printer_from_settings(tmp_path):
    s = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path)})
    assert isinstance(make_printer(s), PreviewPrinter)
    assert make_printer(s).out_dir == tmp_path / "previews"
    assert isinstance(make_printer(PrinterSettings(type="memory")), MemoryPrinter)
    serial = make_printer(PrinterSettings(type="serial", port="/dev/ttyS9", baudrate=19200, flow_control="rtscts"))
    assert isinstance(serial, SerialPrinter)
    assert (serial.port, serial.baudrate, serial.flow_control) == ("/dev/ttyS9", 19200, "rtscts")


@pytest.mark.parametrize("replies, code", [
    ((0x12, 0x12, 0x12, 0x12), ""),
    ((0x12, 0x32, 0x12, 0x72), "paper_out"),
    ((0x1A, 0x16, 0x12, 0x12), "cover_open"),
    ((0x1A, 0x52, 0x12, 0x12), "offline"),
    ((0x1A, 0x52, 0x1A, 0x12), "cutter_error"),
    ((0x12, 0x12, 0x12, 0xFF), "bad_status"),            # not a status byte: a fault, never "ready"
    ((0x00, 0x12, 0x12, 0x12), "bad_status"),
    ((0x12, 0x13, 0x12, 0x12), "bad_status"),            # bit 0 set (XOFF): not a status byte
])
def test_decode_dle_eot_status(replies, code):
    st = decode_status(*replies)
    assert st.code == code and st.ready == (code == "")


def test_paper_low_is_reported_but_still_ready():
    st = decode_status(0x12, 0x12, 0x12, 0x1E)
    assert st.ready and st.paper_low


def test_submission_hook_queues_the_job_in_the_submission_transaction(tmp_path):
    from kiosk.store.keyring import ScryptParams
    from kiosk.store.model import Draft
    from kiosk.store.sqlite import SqliteStore

    store = SqliteStore(tmp_path / "kiosk.db", "K01", secret="staff-secret", kdf=ScryptParams(n=2 ** 10))
    try:
        printer = MemoryPrinter()
        svc = PrintService(printer, PrintQueue(store.db), PrinterSettings(type="memory"))
        forms = {"elderly_allowance": sample_form()}
        draft = Draft("d1", "elderly_allowance", {"name": "张小明", "phone": "13812345678"}, {"name", "phone"})
        sub = store.submit(draft, in_transaction=svc.submission_hook(forms, SiteSpec()))
        [job] = svc.queue.pending()                       # committed with the submission
        assert (job.receipt_no, job.tries) == (sub.receipt_no, 0)
        outcome = svc.print_submission(sub, sample_form(), SiteSpec())
        assert outcome.ok and outcome.job_id == job.id    # the queued job is printed, not a second one
        assert svc.queue.pending() == [] and len(printer.jobs) == 1

        def broken(s):
            svc.submission_hook(forms, SiteSpec())(s)
            raise RuntimeError("disk full")

        with pytest.raises(RuntimeError):
            store.submit(Draft("d2", "elderly_allowance", {"name": "李四"}, {"name"}), in_transaction=broken)
        assert svc.queue.pending() == [] and store.receipt_numbers() == [sub.receipt_no]
    finally:
        store.close()
