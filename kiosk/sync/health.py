"""`kiosk doctor`'s sync line: is the central service configured safely, and does it answer?

Returns (status, detail, fix) with status OK / WARN / FAIL, like kiosk.store.health. A central
that does not answer is only a WARN: the kiosk keeps everything in its outbox meanwhile.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from kiosk.sync.client import API, SyncError, check_url, is_loopback


def refused_items(db_path: Path) -> int:
    """Outbox items the central refused for good (set aside for staff); 0 when there is no such file/column."""
    if not db_path.is_file():
        return 0
    try:
        conn = sqlite3.connect(f"{db_path.resolve().as_uri()}?mode=ro", uri=True, timeout=2)
        try:
            return int(conn.execute("SELECT count(*) FROM outbox WHERE sent_at IS NULL "
                                    "AND refused_at IS NOT NULL").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:        # no outbox yet, an older schema, a damaged file: the storage line says
        return 0


def sync_check(settings: Any, timeout_s: float = 3.0, transport: httpx.BaseTransport | None = None
               ) -> tuple[str, str, str]:
    """One doctor line for `[sync]`; items refused for good turn an OK into a WARN for staff."""
    status, detail, fix = _reachability(settings, timeout_s, transport)
    refused = refused_items(Path(settings.db_path)) if settings.sync.url else 0
    if refused:
        detail += f"; {refused} item(s) refused for good by the central wait for staff"
        fix = fix or "`kiosk sync status` lists them (reason); fix the cause, then `kiosk sync resend`"
        status = "WARN" if status == "OK" else status
    return status, detail, fix


def _reachability(settings: Any, timeout_s: float, transport: httpx.BaseTransport | None) -> tuple[str, str, str]:
    sync = settings.sync
    if not sync.url:
        return "OK", "this kiosk works alone (no [sync] url)", ""
    try:
        check_url(sync.url, sync.allow_insecure)
    except SyncError as err:
        return "FAIL", f"sync is off: {err.detail}", "set [sync] url to https://..., or allow_insecure = true on a VPN"
    if not sync.token:
        return "FAIL", "sync is off: [sync] token is empty", "kiosk central add-kiosk KIOSK_ID on the central, " \
                                                             "then set [sync] token"
    parts = urlsplit(sync.url)
    clear = parts.scheme == "http" and not is_loopback(parts.hostname or "")
    try:
        with httpx.Client(timeout=timeout_s, transport=transport) as client:
            client.get(f"{sync.url.rstrip('/')}{API}/health").raise_for_status()
    except httpx.HTTPError as err:
        return "WARN", f"central service at {parts.hostname} does not answer ({type(err).__name__}); " \
                       "submissions wait in the outbox", "check the network and `kiosk central serve` there"
    if clear:
        return "WARN", f"central at {parts.hostname} answers over plain http: the token crosses the network " \
                       "in clear", "serve the central behind HTTPS and use an https:// url"
    return "OK", f"central service at {parts.hostname} answers", ""
