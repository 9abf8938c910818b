"""create_app: the central service's FastAPI app (kiosk API, public status page, staff console)."""
from __future__ import annotations

import logging
from datetime import timedelta

import psycopg
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, RedirectResponse

from kiosk.catalogue.spec import FormSpec, SiteSpec
from kiosk.central import api, console, public
from kiosk.central.store import CentralStore
from kiosk.central.vault import KeyVault
from kiosk.common.kdf import PinKdf

log = logging.getLogger(__name__)


def create_app(dsn: str, *, forms: dict[str, FormSpec] | None = None, site: SiteSpec | None = None,
               kdf: PinKdf = PinKdf(), session_ttl: timedelta = timedelta(hours=8),
               secure_cookies: bool = False) -> FastAPI:
    """The app over the PostgreSQL database at `dsn` (migrated here, before the first request)."""
    store = CentralStore(dsn, kdf=kdf)
    app = FastAPI(title="kiosk central", docs_url=None, redoc_url=None, openapi_url=None)
    app.state.store = store
    app.state.schema_version = store.migrate()
    app.state.forms = dict(forms or {})
    app.state.site = site or SiteSpec()
    app.state.vault = KeyVault()
    app.state.session_ttl = session_ttl
    app.state.secure_cookies = secure_cookies
    app.include_router(api.router)
    app.include_router(public.router)
    app.include_router(console.router)

    @app.exception_handler(console.LoginRequired)
    def _login(request: Request, exc: console.LoginRequired) -> RedirectResponse:
        return RedirectResponse("/console/login", status_code=303)

    @app.exception_handler(psycopg.OperationalError)
    def _db_down(request: Request, exc: psycopg.OperationalError) -> JSONResponse:
        # 503 tells kiosks to keep their outbox and retry later.
        log.error("database unavailable: %s", type(exc).__name__)
        return JSONResponse({"detail": "database unavailable"}, status_code=503)

    return app
