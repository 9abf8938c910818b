"""The public status page behind the receipt QR: service, status, window, hours. No personal data.

Anyone holding the receipt (the resident, a family member) may look: the receipt number and
its check code are the key. A wrong or missing code and an unknown receipt get the same kind
404, so the page never tells a guesser which receipts exist, and looks are rate limited per
address and per receipt number (a kind 429 page in Mandarin).
"""
from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from kiosk.central.console import client_ip
from kiosk.central.limits import retry_after
from kiosk.central.render import local_time, render

router = APIRouter()


@router.get("/r/{receipt_no}", response_class=HTMLResponse)
def status_page(receipt_no: str, request: Request, c: str = "") -> HTMLResponse:
    """The status of one receipt, in large Mandarin text."""
    state = request.app.state
    receipt_no = receipt_no[:64]
    # A 30-bit check code must not be guessed: so many looks per address and per receipt number.
    wait = state.limits.first_refusal((state.limits.status_ip, client_ip(request)),
                                      (state.limits.status_receipt, receipt_no))
    if wait:
        response = render(request, "status_busy.html", {"site": state.site, "minutes": max(1, int(wait + 59) // 60)},
                          status_code=429)
        response.headers.update(retry_after(wait))
        return response
    row = state.store.find_receipt(receipt_no, c) if c else None
    if row is None:
        return render(request, "status_missing.html", {"site": state.site}, status_code=404)
    form = state.forms.get(row["form_id"])
    return render(request, "status.html", {
        "site": state.site, "receipt_no": row["receipt_no"], "form": form, "form_id": row["form_id"],
        "status": row["status"], "created_at": local_time(row["created_at"]),
        "status_at": local_time(row["status_at"]),
    })
