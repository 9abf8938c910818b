"""Row payloads (JSON with "v") and receipt numbers, shared by the SQLite store and its twin.

Payload v1: {"v": 1, "answers": {non-personal id: value}, "sealed": {personal id: base64},
"personal": [ids]}. Readers accept every older version (v0 = a bare answers dict with no
personal data, written by early prototypes) and refuse newer ones with StoreError('newer_data').
"""
from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from kiosk.store.keyring import Keyring
from kiosk.store.model import StoreError

PAYLOAD_VERSION = 1


def _dump(value: Any, field_id: str) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, allow_nan=False)
    except (TypeError, ValueError) as err:   # the message names a type, never the value
        raise StoreError("bad_answer", f"answer {field_id!r} is not JSON-able ({type(value).__name__})") from err


def encode_answers(answers: dict[str, Any], personal: set[str], keyring: Keyring, row_id: str) -> dict[str, Any]:
    """The stored payload: personal answers sealed to the keyring, the rest plain."""
    plain: dict[str, Any] = {}
    sealed: dict[str, str] = {}
    for field_id, value in answers.items():
        text = _dump(value, field_id)
        if field_id in personal:
            sealed[field_id] = keyring.seal(text, row_id, field_id)
        else:
            plain[field_id] = json.loads(text)   # a JSON-clean copy
    return {"v": PAYLOAD_VERSION, "answers": plain, "sealed": sealed, "personal": sorted(personal)}


def decode_answers(payload: dict[str, Any], keyring: Keyring | None, row_id: str,
                   reveal: bool = True) -> tuple[dict[str, Any], set[str]]:
    """(answers, personal ids) from a payload; personal values opened when `reveal`."""
    version = payload.get("v", 0) if isinstance(payload, dict) else None
    if version is None:
        raise StoreError("corrupt", f"payload of row {row_id} is not an object")
    if version == 0:
        return dict(payload), set()
    if version > PAYLOAD_VERSION:
        raise StoreError("newer_data", f"payload v{version} of row {row_id}")
    answers = dict(payload.get("answers", {}))
    personal = set(payload.get("personal", ()))
    if reveal:
        for field_id, sealed in payload.get("sealed", {}).items():
            if keyring is None:
                raise StoreError("locked", "personal values need the store key unlocked")
            answers[field_id] = json.loads(keyring.open(sealed, row_id, field_id))
    return answers, personal


def parse_payload(text: str, row_id: str) -> dict[str, Any]:
    """json.loads with a StoreError (no content in the message) on damage."""
    try:
        return json.loads(text)
    except (TypeError, ValueError) as err:
        raise StoreError("corrupt", f"payload of row {row_id} is not JSON ({type(err).__name__})") from err


def receipt_day(created_at: datetime) -> str:
    """YYYYMMDD of the local day a receipt belongs to."""
    return created_at.strftime("%Y%m%d")


def receipt_no(day: str, kiosk_id: str, seq: int) -> str:
    """YYYYMMDD-<kiosk_id>-NNNN (more digits after 9999 in one day)."""
    return f"{day}-{kiosk_id}-{seq:04d}"
