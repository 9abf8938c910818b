"""`kiosk staff set-pin | audit | tickets`: the staff area's maintenance commands (no personal data)."""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import sys

from kiosk.config import load_settings
from kiosk.staff.audit import AuditLog
from kiosk.staff.errors import StaffError
from kiosk.staff.pin import PinVault
from kiosk.staff.tickets import TicketBook
from kiosk.store.sqlite import open_store


def register(subparsers) -> None:
    """Add `kiosk staff ...` to the CLI."""
    parser = subparsers.add_parser("staff", help="staff PIN, audit log, handoff tickets")
    sub = parser.add_subparsers(dest="staff_command", metavar="ACTION", required=True)
    pin = sub.add_parser("set-pin", help="set a staff member's PIN (asked twice, never echoed)")
    pin.add_argument("--staff", default="staff", help="work number / id, not a name (default: staff)")
    pin.add_argument("--pin-stdin", action="store_true", help="read the PIN from stdin (for provisioning scripts)")
    pin.set_defaults(func=_set_pin)
    audit = sub.add_parser("audit", help="print the audit log (personal values are masked)")
    audit.add_argument("--day", help="only this day (YYYY-MM-DD)")
    audit.add_argument("--target", help="only this draft id / receipt no / ticket no")
    audit.add_argument("--verify", action="store_true",
                       help="check the keyed chain with the staff secret ($KIOSK_STAFF_SECRET, [store] secret_file, "
                            "or asked); without it only the links; exit 1 if broken")
    audit.set_defaults(func=_audit)
    tickets = sub.add_parser("tickets", help="list handoff tickets (open ones, or --day)")
    tickets.add_argument("--day", help="every ticket of this day (YYYY-MM-DD; 'today' allowed)")
    tickets.set_defaults(func=_tickets)


def _open(args):
    settings = load_settings(args.config)
    return settings, open_store(settings, unlock=False)


def _read_pin(from_stdin: bool) -> str | None:
    if from_stdin:
        return sys.stdin.readline().strip()
    first = getpass.getpass("new staff PIN: ")
    if getpass.getpass("again: ") != first:
        print("the two PINs differ; nothing changed")
        return None
    return first


def _set_pin(args: argparse.Namespace) -> int:
    settings, store = _open(args)
    with store:
        pin = _read_pin(args.pin_stdin)
        if pin is None:
            return 2
        vault = PinVault(store.db, max_attempts=settings.staff.max_pin_attempts, lockout_s=settings.staff.lockout_s)
        try:
            vault.set_pin(args.staff, pin)
        except StaffError as err:
            print(err.message())
            return 2
        AuditLog(store.db).record(f"cli:{getpass.getuser()}", "set_pin", args.staff)
    print(f"PIN set for {args.staff}")
    return 0


def _audit(args: argparse.Namespace) -> int:
    settings, store = _open(args)
    with store:
        log = AuditLog(store.db)
        for entry in log.entries(day=args.day, target=args.target):
            print(entry.line())
        if args.verify:
            from kiosk.store.commands import optional_staff_secret  # noqa: PLC0415

            secret = optional_staff_secret(settings)
            keyed = bool(secret)
            if keyed:
                store.unlock(secret)        # StoreError('wrong_secret') at the CLI boundary
            bad = log.verify(store.keyring if keyed else None)
            how = "keyed: every row's HMAC from the first key" if keyed else \
                "links only: give the staff secret for the keyed check"
            print(f"audit chain intact ({how})" if not bad else f"audit chain BROKEN at rows {bad} ({how})")
            return 1 if bad else 0
    return 0


def _tickets(args: argparse.Namespace) -> int:
    settings, store = _open(args)
    day = None
    if args.day:
        day = dt.date.today() if args.day == "today" else dt.date.fromisoformat(args.day)
    with store:
        book = TicketBook(store.db, settings.site.kiosk_id)
        rows = book.list(open_only=day is None, day=day)
        for t in rows:
            where = f"{t.form_id or '-'}/{t.field_id or '-'}"
            ref = t.receipt_no or t.draft_id or "-"
            state = t.status + (f":{t.outcome}" if t.outcome else "")
            print(f"{t.number} {t.created_at:%Y-%m-%d %H:%M} {t.reason:<12} {where:<28} {state:<22} {ref}")
        if not rows:
            print("no open tickets" if day is None else f"no tickets on {day}")
    return 0
