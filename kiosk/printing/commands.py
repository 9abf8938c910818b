"""`kiosk printer selftest | queue | reprint | dismiss` and `kiosk receipt RECEIPT_NO --png`."""
from __future__ import annotations

import argparse

from kiosk.config import load_settings


def register(subparsers) -> None:
    """Add the printer and receipt commands to the CLI."""
    printer = subparsers.add_parser("printer", help="receipt printer: self-test and print queue")
    sub = printer.add_subparsers(dest="printer_command", metavar="ACTION", required=True)
    st = sub.add_parser("selftest", help="print a test page (Chinese, both QR kinds, ruler) and report status")
    st.add_argument("--png", help="render the test page to this PNG instead of printing")
    st.set_defaults(func=_selftest)
    sub.add_parser("queue", help="receipts waiting to be printed").set_defaults(func=_queue)
    rp = sub.add_parser("reprint", help="print a queued receipt again")
    rp.add_argument("job_id", type=int)
    rp.add_argument("--staff", default="", help="staff id for the record")
    rp.set_defaults(func=_reprint)
    dm = sub.add_parser("dismiss", help="take a receipt off the queue without printing")
    dm.add_argument("job_id", type=int)
    dm.add_argument("--staff", default="", help="staff id for the record")
    dm.set_defaults(func=_dismiss)

    receipt = subparsers.add_parser("receipt", help="render a stored receipt (needs the staff secret)")
    receipt.add_argument("receipt_no")
    receipt.add_argument("--png", required=True, help="output PNG path")
    receipt.set_defaults(func=_receipt)


def _selftest(args: argparse.Namespace) -> int:
    from kiosk.printing.preview import render_png
    from kiosk.printing.printers import PrinterError, make_printer
    from kiosk.printing.selftest import selftest_job

    settings = load_settings(args.config)
    data = selftest_job(settings.printer)
    if args.png:
        render_png(data, args.png, settings.printer.paper_mm, settings.printer.encoding, settings.printer.font_path)
        print(f"test page ({len(data)} bytes) written to {args.png}")
        return 0
    printer = make_printer(settings)
    status = printer.status()
    print(f"printer {settings.printer.type}: {'ready' if status.ready else 'NOT READY: ' + status.code}"
          f"{' (paper low)' if status.paper_low else ''}")
    try:
        printer.print_receipt(data)
    except PrinterError as err:
        print(f"test page not printed: {err.code} {err.message}")
        return 1
    where = getattr(printer, "last_path", None)
    print(f"test page sent: {len(data)} bytes{f' -> {where}' if where else ''}")
    return 0


def _service(settings):
    from kiosk.printing.printers import make_printer
    from kiosk.printing.queue import PrintQueue
    from kiosk.printing.service import PrintService
    from kiosk.store.db import Database

    db = Database(settings.db_path)
    return db, PrintService(make_printer(settings), PrintQueue(db), settings.printer)


def _queue(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    db, service = _service(settings)
    try:
        jobs = service.queue.pending()
        for job in jobs:   # receipt numbers and error codes only: no personal data on the terminal
            print(f"{job.id:>5}  {job.receipt_no}  tries={job.tries}  error={job.last_error or '-'}  "
                  f"since {job.created_at:%Y-%m-%d %H:%M}")
        print(f"{len(jobs)} receipt(s) waiting")
    finally:
        db.close()
    return 0


def _reprint(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    db, service = _service(settings)
    try:
        outcome = service.reprint(args.job_id, args.staff)
    except KeyError:
        print(f"no print job {args.job_id}")
        return 1
    finally:
        db.close()
    print(f"{outcome.receipt_no}: {'printed' if outcome.ok else 'failed: ' + outcome.error_code}")
    return 0 if outcome.ok else 1


def _dismiss(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    db, service = _service(settings)
    try:
        job = service.dismiss(args.job_id, args.staff)
    except KeyError:
        print(f"no print job {args.job_id}")
        return 1
    finally:
        db.close()
    print(f"{job.receipt_no}: dismissed")
    return 0


def _receipt(args: argparse.Namespace) -> int:
    from kiosk.catalogue.loader import load_catalogue
    from kiosk.printing.layout import encode_receipt
    from kiosk.printing.preview import render_png
    from kiosk.printing.receipt import receipt_for
    from kiosk.store.sqlite import open_store

    settings = load_settings(args.config)
    with open_store(settings, unlock=True) as store:
        if not store.keyring.unlocked:
            print(f"the staff secret in ${settings.store.secret_env} does not unlock the store")
            return 1
        submission = store.get_submission(args.receipt_no)
    if submission is None:
        print(f"no receipt {args.receipt_no}")
        return 1
    catalogue = load_catalogue(settings.forms_dir)
    if submission.form_id not in catalogue:
        print(f"form {submission.form_id} is not in {settings.forms_dir}")
        return 1
    receipt = receipt_for(submission, catalogue.get(submission.form_id), settings.site,
                          settings.printer.status_url_base)
    p = settings.printer
    render_png(encode_receipt(receipt, p), args.png, p.paper_mm, p.encoding, p.font_path)
    print(f"receipt {args.receipt_no} written to {args.png}")
    return 0
