"""Jinja2 templates with the wording catalogue (`t('key')`) and safe response headers."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from kiosk.voices import say

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))
TEMPLATES.env.globals["t"] = say

HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; "
                               "frame-ancestors 'none'; base-uri 'none'",
    "X-Frame-Options": "DENY",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",     # the check code is in the URL: never pass it on
    "Cache-Control": "no-store",
}


def local_time(value: datetime | None) -> datetime | None:
    """An aware time in this server's local zone (the centre's clock)."""
    return value.astimezone() if value is not None else None


def render(request: Request, name: str, context: dict, status_code: int = 200) -> HTMLResponse:
    """A page from templates/ with the security headers."""
    response = TEMPLATES.TemplateResponse(request, name, context, status_code=status_code)
    response.headers.update(HEADERS)
    return response
