"""`kiosk store ...`: maintenance commands for the submission store (no personal data printed).

purge, check, new-secret, demo-secret, change-secret, backup, restore. Errors leave as
StoreError through the CLI boundary (stderr, English detail + Mandarin instruction); `check`
prints JSON on stdout only.
"""
from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path

from kiosk.config import Settings, load_settings
from kiosk.store.db import ensure_private_files
from kiosk.store.keyring import generate_secret, secret_problem
from kiosk.store.model import StoreError
from kiosk.store.sqlite import SqliteStore, open_store, resolve_secret

DEMO_SECRET_FILE = "demo-staff-secret"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add `kiosk store ...` to the CLI."""
    parser = subparsers.add_parser("store", help="submission store maintenance")
    sub = parser.add_subparsers(dest="store_command", metavar="ACTION", required=True)
    purge = sub.add_parser("purge", help="delete unfinished drafts (store.draft_purge_hours) and records past "
                                         "their form's retention_days")
    purge.add_argument("--hours", type=float, help="override the draft age limit (hours)")
    purge.set_defaults(func=_purge)
    check = sub.add_parser("check", help="integrity, counts, outbox, demo store (JSON, no personal data)")
    check.set_defaults(func=_check)
    new = sub.add_parser("new-secret", help="print a strong random staff secret (nothing is stored)")
    new.set_defaults(func=_new_secret)
    demo = sub.add_parser("demo-secret", help="Quick start only: make (once) a random demo secret file in the "
                                              "data directory and print its path")
    demo.set_defaults(func=_demo_secret)
    change = sub.add_parser("change-secret", help="re-wrap the store key with a new staff secret (old one "
                                                  "required; asked, or one line each on stdin)")
    change.add_argument("--generate", action="store_true", help="generate the new secret and print it once")
    change.set_defaults(func=_change_secret)
    back = sub.add_parser("backup", help="verified online backup to DEST (a .db file, or a directory for a "
                                         "dated name); sealed values stay sealed")
    back.add_argument("dest")
    back.set_defaults(func=_backup)
    rest = sub.add_parser("restore", help="put a verified backup in place (the kiosk must be stopped; the "
                                          "current files are moved aside, never deleted)")
    rest.add_argument("backup")
    rest.add_argument("--above", metavar="RECEIPT_NO",
                      help="also number above this receipt (e.g. the newest the central service has)")
    rest.set_defaults(func=_restore)


def ask_secret(prompt: str) -> str:
    """A secret from the terminal (not echoed), or one line of stdin when it is not a terminal."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\n")


def optional_staff_secret(settings: Settings, prompt: str = "staff secret (Enter to skip): ") -> str | None:
    """The staff secret if it is configured or typed at a terminal; None otherwise (no waiting on a pipe)."""
    secret, _where = resolve_secret(settings)
    if secret:
        return secret
    return (getpass.getpass(prompt) or None) if sys.stdin.isatty() else None


def unlock_for_staff(store: SqliteStore, settings: Settings) -> bool:
    """Unlock `store` for a staff-only command: the configured secret, else asked at a terminal."""
    if store.unlocked:
        return True
    secret = optional_staff_secret(settings, "staff secret: ")
    if not secret:
        return False
    try:
        store.unlock(secret)
    except StoreError as err:
        if err.code != "wrong_secret":
            raise
        return False
    return True


def staff_secret(settings: Settings, prompt: str = "staff secret: ") -> str:
    """The staff secret for a staff-only command: env var / secret file, else asked."""
    secret, _where = resolve_secret(settings)
    return secret or ask_secret(prompt)


def _purge(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    hours = args.hours if args.hours is not None else settings.store.draft_purge_hours
    if not hours > 0:
        print("kiosk: --hours must be > 0", file=sys.stderr)
        return 2
    from kiosk.catalogue.loader import load_catalogue
    from kiosk.store.retention import purge_all

    retention = {f.id: f.retention_days for f in load_catalogue(settings.forms_dir).forms.values()}
    with open_store(settings, unlock=False) as store:
        report = purge_all(store, retention, draft_hours=hours)
    print(f"purged (drafts older than {hours:g} h, records past retention_days): {report.line()}")
    return 0


def _check(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    with open_store(settings, unlock=False) as store:
        health = store.health()
    print(json.dumps(health, indent=2, ensure_ascii=False))
    problems = health["integrity"] != ["ok"] or health["outbox_orphans"]
    if health["demo_store"]:
        print("WARNING: this is a demo store (personal data protected by a demo secret)", file=sys.stderr)
    return 1 if problems else 0


def _backup(args: argparse.Namespace) -> int:
    from kiosk.store.backup import backup

    settings = load_settings(args.config)
    with open_store(settings, unlock=False) as store:
        info = backup(store, Path(args.dest))
    print(info.line())
    return 0


def _restore(args: argparse.Namespace) -> int:
    from kiosk.store.backup import restore

    settings = load_settings(args.config)
    info, aside, floor = restore(Path(args.backup), settings.db_path, settings.site.kiosk_id, above=args.above)
    print(f"restored {info.receipts} receipt(s) from {info.path}; today's numbering continues after {floor:04d}"
          + (f"; the previous files are in {aside}" if aside else ""))
    return 0


def _new_secret(args: argparse.Namespace) -> int:
    print(generate_secret())
    print("keep it off the kiosk's disk (password manager / removable key); see README, Privacy",
          file=sys.stderr)
    return 0


def _demo_secret(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    path = Path(settings.data_dir) / DEMO_SECRET_FILE
    if not path.exists():
        ensure_private_files(path)            # created 0600 before anything is written
        path.write_text(generate_secret() + "\n", encoding="utf-8")
    print(path)
    return 0


def _change_secret(args: argparse.Namespace) -> int:
    settings = load_settings(args.config)
    old = staff_secret(settings, "current staff secret: ")
    if args.generate:
        new = generate_secret()
    else:
        new = ask_secret("new staff secret: ")
        if sys.stdin.isatty() and ask_secret("new staff secret again: ") != new:
            print("kiosk: the two new secrets differ; nothing changed", file=sys.stderr)
            return 2
    problem = secret_problem(new)
    if problem:
        raise StoreError("weak_secret", f"new staff secret refused: {problem}")
    store = SqliteStore(settings.db_path, settings.site.kiosk_id)   # existing key only, no demo refusal
    with store:
        store.unlock(old)                       # StoreError('wrong_secret') when the old one is wrong
        was_demo = store.is_demo_store()
        store.change_secret(new)
    if args.generate:
        print(new)
    print(f"store key {store.key_id} re-wrapped with the new staff secret"
          + (" (no longer a demo store; treat what it held as seen by others)" if was_demo else "")
          + f"; set it in ${settings.store.secret_env} or [store] secret_file where staff need it",
          file=sys.stderr)
    return 0
