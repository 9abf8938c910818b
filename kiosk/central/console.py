"""The staff web console: login, submissions across kiosks, detail, status changes, day summary.

Sessions live in PostgreSQL (the cookie holds a random id; the table holds its hash). Every
POST carries the session's CSRF token in a hidden field, and cookies are HttpOnly +
SameSite=Strict. Personal values are shown only masked, and only for kiosks whose keys this
session unlocked with the staff secret; otherwise the page says （已加密）.
"""
from __future__ import annotations

import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from kiosk.central.limits import retry_after
from kiosk.central.render import local_time, render
from kiosk.central.schema import STATUSES
from kiosk.central.store import CentralError, sha256_hex
from kiosk.central.vault import personal_view, plain_view
from kiosk.errors import KioskError

log = logging.getLogger(__name__)

router = APIRouter(prefix="/console")
COOKIE = "kiosk_console"
LOGIN_CSRF = "kiosk_login_csrf"
DEVICE = "kiosk_device"          # a browser that logged in before: exempt from the per-account limit
DEVICE_AGE_S = 180 * 24 * 3600


class LoginRequired(KioskError):
    """No live staff session: the handler redirects to the login page."""

    code = "login_required"


@dataclass(frozen=True)
class Staff:
    """The logged-in staff member of a request."""

    username: str
    csrf: str
    sid: str          # hash of the cookie value: the vault's key, never the cookie itself


def _staff(request: Request) -> Staff:
    cookie = request.cookies.get(COOKIE, "")
    row = request.app.state.store.session(cookie)
    if row is None:
        raise LoginRequired()
    return Staff(row["username"], row["csrf"], sha256_hex(cookie))


def _check_csrf(expected: str, given: str) -> None:
    if not expected or not hmac.compare_digest(expected.encode(), (given or "").encode()):
        raise HTTPException(403, "CSRF token missing or wrong: reload the page")


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _set_cookie(request: Request, response: Response, name: str, value: str, max_age: int | None) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="strict", path="/console",
                        secure=request.app.state.secure_cookies)


def client_ip(request: Request) -> str:
    """The address a request came from (behind a proxy: run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else ""


def _day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time.min).astimezone()
    return start, datetime.combine(day + timedelta(days=1), time.min).astimezone()


def _parse_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        raise HTTPException(422, "day must be YYYY-MM-DD") from None


# --- login ----------------------------------------------------------------------------------
@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, error: str = "") -> HTMLResponse:
    """The login form (with a pre-session CSRF token, double-submitted as cookie and field)."""
    return _login_form(request, error if error == "wrong" else "")


def _login_form(request: Request, error: str, wait_s: float = 0) -> HTMLResponse:
    token = secrets.token_urlsafe(32)
    response = render(request, "login.html", {"csrf": token, "error": error, "wait_s": max(1, int(wait_s + 0.999))},
                      status_code=429 if wait_s else 200)
    if wait_s:
        response.headers.update(retry_after(wait_s))
    _set_cookie(request, response, LOGIN_CSRF, token, 900)
    return response


@router.post("/login")
def login(request: Request, username: str = Form(...), password: str = Form(...),
          csrf: str = Form("")) -> Response:
    """Check the password; on success start a session.

    Before any Scrypt runs: at most so many tries per source address, and per account unless this
    browser logged in as that account before; then the (account, source) pair's growing wait.
    """
    _check_csrf(request.cookies.get(LOGIN_CSRF, ""), csrf)
    state = request.app.state
    store, limits, ip = state.store, state.limits, client_ip(request)
    checks = [(limits.login_ip, ip)]
    if not store.known_device(request.cookies.get(DEVICE, ""), username):
        checks.append((limits.login_account, username[:64]))
    wait = limits.first_refusal(*checks)
    if wait:
        log.warning("console login rate limited (no password checked)")
        return _login_form(request, "locked", wait)
    try:
        ok = store.check_password(username, password, ip)
    except CentralError as err:               # this source must wait before its next try
        return _login_form(request, "locked", err.retry_after_s)
    if not ok:
        return _see_other("/console/login?error=wrong")
    cookie, _ = store.create_session(username, state.session_ttl)
    response = _see_other("/console")
    _set_cookie(request, response, COOKIE, cookie, int(state.session_ttl.total_seconds()))
    if not store.known_device(request.cookies.get(DEVICE, ""), username):
        _set_cookie(request, response, DEVICE, store.add_device(username), DEVICE_AGE_S)
    response.delete_cookie(LOGIN_CSRF, path="/console")
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    """End the session and forget its unlocked keys."""
    staff = _staff(request)
    _check_csrf(staff.csrf, csrf)
    request.app.state.vault.forget(staff.sid)
    request.app.state.store.end_session(request.cookies.get(COOKIE, ""))
    request.app.state.store.audit(staff.username, "staff.logout")
    response = _see_other("/console/login")
    response.delete_cookie(COOKIE, path="/console")
    return response


# --- keys -----------------------------------------------------------------------------------
@router.post("/unlock")
def unlock(request: Request, kiosk_id: str = Form(...), secret: str = Form(...), csrf: str = Form("")) -> Response:
    """Unlock one kiosk's keys for this session with the staff secret (audited, secret never kept)."""
    staff = _staff(request)
    _check_csrf(staff.csrf, csrf)
    state = request.app.state
    wait = state.limits.first_refusal((state.limits.unlock_ip, client_ip(request)),
                                      (state.limits.unlock_account, staff.username))
    if wait:     # each try is a full Scrypt run: a stolen session cannot grind through secrets
        state.store.audit(staff.username, "keys.unlock_limited", kiosk_id[:32])
        return _list_page(request, staff, error="busy", wait_s=wait)
    opened = state.vault.unlock(staff.sid, kiosk_id, state.store.keyrings(kiosk_id), secret)
    state.store.audit(staff.username, "keys.unlock" if opened else "keys.unlock_failed", kiosk_id,
                      new=str(opened))
    return _see_other("/console" + ("" if opened else "?error=secret"))


