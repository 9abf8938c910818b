"""Unlocked kiosk keys per staff session, held only in this process's memory, and masked views.

A staff member unlocks one kiosk's keys with the staff secret (the Scrypt cost is in the
wrapped record); from then on that session's pages show that kiosk's personal values *masked*
through kiosk/privacy.py. Nothing unlocked is ever written to the database, and logout, expiry
or a restart forgets it.
"""
from __future__ import annotations

import threading
from typing import Any

from kiosk.catalogue.spec import FieldType, FormSpec
from kiosk.staff.audit import masked
from kiosk.store.keyring import Keyring
from kiosk.store.model import StoreError
from kiosk.store.payload import decode_answers
from kiosk.voices import say


class KeyVault:
    """session id hash -> kiosk id -> unlocked keyrings by key id."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._keys: dict[str, dict[str, dict[str, Keyring]]] = {}

    def unlock(self, session: str, kiosk_id: str, rings: list[Keyring], secret: str) -> int:
        """Unlock every ring of a kiosk the secret opens; return how many opened."""
        opened: dict[str, Keyring] = {}
        for ring in rings:
            try:
                ring.unlock(secret)
            except StoreError:
                continue
            opened[ring.key_id] = ring
        if opened:
            with self._lock:
                self._keys.setdefault(session, {}).setdefault(kiosk_id, {}).update(opened)
        return len(opened)

    def unlocked_kiosks(self, session: str) -> set[str]:
        """Kiosks whose keys this session holds."""
        with self._lock:
            return set(self._keys.get(session, {}))

    def ring(self, session: str, kiosk_id: str, key_id: str) -> Keyring | None:
        """The unlocked ring that sealed a row, if this session holds it."""
        with self._lock:
            return self._keys.get(session, {}).get(kiosk_id, {}).get(key_id)

    def forget(self, session: str) -> None:
        """Drop every key of a session (logout, lock)."""
        with self._lock:
            for rings in self._keys.pop(session, {}).values():
                for ring in rings.values():
                    ring.lock()


def open_fields(forms: dict[str, FormSpec]) -> dict[str, set[str]]:
    """Per form, the fields whose answers may be stored plain: neither personal nor free text."""
    return {form_id: {f.id for f in form.fields if not f.personal and f.type is not FieldType.TEXT}
            for form_id, form in forms.items()}


def personal_view(row: dict[str, Any], form: FormSpec | None, ring: Keyring | None,
                  full_text: bool = False) -> list[tuple[str, str]] | None:
    """[(label, masked value)] of a row's sealed answers, or None when its key is locked.

    Free text is shown as its length, or in full with `full_text` (the detail page: staff must
    read what the resident asked for); names, IDs, phones and addresses are always masked."""
    payload = row["payload"]
    personal = list(payload.get("personal") or payload.get("sealed", {}).keys())
    if not personal:
        return []
    if ring is None:
        return None
    try:
        answers, _ = decode_answers(payload, ring, row["uuid"], reveal=True)
    except StoreError:
        return None
    fields = {f.id: f for f in form.fields} if form else {}
    order = list(fields)
    personal.sort(key=lambda f: (order.index(f) if f in order else len(order), f))   # as the form asks
    out = []
    for field_id in personal:
        field = fields.get(field_id)
        value = answers.get(field_id)
        if value in (None, "", [], {}):
            continue
        if full_text and field is not None and field.type is FieldType.TEXT and not field.personal:
            out.append((field.label, str(value)))
        else:
            out.append((field.label if field else field_id, masked(field, value) if field else "***"))
    return out


def plain_view(row: dict[str, Any], form: FormSpec | None) -> list[tuple[str, str]]:
    """[(label, shown value)] of a row's non-personal answers, choice values as their labels."""
    answers = row["payload"].get("answers", {})
    out = []
    fields = {f.id: f for f in form.fields} if form else {}
    for field_id, value in answers.items():
        field = fields.get(field_id)
        if field is not None and field.choices:
            labels = {c.value: c.label for c in field.choices}
            value = "、".join(labels.get(v, str(v)) for v in value) if isinstance(value, list) \
                else labels.get(value, value)
        out.append((field.label if field else field_id, _show(value)))
    return out


def _show(value: Any) -> str:
    """A plain answer as text (choices, yes/no, dates; free text is sealed and shown by personal_view)."""
    if isinstance(value, bool):
        return say("central_yes" if value else "central_no")
    if isinstance(value, list):
        return "、".join(_show(v) for v in value)
    if isinstance(value, dict):
        return "，".join(f"{k} {_show(v)}" for k, v in value.items())
    return "" if value is None else str(value)
