"""The receipt model: everything printed on a resident's receipt, with personal data masked.

`receipt_for` is the only place that reads raw answers; what it returns holds masked values
only, so a `Receipt` can be queued, logged by id, rendered and stored without exposing anyone.
The QR code carries only the receipt number and its check code. A family helper's relation is
printed in Chinese (由家属代办：子女), a booking prints what was booked under its own heading,
and the QR caption says who can use the code.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from kiosk.catalogue.spec import FieldSpec, FieldType, FormSpec, SiteSpec
from kiosk.dialogue.kinds import kind_of
from kiosk.privacy import mask_address, mask_id, mask_name, mask_phone
from kiosk.voices import catalogue

if TYPE_CHECKING:  # the store owns Submission; printing only reads its documented fields
    from kiosk.store.model import Submission

SCHEMA_VERSION = 2


@dataclass(frozen=True)
class Receipt:
    """One printable receipt. Personal fields are already masked."""

    centre_name: str
    title: str
    receipt_no: str
    created_at: dt.datetime
    qr_data: str
    help_line: str
    department: str = ""
    opening_hours: str = ""
    documents: tuple[str, ...] = ()
    applicant_name: str = ""      # masked, e.g. 张*明
    id_number: str = ""           # masked, e.g. 110105********1234
    phone: str = ""               # masked, e.g. 138****5678
    address: str = ""             # building only
    proxy: bool = False           # a family member applied (代办)
    proxy_relation: str = ""      # in Chinese, e.g. 子女
    booked: tuple[tuple[str, str], ...] = ()   # (label, what was booked), e.g. (用餐方式, 送到家里)
    schema: int = field(default=SCHEMA_VERSION)

    @property
    def status_url(self) -> bool:
        """The QR holds a web address a phone can open (else only staff can read it)."""
        return not self.qr_data.startswith("KIOSK:")

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (dump with ensure_ascii=False)."""
        d = asdict(self)
        d["created_at"] = self.created_at.isoformat()
        d["documents"] = list(self.documents)
        d["booked"] = [list(pair) for pair in self.booked]
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Receipt":
        """Inverse of to_dict; tolerates older rows (unknown keys dropped, missing keys defaulted)."""
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        known["created_at"] = dt.datetime.fromisoformat(known["created_at"])
        known["documents"] = tuple(known.get("documents") or ())
        known["booked"] = tuple((str(p[0]), str(p[1])) for p in known.get("booked") or ())
        known["schema"] = SCHEMA_VERSION
        return cls(**known)


def qr_payload(receipt_no: str, check_code: str, status_url_base: str = "") -> str:
    """The QR content: a status URL when a base is configured, else plain `KIOSK:no:code`."""
    if status_url_base:
        return f"{status_url_base.rstrip('/')}/r/{receipt_no}?c={check_code}"
    return f"KIOSK:{receipt_no}:{check_code}"


def _first_answer(form: FormSpec, answers: dict, *, types: set[FieldType], reuse: str | None = None) -> Any:
    """The first non-empty answer of a field with this reuse key or one of these types."""
    candidates = [f for f in form.fields if reuse and f.reuse == reuse]
    candidates += [f for f in form.fields if f.type in types and f not in candidates]
    for f in candidates:
        value = answers.get(f.id)
        if value not in (None, "", [], {}):
            return value
    return None


def relation_text(value: Any) -> str:
    """A helper relation in Chinese: the wording of a stored choice value (child -> 子女)."""
    if value in (None, ""):
        return ""
    return catalogue().get(f"relation.{value}", str(value))


def booked_text(field: FieldSpec, value: Any) -> str:
    """What was booked, as the receipt prints it: the field kind's own receipt text (choice
    labels, dates in Chinese, units kept; personal data masked)."""
    return kind_of(field.type).receipt_text(value, field)


def _booked(form: FormSpec, answers: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    out = []
    for field_id in form.booking:
        f = form.field(field_id)
        value = answers.get(field_id)
        if value in (None, "", [], {}) or f.personal:
            continue              # personal fields are masked elsewhere, never under 预约内容
        try:
            out.append((f.label, booked_text(f, value)))
        except (TypeError, ValueError):
            out.append((f.label, str(value)))
    return tuple(out)


def receipt_for(submission: "Submission", form: FormSpec, site: SiteSpec, status_url_base: str = "") -> Receipt:
    """Build the masked receipt of a saved submission."""
    answers = dict(submission.answers or {})
    proxy = answers.get("applicant") == "proxy"
    return Receipt(
        centre_name=site.centre_name,
        title=form.title,
        receipt_no=submission.receipt_no,
        created_at=submission.created_at,
        qr_data=qr_payload(submission.receipt_no, submission.check_code, status_url_base),
        help_line=site.help_line,
        department=form.department,
        opening_hours=form.opening_hours,
        documents=tuple(form.documents),
        applicant_name=mask_name(_first_answer(form, answers, types={FieldType.NAME}, reuse="name")),
        id_number=mask_id(_first_answer(form, answers, types={FieldType.ID_NUMBER}, reuse="id_number")),
        phone=mask_phone(_first_answer(form, answers, types={FieldType.PHONE}, reuse="phone")),
        address=mask_address(_first_answer(form, answers, types={FieldType.ADDRESS}, reuse="address")),
        proxy=proxy,
        proxy_relation=relation_text(answers.get("helper_relation")) if proxy else "",
        booked=_booked(form, answers),
    )
