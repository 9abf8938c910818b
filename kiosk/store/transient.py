"""Seal short values with a key that lives only in this process's memory (never on disk).

For rows the running kiosk must read back without the staff secret but that should not give
a stolen disk anything: the masked name, ID, phone and building on a queued receipt. After a
restart the key is gone and those values open to "" (a reprint then shows the receipt number,
check code and service, not the masked personal lines); they were masked already, and the
submission itself keeps the full answers sealed to the store key.

    from kiosk.store.transient import PROCESS_SEAL
    row = PROCESS_SEAL.seal_fields(receipt.to_dict(), PERSONAL_RECEIPT_FIELDS, aad=receipt_no)
    d = PROCESS_SEAL.open_fields(row, PERSONAL_RECEIPT_FIELDS, aad=receipt_no)
"""
from __future__ import annotations

import base64
import os
from collections.abc import Iterable
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

_PREFIX = "t1:"
# Receipt fields that carry (masked) personal data.
PERSONAL_RECEIPT_FIELDS = ("applicant_name", "id_number", "phone", "address", "proxy_relation")


class TransientSeal:
    """AES-256-GCM with a random key made when the process starts."""

    def __init__(self) -> None:
        self._aead = AESGCM(AESGCM.generate_key(bit_length=256))

    def seal(self, text: str, aad: str) -> str:
        """`t1:<base64 nonce+ciphertext>`; "" stays "" (nothing to hide)."""
        if not text:
            return ""
        nonce = os.urandom(12)
        ct = self._aead.encrypt(nonce, text.encode("utf-8"), aad.encode("utf-8"))
        return _PREFIX + base64.b64encode(nonce + ct).decode("ascii")

    def open(self, token: str, aad: str) -> str:
        """The text, or "" when sealed by an earlier run of the kiosk (or not sealed at all)."""
        if not token.startswith(_PREFIX):
            return ""    # a row from before sealing: its plaintext is not trusted back either
        try:
            blob = base64.b64decode(token[len(_PREFIX):])
            return self._aead.decrypt(blob[:12], blob[12:], aad.encode("utf-8")).decode("utf-8")
        except (InvalidTag, ValueError):
            return ""

    def seal_fields(self, d: dict[str, Any], keys: Iterable[str], aad: str) -> dict[str, Any]:
        """A copy of `d` with the string values under `keys` sealed."""
        out = dict(d)
        for k in keys:
            if isinstance(out.get(k), str):
                out[k] = self.seal(out[k], f"{aad}\x00{k}")
        return out

    def open_fields(self, d: dict[str, Any], keys: Iterable[str], aad: str) -> dict[str, Any]:
        """A copy of `d` with the values under `keys` opened ("" when they cannot be)."""
        out = dict(d)
        for k in keys:
            if isinstance(out.get(k), str) and out[k]:
                out[k] = self.open(out[k], f"{aad}\x00{k}")
        return out


PROCESS_SEAL = TransientSeal()
