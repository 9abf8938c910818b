"""`kiosk printer selftest --png` and `kiosk receipt NO --png` end to end."""
from PIL import Image
from pyzbar.pyzbar import decode

from kiosk.cli import main
from kiosk.config import load_settings
from kiosk.store.model import Draft
from kiosk.store.sqlite import open_store


def test_selftest_png_has_both_qr_kinds(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_PRINTER__PAPER_MM", "58")
    out = tmp_path / "self.png"
    assert main(["printer", "selftest", "--png", str(out)]) == 0
    codes = decode(Image.open(out))
    assert sorted(c.data.decode() for c in codes) == ["KIOSK:SELFTEST", "KIOSK:SELFTEST"]


def test_selftest_reports_status_and_prints_to_preview(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    assert main(["printer", "selftest"]) == 0
    assert "ready" in capsys.readouterr().out
    assert (tmp_path / "previews" / "latest.png").exists()


def test_receipt_command_renders_stored_submission(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_STAFF_SECRET", "staff-secret-for-test-2026")
    settings = load_settings()
    with open_store(settings) as store:
        sub = store.submit(Draft("d1", "elderly_allowance",
                                 {"name": "张小明", "id_number": "110105195003051234", "applicant": "self"},
                                 {"name", "id_number"}))
    out = tmp_path / "r.png"
    assert main(["receipt", sub.receipt_no, "--png", str(out)]) == 0
    assert [c.data.decode() for c in decode(Image.open(out))] == [f"KIOSK:{sub.receipt_no}:{sub.check_code}"]
    assert main(["receipt", "20990101-K01-9999", "--png", str(out)]) == 1
    monkeypatch.setenv("KIOSK_STAFF_SECRET", "wrong")
    assert main(["receipt", sub.receipt_no, "--png", str(out)]) == 1
    assert "does not unlock" in capsys.readouterr().out


def test_queue_command_lists_no_personal_data(tmp_path, monkeypatch, capsys):
    from kiosk.catalogue.spec import SiteSpec
    from kiosk.config import PrinterSettings
    from kiosk.printing.printers import MemoryPrinter
    from kiosk.printing.queue import PrintQueue
    from kiosk.printing.sample import SampleSubmission, sample_form
    from kiosk.printing.service import PrintService
    from kiosk.store.db import Database

    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    settings = load_settings()
    db = Database(settings.db_path)
    printer = MemoryPrinter()
    printer.fail_with("paper_out")
    job_id = PrintService(printer, PrintQueue(db), PrinterSettings()).print_submission(
        SampleSubmission(), sample_form(), SiteSpec()).job_id
    db.close()
    assert main(["printer", "queue"]) == 0
    listing = capsys.readouterr().out
    assert "20261123-K01-0007" in listing and "paper_out" in listing and "张" not in listing
    assert main(["printer", "dismiss", str(job_id), "--staff", "S01"]) == 0
    assert main(["printer", "queue"]) == 0
    assert "0 receipt(s) waiting" in capsys.readouterr().out
