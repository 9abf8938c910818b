"""`kiosk central serve | migrate | set-password | add-kiosk | purge` (also `kiosk-central ...`): the central service.

The database is named by --dsn or $KIOSK_CENTRAL_DSN (a libpq connection string, e.g.
`host=/run/postgresql dbname=kiosk_central`). FastAPI, uvicorn and psycopg are imported only
when a central command runs, so a kiosk without the `central` extra still starts.
"""
from __future__ import annotations

import argparse
import getpass
import logging
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from kiosk.errors import KioskError

DSN_ENV = "KIOSK_CENTRAL_DSN"


def register(subparsers) -> None:
    """Add `kiosk central ...` to the CLI."""
    parser = subparsers.add_parser("central", help="the central service for a fleet of kiosks")
    add_actions(parser.add_subparsers(dest="central_command", metavar="ACTION", required=True))


def add_actions(sub) -> None:
    """The central actions, shared by `kiosk central ACTION` and `kiosk-central ACTION`."""
    def with_dsn(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        p.add_argument("--dsn", default=os.environ.get(DSN_ENV, ""),
                       help=f"PostgreSQL connection string (default ${DSN_ENV})")
        return p

    serve = with_dsn(sub.add_parser("serve", help="run the API, status page and staff console"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8400)
    serve.add_argument("--secure-cookies", action="store_true", help="set when served over HTTPS")
    serve.set_defaults(func=_serve)
    with_dsn(sub.add_parser("migrate", help="create or upgrade the database schema")).set_defaults(func=_migrate)
    pw = with_dsn(sub.add_parser("set-password", help="create a staff login or change its password"))
    pw.add_argument("--user", default="staff")
    pw.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    pw.set_defaults(func=_set_password)
    add = with_dsn(sub.add_parser("add-kiosk", help="register a kiosk and print its API token (once)"))
    add.add_argument("kiosk_id")
    add.set_defaults(func=_add_kiosk)
    with_dsn(sub.add_parser("purge", help="delete submissions past their form's retention_days (counts stay)"
                            )).set_defaults(func=_purge)
    anchor = with_dsn(sub.add_parser("audit-anchor", help="the audit head kept for a kiosk (ID:HASH:COUNT), "
                                                         "for `kiosk staff audit --verify` on that kiosk"))
    anchor.add_argument("kiosk_id")
    anchor.add_argument("--clear", action="store_true", help="clear the kiosk's alarm after checking it")
    anchor.set_defaults(func=_audit_anchor)


def main(argv: list[str] | None = None) -> int:
    """`kiosk-central ACTION`: the central commands alone (a central-only install has no kiosk CLI deps)."""
    parser = argparse.ArgumentParser(prog="kiosk-central", description="central service for a fleet of kiosks")
    parser.add_argument("--config", help="path to kiosk.toml (forms directory and [site]; optional)")
    parser.add_argument("-v", "--verbose", action="store_true", help="debug logging")
    add_actions(parser.add_subparsers(dest="central_command", metavar="ACTION", required=True))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return int(args.func(args) or 0)
    except KioskError as err:    # one line on stderr, no traceback (codes hold no personal data)
        print(f"kiosk-central: {err.describe()}", file=sys.stderr)
        return 1


def _store(args):
    from kiosk.central.store import CentralStore
    if not args.dsn:
        print(f"kiosk central: give --dsn or set {DSN_ENV}", file=sys.stderr)
        return None
    store = CentralStore(args.dsn)
    with _database_errors():
        store.migrate()
    return store


@contextmanager
def _database_errors() -> Iterator[None]:
    """PostgreSQL unreachable or refusing: one line at the CLI boundary (CentralError), no traceback."""
    import psycopg

    from kiosk.central.store import CentralError
    try:
        yield
    except psycopg.OperationalError as err:
        raise CentralError("database", f"cannot use the database ({type(err).__name__}): check --dsn, "
                                       "that PostgreSQL runs and that the role may connect") from None


def _migrate(args) -> int:
    store = _store(args)
    if store is None:
        return 2
    print(f"schema v{store.migrate()}")
    return 0


def _set_password(args) -> int:
    from kiosk.central.store import PASSWORD_MIN, CentralError
    store = _store(args)
    if store is None:
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.user} (>= {PASSWORD_MIN} characters): ")
        if getpass.getpass("again: ") != password:
            print("the two passwords differ", file=sys.stderr)
            return 1
    try:
        store.set_password(args.user, password)
    except CentralError as err:
        print(f"refused: {err}", file=sys.stderr)
        return 1
    print(f"password set for {args.user}")
    return 0


def _add_kiosk(args) -> int:
    from kiosk.central.store import CentralError
    store = _store(args)
    if store is None:
        return 2
    try:
        token = store.add_kiosk(args.kiosk_id)
    except CentralError as err:
        print(f"refused: {err}", file=sys.stderr)
        return 1
    print(f"kiosk {args.kiosk_id}: put this in the kiosk's kiosk.toml ([sync] token) or KIOSK_SYNC__TOKEN;"
          " it is not shown again:", file=sys.stderr)
    print(token)
    return 0


def _purge(args) -> int:
    from kiosk.catalogue.loader import load_catalogue
    from kiosk.central.retention import purge
    from kiosk.config import load_settings

    store = _store(args)
    if store is None:
        return 2
    deleted = purge(store, dict(load_catalogue(load_settings(args.config).forms_dir).forms))
    print(f"deleted {sum(deleted.values())} submission(s) past retention"
          + "".join(f"\n  {form_id}: {n}" for form_id, n in sorted(deleted.items())))
    return 0


def _audit_anchor(args) -> int:
    store = _store(args)
    if store is None:
        return 2
    if args.clear:
        store.clear_audit_alarm(args.kiosk_id, "cli")
    anchor = store.audit_anchor(args.kiosk_id)
    print(f"{anchor['id']}:{anchor['hash']}:{anchor['count']}")
    if anchor["alarm"]:
        print(f"ALARM: the audit log of {args.kiosk_id} was {anchor['alarm']} after this anchor", file=sys.stderr)
        return 1
    return 0


def _serve(args) -> int:
    import uvicorn

    from kiosk.catalogue.loader import load_catalogue
    from kiosk.central.app import create_app
    from kiosk.config import load_settings

    if not args.dsn:
        print(f"kiosk central: give --dsn or set {DSN_ENV}", file=sys.stderr)
        return 2
    settings = load_settings(args.config)
    forms = dict(load_catalogue(settings.forms_dir).forms)
    with _database_errors():
        app = create_app(args.dsn, forms=forms, site=settings.site, secure_cookies=args.secure_cookies)
    uvicorn.run(app, host=args.host, port=args.port, log_level="info" if args.verbose else "warning")
    return 0
