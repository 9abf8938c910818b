"""Encryption of personal answers: write without staff, read only with the staff secret.

An X25519 keypair per kiosk database. Each personal value is sealed to the public key with an
ephemeral X25519 key, HKDF-SHA256 and AES-256-GCM (associated data = row uuid + field id, so a
sealed value cannot be moved to another row or field). The private key is kept in the database
only wrapped with a key derived from the staff secret by Scrypt (salt and cost stored beside it).
So the kiosk can always seal, and a stolen disk image opens nothing without the staff secret.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.x25519 import (
    X25519PrivateKey,
    X25519PublicKey,
)
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from kiosk.store.model import StoreError

# The public secret early Quick starts wrapped their key with. Never used to create a key any more;
# kept so a store wrapped with it is recognised (and refused outside demo mode).
DEMO_SECRET = "kiosk-demo-secret-change-me"
SECRET_MIN_LEN = 20
SECRET_MIN_DISTINCT = 10


def generate_secret() -> str:
    """A strong random staff secret (192 bits, 32 URL-safe characters)."""
    return secrets.token_urlsafe(24)


def secret_problem(secret: str) -> str | None:
    """Why `secret` is too weak to protect personal data, or None when it is strong enough.

    At least 20 characters and 10 different ones (a generated secret has 32); never the public
    demo secret. A passphrase of several random words passes; "aaaa…" or "1234…" do not.
    """
    if secret == DEMO_SECRET:
        return "it is the public demo secret"
    if len(secret) < SECRET_MIN_LEN:
        return f"it has {len(secret)} characters, at least {SECRET_MIN_LEN} are needed"
    if len(set(secret)) < SECRET_MIN_DISTINCT:
        return f"it has only {len(set(secret))} different characters, at least {SECRET_MIN_DISTINCT} are needed"
    return None

_SEAL_VERSION = 1
_HKDF_INFO = b"kiosk.store.seal.v1"
_WRAP_AAD = b"kiosk.store.keyring.v1"
_PAD = 32   # plaintexts are padded to a multiple of this, so lengths leak less


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"))


def _raw_public(key: X25519PublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _raw_private(key: X25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption()
    )


def _seal_key(shared: bytes, eph_pub: bytes, recipient_pub: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=eph_pub + recipient_pub,
                info=_HKDF_INFO).derive(shared)


@dataclass(frozen=True)
class ScryptParams:
    """Cost of deriving the wrapping key from the staff secret (stored with the wrapped key)."""

    n: int = 2 ** 15     # ~0.1 s and 32 MB here: cheap once per unlock, costly per guess
    r: int = 8
    p: int = 1

    def derive(self, secret: str, salt: bytes) -> bytes:
        """The 32-byte wrapping key."""
        return Scrypt(salt=salt, length=32, n=self.n, r=self.r, p=self.p).derive(secret.encode("utf-8"))


class Keyring:
    """The kiosk's keypair: `public` is always there; the private key only after `unlock`."""

    def __init__(self, public: bytes, wrapped: bytes, nonce: bytes, salt: bytes, kdf: ScryptParams):
        self._public_raw = public
        self.public = X25519PublicKey.from_public_bytes(public)
        self._wrapped = wrapped
        self._nonce = nonce
        self._salt = salt
        self._kdf = kdf
        self._private: X25519PrivateKey | None = None
        self._is_demo: bool | None = None

    # --- creation and persistence -------------------------------------------------------
    @classmethod
    def create(cls, secret: str, kdf: ScryptParams | None = None) -> Keyring:
        """A new keypair wrapped with `secret`, returned unlocked."""
        private = X25519PrivateKey.generate()
        ring = cls._wrap(private, secret, kdf or ScryptParams())
        ring._private = private
        ring._is_demo = secret == DEMO_SECRET
        return ring

    @classmethod
    def _wrap(cls, private: X25519PrivateKey, secret: str, kdf: ScryptParams) -> Keyring:
        public = _raw_public(private.public_key())
        salt, nonce = os.urandom(16), os.urandom(12)
        wrapped = AESGCM(kdf.derive(secret, salt)).encrypt(nonce, _raw_private(private), _WRAP_AAD + public)
        return cls(public, wrapped, nonce, salt, kdf)

    def to_json(self) -> str:
        """The record kept in the meta table (public key, wrapped private key, KDF params)."""
        return json.dumps({
            "v": 1, "public": _b64(self._public_raw), "wrapped": _b64(self._wrapped),
            "nonce": _b64(self._nonce),
            "kdf": {"name": "scrypt", "salt": _b64(self._salt), "n": self._kdf.n, "r": self._kdf.r, "p": self._kdf.p},
        })

    @classmethod
    def from_json(cls, text: str) -> Keyring:
        """A locked keyring from its meta record."""
        try:
            rec = json.loads(text)
            kdf = rec["kdf"]
            if rec.get("v", 1) > 1 or kdf["name"] != "scrypt":
                raise StoreError("newer_data", "keyring record written by a newer kiosk")
            return cls(_unb64(rec["public"]), _unb64(rec["wrapped"]), _unb64(rec["nonce"]),
                       _unb64(kdf["salt"]), ScryptParams(kdf["n"], kdf["r"], kdf["p"]))
        except StoreError:
            raise
        except (ValueError, KeyError, TypeError) as err:
            raise StoreError("corrupt", f"keyring record unreadable ({type(err).__name__})") from err

    # --- unlocking ----------------------------------------------------------------------
    @property
    def unlocked(self) -> bool:
        """True when personal values can be opened."""
        return self._private is not None

    def unlock(self, secret: str) -> None:
        """Unwrap the private key with the staff secret; StoreError('wrong_secret') if it fails."""
        try:
            raw = AESGCM(self._kdf.derive(secret, self._salt)).decrypt(
                self._nonce, self._wrapped, _WRAP_AAD + self._public_raw)
        except InvalidTag:
            raise StoreError("wrong_secret", "staff secret does not unlock the store key") from None
        self._private = X25519PrivateKey.from_private_bytes(raw)
        self._is_demo = secret == DEMO_SECRET

    def lock(self) -> None:
        """Forget the private key (staff logged out)."""
        self._private = None

    @property
    def is_demo_secret(self) -> bool:
        """True when the demo secret unlocks this keyring (anyone could read the data)."""
        if self._is_demo is None:   # locked and never tried: one Scrypt run tells
            try:
                AESGCM(self._kdf.derive(DEMO_SECRET, self._salt)).decrypt(
                    self._nonce, self._wrapped, _WRAP_AAD + self._public_raw)
                self._is_demo = True
            except InvalidTag:
                self._is_demo = False
        return self._is_demo

    def rewrapped(self, new_secret: str, kdf: ScryptParams | None = None) -> Keyring:
        """The same keypair wrapped with a new staff secret (needs this one unlocked)."""
        if self._private is None:
            raise StoreError("locked", "rewrap needs the store key unlocked")
        ring = self._wrap(self._private, new_secret, kdf or self._kdf)
        ring._private = self._private
        ring._is_demo = new_secret == DEMO_SECRET
        return ring

    @property
    def key_id(self) -> str:
        """Short fingerprint of the public key (tells the central service which key sealed a row)."""
        return hashlib.sha256(self._public_raw).hexdigest()[:16]

    def same_key(self, other: Keyring) -> bool:
        """True when both hold the same public key."""
        return hmac.compare_digest(self._public_raw, other._public_raw)

    # --- sealing values -----------------------------------------------------------------
    def seal(self, value_json: str, row_id: str, field_id: str) -> str:
        """Encrypt one JSON-encoded value to the public key; base64 text for the payload."""
        eph = X25519PrivateKey.generate()
        eph_pub = _raw_public(eph.public_key())
        key = _seal_key(eph.exchange(self.public), eph_pub, self._public_raw)
        data = value_json.encode("utf-8")
        data += b" " * (-len(data) % _PAD)    # JSON ignores trailing spaces
        nonce = os.urandom(12)
        ct = AESGCM(key).encrypt(nonce, data, _aad(row_id, field_id))
        return _b64(bytes([_SEAL_VERSION]) + eph_pub + nonce + ct)

    def open(self, sealed: str, row_id: str, field_id: str) -> str:
        """Decrypt a sealed value back to its JSON text (needs `unlock`)."""
        if self._private is None:
            raise StoreError("locked", "personal values need the store key unlocked")
        try:
            blob = _unb64(sealed)
            if blob[0] != _SEAL_VERSION:
                raise StoreError("newer_data", f"sealed value version {blob[0]}")
            eph_pub, nonce, ct = blob[1:33], blob[33:45], blob[45:]
            shared = self._private.exchange(X25519PublicKey.from_public_bytes(eph_pub))
            key = _seal_key(shared, eph_pub, self._public_raw)
            return AESGCM(key).decrypt(nonce, ct, _aad(row_id, field_id)).decode("utf-8").rstrip(" ")
        except StoreError:
            raise
        except (InvalidTag, ValueError, IndexError) as err:
            raise StoreError("corrupt", f"sealed value for field {field_id!r} of row {row_id} "
                             f"does not open ({type(err).__name__})") from None


def _aad(row_id: str, field_id: str) -> bytes:
    return f"{row_id}\x00{field_id}".encode()


# Crockford base32: no I, L, O, U, so a code read aloud or typed by staff is unambiguous.
_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CHECK_CODE_LEN = 6


def check_code(key: bytes, receipt_no: str) -> str:
    """The short code printed with a receipt: HMAC-SHA256(key, receipt_no), 6 base32 chars."""
    digest = int.from_bytes(hmac.new(key, receipt_no.encode("ascii"), hashlib.sha256).digest()[:8], "big")
    return "".join(_CROCKFORD[(digest >> (5 * i)) & 31] for i in range(CHECK_CODE_LEN))


def check_code_matches(key: bytes, receipt_no: str, code: str) -> bool:
    """True when `code` (any case, O/I/L typed for 0/1) is the receipt's check code."""
    typed = code.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")
    return hmac.compare_digest(typed, check_code(key, receipt_no))
