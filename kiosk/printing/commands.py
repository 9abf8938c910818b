"""`kiosk printer selftest | queue | reprint | dismiss` and `kiosk receipt NO --png | --bytes | --print`.

Terminal output names receipt numbers, job ids and error codes only, never personal data.
`kiosk receipt NO --print` takes the staff-reprint path (print queue, status after the last
byte) and exits 1 unless the printer confirms the copy.
"""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.config import load_settings


def register(subparsers: Any) -> None:
    """Add the printer and receipt commands to the CLI."""
    printer = subparsers.add_parser("printer", help="receipt printer: self-test and print queue")
    sub = printer.add_subparsers(dest="printer_command", metavar="ACTION", required=True)
    st = sub.add_parser("selftest", help="print a test page and confirm it by the printer's status after the last byte")
    st.add_argument("--png", help="render the test page to this PNG instead of printing")
    st.set_defaults(func=_selftest)
    sub.add_parser("queue", help="receipts not confirmed as printed (queued, partial, unconfirmed)").set_defaults(
        func=_queue)
    rp = sub.add_parser("reprint", help="print a queued receipt again (marked 补打)")
    rp.add_argument("job_id", type=int)
    rp.add_argument("--staff", default="", help="staff id for the record")
    rp.set_defaults(func=_reprint)
    dm = sub.add_parser("dismiss", help="take a receipt off the queue without printing")
    dm.add_argument("job_id", type=int)
    dm.add_argument("--staff", default="", help="staff id for the record")
    dm.set_defaults(func=_dismiss)

    receipt = subparsers.add_parser("receipt", help="a stored receipt: render, write its bytes, or print it")
    receipt.add_argument("receipt_no")
    receipt.add_argument("--png", help="render the receipt (from its ESC/POS bytes) to this PNG")
    receipt.add_argument("--bytes", dest="bytes_out", help="write the exact ESC/POS bytes to this file")
    receipt.add_argument("--print", dest="do_print", action="store_true",
                         help="print on the configured printer like a staff reprint; exit 1 unless confirmed")
    receipt.add_argument("--staff", default="", help="staff id for the record (with --print)")
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
        result = printer.print_receipt(data)
    except PrinterError as err:
        print(f"test page not printed: {err.code} after {err.bytes_sent} of {len(data)} bytes {err.message}")
        return 1
    where = getattr(printer, "last_path", None)
    state = "confirmed by the printer's status" if result.confirmed else "UNCONFIRMED (printer gives no status)"
    print(f"test page sent: {len(data)} bytes in {result.wire_s:.2f} s, {state}"
          f"{' (paper low)' if result.paper_low else ''}{f' -> {where}' if where else ''}")
    return 0 if result.confirmed else 1


def _service(settings: Any) -> Any:
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
            state = "partial" if job.partial else job.state
            sent = f"  sent={job.bytes_sent}/{job.job_bytes}B" if job.job_bytes else ""
            print(f"{job.id:>5}  {job.receipt_no}  {state:<11} tries={job.tries}  error={job.last_error or '-'}"
                  f"{sent}  since {job.created_at:%Y-%m-%d %H:%M}")
        print(f"{len(jobs)} receipt(s) waiting")
        if service.queue.paper_low():
            print("printer paper is near its end: load a new roll")
    finally:
        db.close()
    return 0


def _report(outcome: Any) -> int:
    if outcome.ok and outcome.confirmed:
        print(f"{outcome.receipt_no}: printed and confirmed ({outcome.bytes_sent} bytes)")
        return 0
    if outcome.ok:
        print(f"{outcome.receipt_no}: sent ({outcome.bytes_sent} bytes) but NOT confirmed: the printer gives no status")
        return 1
    print(f"{outcome.receipt_no}: failed: {outcome.error_code} after {outcome.bytes_sent} of {outcome.job_bytes} bytes")
    return 1


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
    return _report(outcome)


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


def _stored_receipt(settings: Any, receipt_no: str) -> Any:
    """The masked Receipt of a stored submission (needs the staff secret), or an exit code."""
    from kiosk.catalogue.loader import load_catalogue
    from kiosk.printing.receipt import receipt_for
    from kiosk.store.commands import unlock_for_staff
    from kiosk.store.sqlite import open_store

    with open_store(settings, unlock=True) as store:
        if not unlock_for_staff(store, settings):   # the secret is not on the kiosk: asked here
            print(f"the staff secret (${settings.store.secret_env}, [store] secret_file or typed) "
                  "does not unlock the store")
            return 1
        submission = store.get_submission(receipt_no)
    if submission is None:
        print(f"no receipt {receipt_no}")
        return 1
    catalogue = load_catalogue(settings.forms_dir)
    if submission.form_id not in catalogue:
        print(f"form {submission.form_id} is not in {settings.forms_dir}")
        return 1
    return receipt_for(submission, catalogue.get(submission.form_id), settings.site, settings.printer.status_url_base)


def _receipt(args: argparse.Namespace) -> int:
    from kiosk.printing.layout import encode_receipt
    from kiosk.printing.preview import render_png

    if not (args.png or args.bytes_out or args.do_print):
        print("say what to do: --png FILE, --bytes FILE and/or --print")
        return 2
    settings = load_settings(args.config)
    receipt = _stored_receipt(settings, args.receipt_no)
    if isinstance(receipt, int):
        return receipt
    p = settings.printer
    data = encode_receipt(receipt, p)
    if args.bytes_out:
        Path(args.bytes_out).write_bytes(data)
        print(f"receipt {args.receipt_no}: {len(data)} bytes written to {args.bytes_out}")
    if args.png:
        render_png(data, args.png, p.paper_mm, p.encoding, p.font_path)
        print(f"receipt {args.receipt_no} written to {args.png}")
    if not args.do_print:
        return 0
    db, service = _service(settings)
    try:
        job = service.queue.latest_for(args.receipt_no) or service.queue.enqueue(receipt)
        return _report(service.reprint(job.id, args.staff, receipt=receipt))
    finally:
        db.close()
