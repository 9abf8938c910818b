"""`kiosk sync now | status | resend`: send the outbox by hand, see what waits or was refused, resend it."""
from __future__ import annotations

import json

from kiosk.config import load_settings
from kiosk.store.sqlite import open_store


def register(subparsers) -> None:
    """Add `kiosk sync ...` to the CLI."""
    parser = subparsers.add_parser("sync", help="send submissions to the central service")
    sub = parser.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    sub.add_parser("now", help="one sync round now; exit 1 if anything is left unsent or refused"
                   ).set_defaults(func=_now)
    sub.add_parser("status", help="configured url, pending and refused items, registration").set_defaults(func=_status)
    resend = sub.add_parser("resend", help="put items the central refused for good back in the queue "
                                           "(after the central was fixed or upgraded)")
    which = resend.add_mutually_exclusive_group(required=True)
    which.add_argument("receipts", nargs="*", default=[], metavar="RECEIPT_NO", help="these receipt numbers")
    which.add_argument("--all", action="store_true", help="every refused item")
    resend.set_defaults(func=_resend)


def _now(args) -> int:
    from kiosk.sync.client import SyncClient
    settings = load_settings(args.config)
    if not settings.sync.url:
        print("sync.url is empty: this kiosk works alone (set [sync] url and token)")
        return 2
    with open_store(settings, unlock=False) as store, \
            SyncClient(store, settings.sync.url, settings.sync.token, settings.site.kiosk_id,
                       batch_size=settings.sync.batch_size, timeout_s=settings.sync.timeout_s,
                       allow_insecure=settings.sync.allow_insecure) as client:
        report = client.sync_once()
        refused = store.outbox.count_refused()
    print(f"sent {report.sent}, not acknowledged {report.failed}, pending {report.pending}, "
          f"refused for good {refused}" + (f" ({report.error})" if report.error else ""))
    if refused:
        print("refused items wait for staff: `kiosk sync status` lists them, `kiosk sync resend` sends them again")
    return 0 if report.ok and report.pending == 0 and not refused else 1


def _status(args) -> int:
    from kiosk.sync.client import REGISTERED_META
    settings = load_settings(args.config)
    with open_store(settings, unlock=False) as store:
        refused = store.outbox.refused()
        facts = {"url": settings.sync.url or None, "kiosk_id": settings.site.kiosk_id,
                 "token_set": bool(settings.sync.token), "pending": store.outbox.count_pending(),
                 "refused": [{"receipt_no": r.receipt_no, "form_id": r.form_id, "reason": r.reason,
                              "refused_at": r.refused_at.isoformat(timespec="seconds")} for r in refused],
                 "key_id": store.keyring.key_id,
                 "registered": store.db.get_meta(REGISTERED_META) is not None}
    print(json.dumps(facts, indent=2, ensure_ascii=False))
    return 0


def _resend(args) -> int:
    if not args.all and not args.receipts:
        print("give the receipt numbers to resend, or --all")
        return 2
    settings = load_settings(args.config)
    with open_store(settings, unlock=False) as store:
        n = store.outbox.resend(None if args.all else args.receipts)
        if n:
            from kiosk.staff.audit import AuditLog
            AuditLog(store.db).record("cli", "sync_resend", "all" if args.all else ",".join(args.receipts)[:200],
                                      new=str(n))
    print(f"{n} refused item(s) back in the queue; they go with the next sync round")
    return 0 if n else 1
