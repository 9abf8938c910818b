"""Slow salted hashes of staff PINs and passwords (Scrypt), and which Scrypt costs are standard.

The record is JSON: {"v": 1, "kdf": "scrypt", n, r, p, salt, hash} (base64). The kiosk keeps
staff PINs this way and the central service its console passwords. A record or keyring coming
from elsewhere names its own cost, so anything that checks one first asks `is_standard_scrypt`:
a huge n or r would make a single check cost gigabytes and seconds.
"""
from __future__ import annotations

import base64
import json
import os
from dataclasses import dataclass

from cryptography.exceptions import InvalidKey
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

# Scrypt costs the kiosk writes (2**15, ~32 MB) and the OWASP-recommended range around it.
# Memory is 128 * r * n bytes: 2**17 with r = 8 is 128 MB, the most one check may take.
STANDARD_SCRYPT_N = frozenset({2 ** 14, 2 ** 15, 2 ** 16, 2 ** 17})
STANDARD_SCRYPT_R = 8
STANDARD_SCRYPT_P = 1


def is_standard_scrypt(n: object, r: object, p: object, *, extra_n: frozenset[int] = frozenset()) -> bool:
    """True for Scrypt costs this software writes itself (`extra_n`: cheaper ones a test allows)."""
    return (type(n) is int and type(r) is int and type(p) is int and (n in STANDARD_SCRYPT_N or n in extra_n)
            and r == STANDARD_SCRYPT_R and p == STANDARD_SCRYPT_P)


@dataclass(frozen=True)
class PinKdf:
    """Scrypt cost. Default ~0.1 s and 32 MB per try here: fine once per unlock, costly per guess."""

    n: int = 2 ** 15
    r: int = 8
    p: int = 1

    def scrypt(self, salt: bytes) -> Scrypt:
        """A fresh one-shot Scrypt object (cryptography's objects derive once)."""
        return Scrypt(salt=salt, length=32, n=self.n, r=self.r, p=self.p)


def hash_pin(pin: str, kdf: PinKdf = PinKdf()) -> str:
    """The JSON record kept for a PIN or password: {"kdf": "scrypt", n, r, p, salt, hash} (base64)."""
    salt = os.urandom(16)
    digest = kdf.scrypt(salt).derive(pin.encode("utf-8"))
    return json.dumps({"v": 1, "kdf": "scrypt", "n": kdf.n, "r": kdf.r, "p": kdf.p,
                       "salt": base64.b64encode(salt).decode(), "hash": base64.b64encode(digest).decode()})


def record_kdf(record: str) -> PinKdf:
    """The cost a record names (ValueError when it is not a scrypt record)."""
    rec = json.loads(record)
    if not isinstance(rec, dict) or rec.get("kdf") != "scrypt":
        raise ValueError("not a scrypt record")
    return PinKdf(rec["n"], rec["r"], rec["p"])


def pin_matches(pin: str, record: str) -> bool:
    """True when `pin` hashes to the record (constant-time compare inside Scrypt.verify)."""
    rec = json.loads(record)
    kdf = PinKdf(rec["n"], rec["r"], rec["p"])
    try:
        kdf.scrypt(base64.b64decode(rec["salt"])).verify(pin.encode("utf-8"), base64.b64decode(rec["hash"]))
    except InvalidKey:
        return False
    return True
