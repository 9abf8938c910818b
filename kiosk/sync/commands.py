"""`kiosk sync now | status`: send the outbox to the central service by hand, or see what waits."""
from __future__ import annotations

import json

from kiosk.config import load_settings
from kiosk.store.sqlite import open_store


def register(subparsers) -> None:
    """Add `kiosk sync ...` to the CLI."""
    parser = subparsers.add_parser("sync", help="send submissions to the central service")
    sub = parser.add_subparsers(dest="sync_command", metavar="ACTION", required=True)
    sub.add_parser("now", help="one sync round now; exit 1 if anything is left unsent").set_defaults(func=_now)
    sub.add_parser("status", help="configured url, pending items, registration").set_defaults(func=_status)


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
    print(f"sent {report.sent}, not acknowledged {report.failed}, pending {report.pending}"
          + (f" ({report.error})" if report.error else ""))
    return 0 if report.ok and report.pending == 0 else 1


def _status(args) -> int:
    from kiosk.sync.client import REGISTERED_META
    settings = load_settings(args.config)
    with open_store(settings, unlock=False) as store:
        facts = {"url": settings.sync.url or None, "kiosk_id": settings.site.kiosk_id,
                 "token_set": bool(settings.sync.token), "pending": store.outbox.count_pending(),
                 "key_id": store.keyring.key_id,
                 "registered": store.db.get_meta(REGISTERED_META) is not None}
    print(json.dumps(facts, indent=2, ensure_ascii=False))
    return 0
