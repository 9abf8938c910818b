"""The printed handoff slip: the ticket number, large, and a QR staff scan at the desk.

The QR holds references only (`KIOSK-HANDOFF/1/<kiosk>/<ticket number>/<draft id>`): no name,
no answers. A desk scanner types it like a keyboard; `parse_slip` reads it back and the staff
ticket screen opens the same draft (on this kiosk; other kiosks need the fleet service).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from kiosk.printing.layout import big_number, encoder_for, labelled
from kiosk.voices import say

PREFIX = "KIOSK-HANDOFF/1/"
_SLIP = re.compile(r"KIOSK-HANDOFF/1/([A-Z0-9]{2,6})/([A-Z][0-9]{3})/([A-Za-z0-9_-]{0,64})\s*$")
_DIGIT_WORDS = "零一二三四五六七八九"


@dataclass(frozen=True)
class SlipRef:
    """What a scanned slip points at."""

    kiosk_id: str
    number: str
    draft_id: str


def slip_payload(kiosk_id: str, number: str, draft_id: str | None) -> str:
    """The QR text for a ticket."""
    return f"{PREFIX}{kiosk_id}/{number}/{draft_id or ''}"


def parse_slip(text: str) -> SlipRef | None:
    """A scanned QR (or a typed ticket number like 'A012') -> SlipRef; None when it is neither."""
    text = (text or "").strip()
    m = _SLIP.search(text)
    if m:
        return SlipRef(m.group(1), m.group(2), m.group(3))
    if re.fullmatch(r"[A-Za-z][0-9]{3}", text):
        return SlipRef("", text.upper(), "")
    return None


def spoken_number(number: str) -> str:
    """'A012' -> 'A 零 一 二' (TTS reads digits one by one)."""
    if not number:
        return ""
    return " ".join([number[0], *(_DIGIT_WORDS[int(d)] for d in number[1:] if d.isdigit())])


def encode_slip(ticket, site, printer_settings) -> bytes:
    """ESC/POS bytes of the handoff slip for a HandoffTicket."""
    enc = encoder_for(printer_settings).init()
    enc.align("center").bold(True).text(site.centre_name).bold(False)
    enc.size(1, 2).text(say("handoff.slip_title")).size(1, 1)
    enc.text(say("handoff.slip_number"))
    big_number(enc, ticket.number)
    enc.align("left").rule()
    t = ticket.created_at
    labelled(enc, say("handoff.slip_time"), f"{t.month}月{t.day}日 {t.hour:02d}:{t.minute:02d}")
    enc.text(say("handoff.slip_wait"))
    enc.align("center").feed(1).qr(slip_payload(site.kiosk_id, ticket.number, ticket.draft_id)).feed(1)
    enc.text(say("handoff.slip_qr_hint"))
    enc.feed(2).cut()
    return enc.getvalue()
