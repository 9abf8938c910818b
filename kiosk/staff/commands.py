"""`kiosk staff set-pin | audit | tickets`: the staff area's maintenance commands (no personal data)."""
from __future__ import annotations

import argparse
import datetime as dt
import getpass
import re
import sys

from kiosk.common.chain import HEAD
from kiosk.config import load_settings
from kiosk.staff.audit import AuditHead, AuditLog
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
    audit.add_argument("--anchor", metavar="ID:HASH:COUNT",
                       help="with --verify: the head the central kept for this kiosk (the output of "
                            "`kiosk central audit-anchor KIOSK_ID`); exit 1 if the log no longer passes through it")
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


def parse_anchor(text: str) -> AuditHead:
    """An AuditHead from `ID:HASH:COUNT` (what `kiosk central audit-anchor` prints); ValueError if malformed."""
    parts = text.strip().split(":")
    if len(parts) != 3 or not re.fullmatch(HEAD, parts[1]):
        raise ValueError("the anchor is ID:HASH:COUNT, as `kiosk central audit-anchor KIOSK_ID` prints it")
    row_id, count = int(parts[0]), int(parts[2])
    if row_id < 0 or count < 0:
        raise ValueError("the anchor's id and count are not negative")
    return AuditHead(row_id, parts[1], count)


def _audit(args: argparse.Namespace) -> int:
    anchor = None
    if args.anchor:
        if not args.verify:
            print("--anchor goes with --verify", file=sys.stderr)
            return 2
        try:
            anchor = parse_anchor(args.anchor)
        except ValueError as err:
            print(f"kiosk staff audit: {err}", file=sys.stderr)
            return 2
    settings, store = _open(args)
    with store:
        log = AuditLog(store.db)
        for entry in log.entries(day=args.day, target=args.target):
            print(entry.line())
        if args.verify:
            from kiosk.store.commands import optional_staff_secret

            secret = optional_staff_secret(settings)
            keyed = bool(secret)
            if keyed:
                store.unlock(secret)        # StoreError('wrong_secret') at the CLI boundary
            bad = log.verify(store.keyring if keyed else None, anchor=anchor)
            how = "keyed: every row's HMAC from the first key" if keyed else \
                "links only: give the staff secret for the keyed check"
            if anchor is not None and anchor.id:
                how += f"; passes through the central's anchor row {anchor.id}" if anchor.id not in bad else \
                    f"; does NOT pass through the central's anchor row {anchor.id} (rewritten or cut)"
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
