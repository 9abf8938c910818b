"""create_app: the central service's FastAPI app (kiosk API, public status page, staff console)."""
from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse
from psycopg_pool import PoolTimeout, TooManyRequests

from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.central import api, console, public
from kiosk.central.limits import BodyGuard, Limits
from kiosk.central.retention import RetentionWorker
from kiosk.central.store import CentralStore, Clock, utc_now
from kiosk.central.vault import KeyVault, open_fields
from kiosk.common.kdf import PinKdf

log = logging.getLogger(__name__)
_DEFAULT_KDF = PinKdf()


def create_app(dsn: str, *, forms: dict[str, FormSpec] | None = None, site: SiteSpec | None = None,
               kdf: PinKdf = _DEFAULT_KDF, session_ttl: timedelta = timedelta(hours=8),
               secure_cookies: bool = False, clock: Clock = utc_now, limits: Limits | None = None,
               pool_size: int = 10, allow_kdf_n: frozenset[int] = frozenset(),
               purge_every_s: float = 6 * 3600) -> FastAPI:
    """The app over the PostgreSQL database at `dsn` (migrated here, before the first request).

    While served (its lifespan), retention runs at start and every `purge_every_s`.
    """
    store = CentralStore(dsn, kdf=kdf, clock=clock, pool_size=pool_size, allow_kdf_n=allow_kdf_n)
    forms = dict(forms or {})
    retention = RetentionWorker(store, forms, purge_every_s)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        retention.start()
        yield
        retention.stop()
        store.close()

    app = FastAPI(title="kiosk central", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    app.state.store = store
    app.state.schema_version = store.migrate()
    app.state.forms = forms
    app.state.open_fields = open_fields(forms)
    app.state.retention = retention
    app.state.site = site or SiteSpec()
    app.state.vault = KeyVault()
    app.state.session_ttl = session_ttl
    app.state.secure_cookies = secure_cookies
    app.state.limits = limits or Limits()
    app.include_router(api.router)
    app.include_router(public.router)
    app.include_router(console.router)
    # Outermost of our layers: the token or session is checked before any body byte is read.
    app.add_middleware(BodyGuard, kiosk_for_token=store.kiosk_for_token, session_for_cookie=store.session,
                       cookie_name=console.COOKIE)

    @app.exception_handler(console.LoginRequired)
    def _login(request: Request, exc: console.LoginRequired) -> RedirectResponse:
        return RedirectResponse("/console/login", status_code=303)

    def _db_down(request: Request, exc: Exception) -> JSONResponse:
        # 503 tells kiosks to keep their outbox and retry later.
        log.error("database unavailable: %s", type(exc).__name__)
        return JSONResponse({"detail": "database unavailable"}, status_code=503, headers={"Retry-After": "30"})

    for error in (psycopg.OperationalError, PoolTimeout, TooManyRequests):   # down, or every connection busy
        app.add_exception_handler(error, _db_down)
    return app
