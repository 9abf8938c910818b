"""`kiosk store purge | check`: staff/maintenance commands for the submission store."""
from __future__ import annotations

import argparse
import json
from datetime import timedelta

from kiosk.config import load_settings
from kiosk.store.sqlite import open_store


def register(subparsers) -> None:
    """Add `kiosk store ...` to the CLI."""
    parser = subparsers.add_parser("store", help="submission store maintenance")
    sub = parser.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    purge = sub.add_parser("purge", help="delete unfinished drafts older than store.draft_purge_hours")
    purge.add_argument("--hours", type=float, help="override the age limit (hours)")
    purge.set_defaults(func=_purge)
    check = sub.add_parser("check", help="integrity, counts, outbox, demo-secret warning (no personal data)")
    check.set_defaults(func=_check)


def _purge(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    hours = args.hours if args.hours is not None else settings.store.draft_purge_hours
    if hours <= 0:
        print("--hours must be > 0")
        return 2
    store = open_store(settings, unlock=False)
    with store:
        count = store.purge_drafts(timedelta(hours=hours))
    print(f"purged {count} unfinished draft(s) older than {hours:g} h")
    return 0


def _check(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    store = open_store(settings, unlock=False)
    with store:
        health = store.health()
    print(json.dumps(health, indent=2, ensure_ascii=False))
    problems = health["integrity"] != ["ok"] or health["outbox_orphans"]
    if health["demo_secret"]:
        print(f"WARNING: personal data is protected only by the demo secret; set {settings.store.secret_env}")
    return 1 if problems else 0
