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
    printer.fail_with("unplugged", bytes_sent=300)          # a second receipt torn off mid-job
    PrintService(printer, PrintQueue(db), PrinterSettings()).print_submission(
        SampleSubmission(receipt_no="20261123-K01-0008"), sample_form(), SiteSpec())
    db.close()
    assert main(["printer", "queue"]) == 0
    listing = capsys.readouterr().out
    assert "20261123-K01-0007" in listing and "paper_out" in listing and "张" not in listing
    partial = next(line for line in listing.splitlines() if "20261123-K01-0008" in line)
    assert "partial" in partial and "unplugged" in partial and "sent=300/" in partial
    assert main(["printer", "dismiss", str(job_id + 1), "--staff", "S01"]) == 0
    assert main(["printer", "dismiss", str(job_id), "--staff", "S01"]) == 0
    assert main(["printer", "queue"]) == 0
    assert "0 receipt(s) waiting" in capsys.readouterr().out


def stored_receipt(tmp_path, monkeypatch):
    """A submission in a real store; returns (settings, submission)."""
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_STAFF_SECRET", "staff-secret-for-test-2026")
    settings = load_settings()
    with open_store(settings) as store:
        sub = store.submit(Draft("d1", "meal_booking",
                                 {"name": "张小明", "phone": "13812345678", "meals": ["lunch"],
                                  "start_date": "2026-12-03", "days": 5, "pickup": "dine_in",
                                  "has_diet_needs": False, "applicant": "proxy", "helper_relation": "child"},
                                 {"name", "phone"}))
    return settings, sub


# These tests are about the commands, not the line: the kiosk writes at 115200 baud and the
# simulated printer reads that fast (9600-baud pacing is proven in tests/test_printing_serial.py).
FAST_BAUD = 115200
FAST_RATE = FAST_BAUD / 10          # bytes per second: 8 data bits, start and stop


def serial_env(monkeypatch, port, status=True):
    monkeypatch.setenv("KIOSK_PRINTER__TYPE", "serial")
    monkeypatch.setenv("KIOSK_PRINTER__BAUDRATE", str(FAST_BAUD))
    monkeypatch.setenv("KIOSK_PRINTER__PORT", port)
    monkeypatch.setenv("KIOSK_PRINTER__STATUS_QUERY", "true" if status else "false")


def test_receipt_bytes_then_print_confirmed_on_a_serial_printer(tmp_path, monkeypatch, capsys):
    from kiosk.printing.preview import render
    from kiosk.printing.simulator import PrinterSim, pty_pair

    _, sub = stored_receipt(tmp_path, monkeypatch)
    out = tmp_path / "r.bin"
    assert main(["receipt", sub.receipt_no, "--bytes", str(out)]) == 0
    data = out.read_bytes()
    lines = render(data, 80).lines
    assert sub.receipt_no in lines and "由家属代办：子女" in lines and "预约内容：" in lines
    assert "提交时间：" in "".join(lines) and "工作人员扫码调取" in lines
    with pty_pair() as (kiosk_end, printer_end, _):
        sim = PrinterSim(printer_end, rate=FAST_RATE)
        sim.start()
        try:
            serial_env(monkeypatch, kiosk_end)
            assert main(["receipt", sub.receipt_no, "--print", "--staff", "S01"]) == 0
        finally:
            sim.close()
    assert bytes(sim.job) == data                       # first print: the exact bytes, confirmed
    assert "printed and confirmed" in capsys.readouterr().out


def test_receipt_print_exits_1_when_not_confirmed(tmp_path, monkeypatch, capsys):
    from kiosk.printing.simulator import PrinterSim, pty_pair

    _, sub = stored_receipt(tmp_path, monkeypatch)
    with pty_pair() as (kiosk_end, printer_end, _):
        sim = PrinterSim(printer_end, rate=FAST_RATE, fault="silent", after=100)
        sim.start()
        try:
            serial_env(monkeypatch, kiosk_end)
            assert main(["receipt", sub.receipt_no, "--print"]) == 1
            assert "failed: no_reply" in capsys.readouterr().out
            serial_env(monkeypatch, kiosk_end, status=False)
            assert main(["receipt", sub.receipt_no, "--print"]) == 1    # sent, but nobody confirmed it
            assert "NOT confirmed" in capsys.readouterr().out
        finally:
            sim.close()
    assert main(["printer", "queue"]) == 0
    listing = capsys.readouterr().out
    assert sub.receipt_no in listing and "unconfirmed" in listing and "1 receipt(s) waiting" in listing


def test_selftest_checks_status_after_the_last_byte(tmp_path, monkeypatch, capsys):
    from kiosk.printing.simulator import PrinterSim, pty_pair

    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    for fault, code in (("", 0), ("paper_out", 1)):
        with pty_pair() as (kiosk_end, printer_end, _):
            sim = PrinterSim(printer_end, rate=FAST_RATE, fault=fault, after=100)
            sim.start()
            try:
                serial_env(monkeypatch, kiosk_end)
                assert main(["printer", "selftest"]) == code
            finally:
                sim.close()
        out = capsys.readouterr().out
        if fault:
            assert "test page not printed: paper_out" in out
        else:   # 4 status queries for the report, 4 before the page, 4 after its last byte
            assert sim.queries == 12 and "confirmed by the printer's status" in out


def test_a_console_submission_queues_its_print_job_like_the_touchscreen(tmp_path, monkeypatch, capsys):
    import os
    import subprocess
    import sys

    from test_console import FORMS, script_for

    from kiosk.printing.preview import render
    from kiosk.printing.simulator import PrinterSim, pty_pair

    env = dict(os.environ, KIOSK_DATA_DIR=str(tmp_path), KIOSK_STAFF_SECRET="test-secret-9f3Kq7Lx2")
    proc = subprocess.run([sys.executable, "-m", "kiosk.cli", "console", "home_service", "--json"],
                          input="\n".join(script_for(FORMS["home_service"])) + "\n", capture_output=True,
                          text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    receipt_no = [line for line in proc.stdout.splitlines() if '"result"' in line][-1].split('"receipt_no": "')[1][:17]
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_STAFF_SECRET", "test-secret-9f3Kq7Lx2")
    assert main(["printer", "queue"]) == 0                 # queued in the submission's transaction
    waiting = capsys.readouterr().out
    assert receipt_no in waiting and "tries=0" in waiting and "1 receipt(s) waiting" in waiting
    with pty_pair() as (kiosk_end, printer_end, _):
        sim = PrinterSim(printer_end, rate=FAST_RATE)
        sim.start()
        try:
            serial_env(monkeypatch, kiosk_end)
            assert main(["receipt", receipt_no, "--print"]) == 0
        finally:
            sim.close()
    lines = render(bytes(sim.job), 80).lines
    assert receipt_no in lines and "由家属代办：子女" in lines and "预约内容：" in lines
    assert "补打" not in lines                              # its first print, not a reprint
    assert main(["printer", "queue"]) == 0 and "0 receipt(s) waiting" in capsys.readouterr().out
