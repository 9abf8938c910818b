"""Rate limits and request-body limits of the central service (memory-bounded, in this process).

`RateLimiter` is a sliding window per key ("ip:1.2.3.4", "acct:wang", "receipt:2026...") with an
injectable clock; it remembers at most `max_keys` keys (least recently used forgotten first), so
an attacker cycling through addresses cannot grow it without bound. A refusal carries the
seconds until the oldest hit leaves the window: the `Retry-After` of the 429.

`BodyGuard` is ASGI middleware in front of every route: it checks the kiosk token (API routes)
or the console session (console POSTs) *before* any body byte is read, refuses a declared
Content-Length over the route's limit at once, and stops a chunked body at the limit. Its early
answers say `Connection: close`, so a 10 MB body an outsider is still sending is never read.
"""
from __future__ import annotations

import json
import math
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import anyio.to_thread
from starlette.exceptions import HTTPException

Clock = Callable[[], float]


@dataclass(frozen=True)
class Rate:
    """At most `hits` in any `per_s` seconds."""

    hits: int
    per_s: float


class RateLimiter:
    """Sliding-window limits per key; `hit(key)` is 0.0 when allowed, else seconds to wait."""

    def __init__(self, rate: Rate, *, clock: Clock = time.monotonic, max_keys: int = 20_000) -> None:
        self.rate = rate
        self._clock = clock
        self._max_keys = max_keys
        self._hits: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def hit(self, key: str) -> float:
        """Count one attempt for `key`; 0.0 if within the rate, else the Retry-After in seconds."""
        now = self._clock()
        with self._lock:
            window = self._hits.pop(key, None) or deque()
            while window and window[0] <= now - self.rate.per_s:
                window.popleft()
            if len(window) >= self.rate.hits:
                self._hits[key] = window
                return max(1.0, window[0] + self.rate.per_s - now)
            window.append(now)
            self._hits[key] = window         # most recently used last
            while len(self._hits) > self._max_keys:
                self._hits.popitem(last=False)
            return 0.0

    def reset(self, key: str) -> None:
        """Forget a key's hits (e.g. after a successful login)."""
        with self._lock:
            self._hits.pop(key, None)


class Limits:
    """The central service's limiters, one per (route, key kind); the numbers are per process."""

    def __init__(self, clock: Clock = time.monotonic) -> None:
        minute = 60.0
        self.login_ip = RateLimiter(Rate(20, minute), clock=clock)        # any account, one source
        self.login_account = RateLimiter(Rate(30, minute), clock=clock)   # one account, all sources
        self.unlock_ip = RateLimiter(Rate(10, 5 * minute), clock=clock)
        self.unlock_account = RateLimiter(Rate(5, 5 * minute), clock=clock)
        self.status_ip = RateLimiter(Rate(30, minute), clock=clock)
        self.status_receipt = RateLimiter(Rate(20, 60 * minute), clock=clock)   # wrong codes per receipt

    def first_refusal(self, *checks: tuple[RateLimiter, str]) -> float:
        """Hit each (limiter, key) in order; the first wait > 0, or 0.0 when all allow."""
        for limiter, key in checks:
            wait = limiter.hit(key)
            if wait > 0:
                return wait
        return 0.0


def retry_after(wait_s: float) -> dict[str, str]:
    """The Retry-After header for a wait (whole seconds, at least 1)."""
    return {"Retry-After": str(max(1, math.ceil(wait_s)))}


# --- request bodies -------------------------------------------------------------------------
KIB, MIB = 1024, 1024 * 1024


def body_limit(method: str, path: str) -> int:
    """Largest request body a route accepts, in bytes."""
    if method == "POST" and path == "/api/v1/submissions":
        return 4 * MIB              # 500 items with sealed values fit with room to spare
    if method == "PUT" and path.startswith("/api/v1/kiosks/"):
        return 16 * KIB             # one keyring record
    if method == "POST" and path.startswith("/console/"):
        return 16 * KIB             # small forms: login, unlock, status change
    return 1 * KIB                  # GET and anything else: no body expected


class BodyTooLarge(HTTPException):
    """A streamed body passed its route's limit (a 413 that closes the connection)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"request body over {limit} bytes", headers={"Connection": "close"})


Auth = Callable[[str], Any]          # token or cookie -> the kiosk / session it names, or None


class BodyGuard:
    """ASGI middleware: authenticate first, then let at most the route's limit of body through."""

    def __init__(self, app: Callable[..., Awaitable[None]], *, kiosk_for_token: Auth, session_for_cookie: Auth,
                 cookie_name: str, open_console_paths: tuple[str, ...] = ("/console/login",)) -> None:
        self.app = app
        self.kiosk_for_token = kiosk_for_token
        self.session_for_cookie = session_for_cookie
        self.cookie_name = cookie_name
        self.open_console_paths = open_console_paths

    async def __call__(self, scope: dict, receive: Callable, send: Callable) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method, path = scope["method"], scope["path"]
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        if path.startswith("/api/v1/") and path != "/api/v1/health":
            scheme, _, token = headers.get("authorization", "").partition(" ")
            token = token.strip() if scheme.lower() == "bearer" else ""
            kiosk = await anyio.to_thread.run_sync(self.kiosk_for_token, token) if token else None
            if kiosk is None:
                await _refuse(send, 401, "unknown kiosk token", {"WWW-Authenticate": "Bearer"})
                return
            scope.setdefault("state", {})["kiosk_id"] = kiosk
        elif method == "POST" and path.startswith("/console/") and path not in self.open_console_paths:
            cookie = _cookie(headers.get("cookie", ""), self.cookie_name)
            if not cookie or await anyio.to_thread.run_sync(self.session_for_cookie, cookie) is None:
                await _refuse(send, 303, "login required", {"Location": "/console/login"})
                return
        limit = body_limit(method, path)
        declared = headers.get("content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _refuse(send, 413, f"request body over {limit} bytes")
            return
        await self._limited(scope, receive, send, limit)

    async def _limited(self, scope: dict, receive: Callable, send: Callable, limit: int) -> None:
        seen = 0
        started = False

        async def counted_receive() -> dict:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise BodyTooLarge(limit)
            return message

        async def watched_send(message: dict) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, counted_receive, watched_send)
        except BodyTooLarge:
            if not started:
                await _refuse(send, 413, f"request body over {limit} bytes")


def _cookie(header: str, name: str) -> str:
    for part in header.split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


async def _refuse(send: Callable, status: int, detail: str, extra: dict[str, str] | None = None) -> None:
    body = json.dumps({"detail": detail}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
               (b"connection", b"close")]     # never read the rest of a refused body
    headers += [(k.lower().encode(), v.encode()) for k, v in (extra or {}).items()]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
