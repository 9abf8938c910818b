"""Receipts of every form at 58 and 80 mm, drawn from the exact bytes: `python -m kiosk.printing.gallery DIR`.

Fictional answers of each field type fill each form; the family-helper receipts apply on a
relative's behalf (由家属代办：子女). Writes DIR/receipt-<form>-<mm>mm.png and a staff reprint
(receipt-reprint-58mm.png, marked 补打) and returns the paths.
"""
from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

from kiosk.catalogue.spec import FieldSpec, FieldType, FormSpec, SiteSpec
from kiosk.config import PrinterSettings
from kiosk.printing.layout import encode_receipt
from kiosk.printing.preview import render_png
from kiosk.printing.receipt import receipt_for
from kiosk.printing.sample import SampleSubmission

SUBMITTED = dt.datetime(2026, 12, 2, 9, 41, tzinfo=dt.timezone(dt.timedelta(hours=8)))
BOOKED_DAY = dt.date(2026, 12, 3)
REPRINTED = dt.datetime(2026, 12, 2, 10, 5, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def sample_value(field: FieldSpec) -> Any:
    """A fictional answer of the field's type."""
    values: dict[FieldType, Any] = {
        FieldType.NAME: "张秀英", FieldType.PHONE: "13812345678", FieldType.ID_NUMBER: "110105195003051234",
        FieldType.ADDRESS: {"building": "3号楼", "unit": "2单元", "room": "502"},
        FieldType.DATE: BOOKED_DAY.isoformat(), FieldType.YES_NO: True, FieldType.CONSENT: True,
        FieldType.TEXT: "楼道里的灯坏了三天了",
    }
    if field.type is FieldType.CHOICE:
        return field.choices[-1].value if field.id == "pickup" else field.choices[0].value
    if field.type is FieldType.MULTI_CHOICE:
        return [c.value for c in field.choices[:2]]
    if field.type is FieldType.INTEGER:
        return min(max(field.min or 0, 5), field.max or 5)
    return values[field.type]


def sample_submission(form: FormSpec, proxy: bool) -> SampleSubmission:
    """A fictional submission of this form (by a family helper when `proxy`)."""
    answers = {f.id: sample_value(f) for f in form.fields}
    answers.update({"applicant": "proxy", "helper_name": "张丽", "helper_relation": "child",
                    "helper_phone": "13900001111"} if proxy else {"applicant": "self"})
    return SampleSubmission(receipt_no="20261202-K01-0007", form_id=form.id, created_at=SUBMITTED, answers=answers)


def write_gallery(forms: list[FormSpec], site: SiteSpec, out_dir: str | Path) -> list[Path]:
    """Render each form's receipt at 58 and 80 mm from its ESC/POS bytes."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for i, form in enumerate(forms):
        receipt = receipt_for(sample_submission(form, proxy=i % 2 == 0), form, site)  # type: ignore[arg-type]
        for mm in (58, 80):
            data = encode_receipt(receipt, PrinterSettings(paper_mm=mm))
            path = out / f"receipt-{form.id}-{mm}mm.png"
            render_png(data, path, mm)
            paths.append(path)
    if forms:   # a staff reprint: the same receipt marked 补打 with its time
        receipt = receipt_for(sample_submission(forms[0], proxy=True), forms[0], site)  # type: ignore[arg-type]
        data = encode_receipt(receipt, PrinterSettings(paper_mm=58), reprint_at=REPRINTED)
        path = out / "receipt-reprint-58mm.png"
        render_png(data, path, 58)
        paths.append(path)
    return paths


def main(argv: list[str]) -> int:
    """Write the gallery for forms/ into argv[0] (default docs/img)."""
    from kiosk.catalogue.loader import load_catalogue

    catalogue = load_catalogue("forms")
    for path in write_gallery(list(catalogue.forms.values()), SiteSpec(), argv[0] if argv else "docs/img"):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
