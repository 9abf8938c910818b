"""A `Receipt` laid out on 58 or 80 mm paper as ESC/POS bytes.

Large, plain and in reading order: where the resident is, what they applied for, their number
(as large as the paper allows), who applied, what to bring, where to go, the QR, who to call.
Labels come from voices/text/printing.yaml; values are the receipt's (already masked) fields.
Every line is broken by `kiosk.typeset.break_lines` on the printer's own column grid (see
`textwidth`), so the printer never re-wraps a line. A staff reprint is marked 补打 with its time.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

from kiosk.printing.escpos import EscPosEncoder
from kiosk.printing.receipt import Receipt
from kiosk.printing.textwidth import columns_for, sanitize, text_width, wrap
from kiosk.voices import say


def encoder_for(settings: Any) -> EscPosEncoder:
    """An encoder configured from PrinterSettings."""
    return EscPosEncoder(paper_mm=settings.paper_mm, encoding=settings.encoding,
                         profile=settings.profile, font_path=settings.font_path)


def labelled(enc: EscPosEncoder, label: str, value: str) -> None:
    """'label：value', continuation lines indented under the value so the label stands out."""
    head = f"{label}："
    indent = text_width(head, enc.encoding)
    cols = enc.columns
    value = sanitize(value)
    if indent > cols // 2:          # a very long label: plain wrapping reads better
        enc.text(head + value)
        return
    pieces = wrap(value, cols - indent, enc.encoding)
    enc.text(head + pieces[0])
    for piece in pieces[1:]:
        enc.text(" " * indent + piece)


def big_number(enc: EscPosEncoder, number: str) -> None:
    """The receipt number at double size, or double height where double width would wrap."""
    width = 2 if text_width(number, enc.encoding) <= columns_for(enc.paper_mm, 2) else 1
    enc.size(width, 2).bold(True).text(number).bold(False).size(1, 1)


def clock_text(t: dt.datetime) -> str:
    """'2026年11月23日 14:05' in the time's own zone."""
    return say("receipt_time_format", y=t.year, m=t.month, d=t.day, hh=f"{t.hour:02d}", mm=f"{t.minute:02d}")


def receipt_time(receipt: Receipt) -> str:
    """The submission time as printed."""
    return clock_text(receipt.created_at)


def encode_receipt(receipt: Receipt, settings: Any, reprint_at: dt.datetime | None = None) -> bytes:
    """The complete print job for one receipt; `reprint_at` marks a staff reprint (补打)."""
    enc = encoder_for(settings).init()
    enc.align("center").bold(True).text(receipt.centre_name).bold(False)
    if reprint_at is not None:
        enc.size(2, 2).bold(True).text(say("receipt_reprint_mark")).bold(False).size(1, 1)
        enc.text(say("receipt_reprint_time", time=clock_text(reprint_at)))
    enc.size(1, 2).text(receipt.title).size(1, 1)
    enc.text(say("receipt_no_label"))
    big_number(enc, receipt.receipt_no)
    enc.align("left").rule()
    labelled(enc, say("receipt_time_label"), receipt_time(receipt))
    for key, value in (("receipt_applicant_label", receipt.applicant_name),
                       ("receipt_id_label", receipt.id_number),
                       ("receipt_phone_label", receipt.phone),
                       ("receipt_address_label", receipt.address)):
        if value:
            labelled(enc, say(key), value)
    if receipt.proxy:
        enc.text(say("receipt_proxy_relation", relation=receipt.proxy_relation)
                 if receipt.proxy_relation else say("receipt_proxy"))
    if receipt.booked:
        enc.rule().bold(True).text(say("receipt_booking_heading")).bold(False)
        for label, value in receipt.booked:
            labelled(enc, label, value)
    if receipt.documents:
        enc.rule().text(say("receipt_documents_heading"))
        for i, doc in enumerate(receipt.documents, 1):
            labelled_item(enc, f"{i}.", doc)
    enc.rule()
    if receipt.department:
        labelled(enc, say("receipt_department_label"), receipt.department)
    if receipt.opening_hours:
        labelled(enc, say("receipt_hours_label"), receipt.opening_hours)
    enc.align("center").feed(1).qr(receipt.qr_data).feed(1)
    # The caption says who can use the code: a phone only when it holds a status web address.
    enc.text(say("receipt_qr_hint" if receipt.status_url else "receipt_qr_staff"))
    enc.text(f"{say('receipt_help_label')}：{receipt.help_line}")
    enc.feed(2).cut()
    return enc.getvalue()


def labelled_item(enc: EscPosEncoder, marker: str, value: str) -> None:
    """A numbered list item with a hanging indent."""
    indent = text_width(marker, enc.encoding) + 1
    pieces = wrap(sanitize(value), enc.columns - indent, enc.encoding)
    enc.text(f"{marker} {pieces[0]}")
    for piece in pieces[1:]:
        enc.text(" " * indent + piece)