@router.post("/lock")
def lock(request: Request, csrf: str = Form("")) -> Response:
    """Forget every key this session unlocked."""
    staff = _staff(request)
    _check_csrf(staff.csrf, csrf)
    request.app.state.vault.forget(staff.sid)
    request.app.state.store.audit(staff.username, "keys.lock")
    return _see_other("/console")


# --- pages ----------------------------------------------------------------------------------
def _view_row(request: Request, staff: Staff, row: dict, full_text: bool = False) -> dict:
    state = request.app.state
    form = state.forms.get(row["form_id"])
    ring = state.vault.ring(staff.sid, row["kiosk_id"], row["key_id"])
    return {**row, "form": form, "title": form.title if form else row["form_id"],
            "local_created": local_time(row["created_at"]), "personal": personal_view(row, form, ring, full_text)}


@router.get("", response_class=HTMLResponse)
def submissions(request: Request, kiosk: str = "", status: str = "", day: str = "", error: str = "") -> HTMLResponse:
    """Submissions across kiosks, newest first."""
    return _list_page(request, _staff(request), kiosk=kiosk, status=status, day=day,
                      error=error if error in ("secret",) else "")


def _list_page(request: Request, staff: Staff, *, kiosk: str = "", status: str = "", day: str = "",
               error: str = "", wait_s: float = 0) -> HTMLResponse:
    state = request.app.state
    since = until = None
    if (parsed := _parse_day(day)) is not None:
        since, until = _day_bounds(parsed)
    rows = state.store.list_submissions(kiosk_id=kiosk, status=status if status in STATUSES else "",
                                        since=since, until=until)
    response = render(request, "console_list.html", {
        "staff": staff, "rows": [_view_row(request, staff, r) for r in rows], "kiosks": state.store.kiosks(),
        "unlocked": sorted(state.vault.unlocked_kiosks(staff.sid)), "statuses": STATUSES,
        "filter": {"kiosk": kiosk, "status": status, "day": day}, "error": error,
        "wait_s": max(1, int(wait_s + 0.999))}, status_code=429 if wait_s else 200)
    if wait_s:
        response.headers.update(retry_after(wait_s))
    return response


@router.get("/s/{uuid}", response_class=HTMLResponse)
def submission(uuid: str, request: Request) -> HTMLResponse:
    """One submission: answers (personal ones masked or （已加密）), status form, its audit trail."""
    staff = _staff(request)
    row = request.app.state.store.get_submission(uuid)
    if row is None:
        raise HTTPException(404, "no such submission")
    view = _view_row(request, staff, row, full_text=True)
    return render(request, "console_detail.html", {
        "staff": staff, "row": view, "plain": plain_view(row, view["form"]), "statuses": STATUSES,
        "audit": request.app.state.store.audit_rows(row["receipt_no"]),
        "status_at": local_time(row["status_at"])})


@router.post("/s/{uuid}/status")
def change_status(uuid: str, request: Request, status: str = Form(...), csrf: str = Form("")) -> Response:
    """Set a submission's status (audited with who, old and new)."""
    staff = _staff(request)
    _check_csrf(staff.csrf, csrf)
    try:
        request.app.state.store.set_status(uuid, status, staff.username)
    except CentralError as err:
        raise HTTPException(404 if err.code == "not_found" else 422, err.code) from None
    return _see_other(f"/console/s/{uuid}")


@router.get("/summary", response_class=HTMLResponse)
def summary(request: Request, day: str = "") -> HTMLResponse:
    """Per service counts for one day (default today)."""
    staff = _staff(request)
    the_day = _parse_day(day) or date.today()
    rows = request.app.state.store.day_summary(*_day_bounds(the_day))
    forms = request.app.state.forms
    for r in rows:
        r["title"] = forms[r["form_id"]].title if r["form_id"] in forms else r["form_id"]
    totals = {k: sum(r[k] for r in rows) for k in ("total", "received", "in_progress", "done")}
    return render(request, "console_summary.html",
                  {"staff": staff, "rows": rows, "totals": totals, "day": the_day.isoformat()})
