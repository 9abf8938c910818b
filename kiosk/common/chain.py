"""The audit hash chain: each row's SHA-256 covers the previous row's hash and its own fields.

The kiosk's staff audit log writes it (kiosk.staff.audit) and the central service keeps the
newest hash ("the head") each kiosk sent with a sync batch, so a kiosk whose history was
rewritten after a sync is noticed: its chain no longer passes through the head the central saw.
"""
from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64
HEAD = r"^[0-9a-f]{64}$"      # what a chain head looks like (a hex SHA-256)


def row_hash(prev: str, *fields: str) -> str:
    """The chain hash of one row: SHA-256 over the previous hash and the row's fields, in order."""
    body = json.dumps([prev, *fields], ensure_ascii=False)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()
