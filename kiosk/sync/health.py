"""`kiosk doctor`'s sync line: is the central service configured safely, and does it answer?

Returns (status, detail, fix) with status OK / WARN / FAIL, like kiosk.store.health. A central
that does not answer is only a WARN: the kiosk keeps everything in its outbox meanwhile.
"""
from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

import httpx

from kiosk.sync.client import API, SyncError, check_url, is_loopback


def sync_check(settings: Any, timeout_s: float = 3.0, transport: httpx.BaseTransport | None = None
               ) -> tuple[str, str, str]:
    """One doctor line for `[sync]`."""
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
