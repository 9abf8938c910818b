"""CentralStore: every SQL statement of the central service (kiosks, submissions, staff, audit).

One short connection per call (psycopg 3); each public method is one transaction. Nothing here
opens sealed values: payloads are stored and returned exactly as the kiosks sent them.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from kiosk.central.schema import STATUSES, migrate
from kiosk.common.kdf import PinKdf, hash_pin, pin_matches
from kiosk.errors import KioskError
from kiosk.store.keyring import Keyring
from kiosk.store.model import StoreError

log = logging.getLogger(__name__)

KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
PASSWORD_MIN = 10
PAYLOAD_VERSION = 1          # newest submission payload "v" this service understands
MAX_FAILURES, LOCKOUT = 5, timedelta(minutes=5)


def sha256_hex(text: str) -> str:
    """Hex SHA-256 of a high-entropy token (tokens are random, so no slow hash is needed)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_code(code: str) -> str:
    """A check code as typed (any case; O/I/L for 0/1) in its canonical Crockford form."""
    return code.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")


class CentralError(KioskError):
    """A refused central operation; `code` is stable, the message never carries personal data."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        super().__init__(f"[{code}] {detail}" if detail else f"[{code}]")


@dataclass(frozen=True)
class Rejected:
    """An item the service did not accept, and why (no values)."""

    uuid: str
    reason: str


def _check_item(kiosk_id: str, item: Any) -> tuple[dict, datetime]:
    """Validate one outbox payload; returns it and its creation time, or raises CentralError."""
    if not isinstance(item, dict):
        raise CentralError("not_object")
    for key in ("uuid", "receipt_no", "form_id", "created_at", "check_code", "key_id"):
        if not isinstance(item.get(key), str) or not item[key]:
            raise CentralError("missing_field", key)
    if not re.fullmatch(r"[0-9a-f]{32}", item["uuid"]):
        raise CentralError("bad_uuid")
    version = item.get("v")
    if not isinstance(version, int) or version < 1:
        raise CentralError("no_version")
    if version > PAYLOAD_VERSION:
        raise CentralError("newer_payload", f"v{version}")
    if item.get("kiosk_id") != kiosk_id:
        raise CentralError("wrong_kiosk")
    try:
        created = datetime.fromisoformat(item["created_at"])
    except ValueError:
        raise CentralError("bad_time") from None
    if created.tzinfo is None:
        raise CentralError("bad_time", "no UTC offset")
    return item, created


class CentralStore:
    """Data access for the central service."""

    def __init__(self, dsn: str, *, kdf: PinKdf = PinKdf()) -> None:
        self.dsn = dsn
        self.kdf = kdf

    def connect(self) -> psycopg.Connection:
        """A new connection returning rows as dicts (use as a context manager: commits on exit)."""
        return psycopg.connect(self.dsn, row_factory=dict_row)

    def migrate(self) -> int:
        """Bring the schema up to date; return its version."""
        return migrate(self.dsn)

    # --- kiosks ---------------------------------------------------------------------------
    def add_kiosk(self, kiosk_id: str) -> str:
        """Create a kiosk (or replace its token); return the new token, shown once."""
        if not KIOSK_ID.fullmatch(kiosk_id):
            raise CentralError("bad_kiosk_id", "use letters, digits, - and _ (at most 32)")
        token = secrets.token_urlsafe(32)
        with self.connect() as conn:
            conn.execute("INSERT INTO kiosks (kiosk_id, token_hash) VALUES (%s, %s) "
                         "ON CONFLICT (kiosk_id) DO UPDATE SET token_hash = excluded.token_hash",
                         (kiosk_id, sha256_hex(token)))
            self._audit(conn, "cli", "kiosk.token", kiosk_id)
        return token

    def kiosk_for_token(self, token: str) -> str | None:
        """The kiosk a bearer token belongs to (and note that it was seen), or None."""
        if not token:
            return None
        with self.connect() as conn:
            row = conn.execute("UPDATE kiosks SET last_seen_at = now() WHERE token_hash = %s RETURNING kiosk_id",
                               (sha256_hex(token),)).fetchone()
        return row["kiosk_id"] if row else None

    def kiosks(self) -> list[dict]:
        """Every kiosk with its key count and last contact."""
        with self.connect() as conn:
            return conn.execute(
                "SELECT k.kiosk_id, k.last_seen_at, count(kk.key_id) AS keys FROM kiosks k "
                "LEFT JOIN kiosk_keys kk USING (kiosk_id) GROUP BY k.kiosk_id ORDER BY k.kiosk_id").fetchall()

    def register_key(self, kiosk_id: str, key_id: str, keyring: dict) -> None:
        """Keep a kiosk's public key and wrapped private key (a re-wrap replaces the record)."""
        try:
            ring = Keyring.from_json(json.dumps(keyring))
        except StoreError as err:
            raise CentralError("bad_keyring", err.code) from None
        if ring.key_id != key_id:
            raise CentralError("bad_keyring", "key_id is not the public key's fingerprint")
        with self.connect() as conn:
            conn.execute(
                "INSERT INTO kiosk_keys (kiosk_id, key_id, keyring) VALUES (%s, %s, %s) "
                "ON CONFLICT (kiosk_id, key_id) DO UPDATE SET keyring = excluded.keyring, updated_at = now()",
                (kiosk_id, key_id, Jsonb(keyring)))

    def keyrings(self, kiosk_id: str) -> list[Keyring]:
        """The locked keyrings a kiosk registered (one per database it ever had)."""
        with self.connect() as conn:
            rows = conn.execute("SELECT keyring FROM kiosk_keys WHERE kiosk_id = %s ORDER BY registered_at",
                                (kiosk_id,)).fetchall()
        return [Keyring.from_json(json.dumps(r["keyring"])) for r in rows]

    # --- submissions ------------------------------------------------------------------------
    def upsert_submissions(self, kiosk_id: str, items: list) -> tuple[list[str], list[Rejected]]:
        """Insert new submissions, keep existing ones (same uuid) untouched; (accepted, rejected)."""
        accepted: list[str] = []
        rejected: list[Rejected] = []
        with self.connect() as conn:
            for raw in items:
                uuid = raw.get("uuid") if isinstance(raw, dict) and isinstance(raw.get("uuid"), str) else ""
                try:
                    item, created = _check_item(kiosk_id, raw)
                except CentralError as err:
                    rejected.append(Rejected(uuid[:64], err.code))
                    continue
                row = conn.execute(
                    "INSERT INTO submissions (uuid, kiosk_id, receipt_no, form_id, created_at, check_code, "
                    "key_id, payload) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                    "ON CONFLICT (uuid) DO UPDATE SET uuid = submissions.uuid RETURNING kiosk_id",
                    (item["uuid"], kiosk_id, item["receipt_no"], item["form_id"], created,
                     normalise_code(item["check_code"]), item["key_id"], Jsonb(item))).fetchone()
                if row["kiosk_id"] != kiosk_id:     # a uuid owned by another kiosk: never overwrite
                    rejected.append(Rejected(item["uuid"], "uuid_taken"))
                else:
                    accepted.append(item["uuid"])
        return accepted, rejected

    def find_receipt(self, receipt_no: str, code: str) -> dict | None:
        """The submission with this receipt number whose check code matches, else None."""
        typed = normalise_code(code)
        with self.connect() as conn:
            rows = conn.execute("SELECT uuid, receipt_no, form_id, created_at, status, status_at, check_code "
                                "FROM submissions WHERE receipt_no = %s", (receipt_no,)).fetchall()
        found = None
        for row in rows:   # compare every row in constant time: no early exit tells which part was wrong
            if hmac.compare_digest(typed.encode(), row["check_code"].encode()):
                found = row
        return found

    def list_submissions(self, *, kiosk_id: str = "", status: str = "", since: datetime | None = None,
                         until: datetime | None = None, limit: int = 200) -> list[dict]:
        """Newest first, optionally filtered."""
        where, params = [], []
        for clause, value in (("kiosk_id = %s", kiosk_id), ("status = %s", status),
                              ("created_at >= %s", since), ("created_at < %s", until)):
            if value:
                where.append(clause)
                params.append(value)
        sql = ("SELECT uuid, kiosk_id, receipt_no, form_id, created_at, status, status_at, key_id, payload "
               "FROM submissions" + (" WHERE " + " AND ".join(where) if where else "") +
               " ORDER BY created_at DESC, receipt_no DESC LIMIT %s")
        with self.connect() as conn:
            return conn.execute(sql, (*params, limit)).fetchall()

    def get_submission(self, uuid: str) -> dict | None:
        """One submission by uuid, or None."""
        with self.connect() as conn:
            return conn.execute("SELECT * FROM submissions WHERE uuid = %s", (uuid,)).fetchone()

    def set_status(self, uuid: str, status: str, actor: str) -> tuple[str, str]:
        """Change a submission's status and audit it in the same transaction; (old, new)."""
        if status not in STATUSES:
            raise CentralError("bad_status")
        with self.connect() as conn:
            row = conn.execute("SELECT status, receipt_no FROM submissions WHERE uuid = %s FOR UPDATE",
                               (uuid,)).fetchone()
            if row is None:
                raise CentralError("not_found")
            if row["status"] != status:
                conn.execute("UPDATE submissions SET status = %s, status_at = now() WHERE uuid = %s",
                             (status, uuid))
                self._audit(conn, actor, "submission.status", row["receipt_no"], row["status"], status)
        return row["status"], status

    def day_summary(self, since: datetime, until: datetime) -> list[dict]:
        """Per service: submissions created in [since, until) by status."""
        with self.connect() as conn:
            return conn.execute(
                "SELECT form_id, count(*) AS total, "
                "count(*) FILTER (WHERE status = 'received') AS received, "
                "count(*) FILTER (WHERE status = 'in_progress') AS in_progress, "
                "count(*) FILTER (WHERE status = 'done') AS done "
                "FROM submissions WHERE created_at >= %s AND created_at < %s "
                "GROUP BY form_id ORDER BY total DESC, form_id", (since, until)).fetchall()

    # --- audit ------------------------------------------------------------------------------
    @staticmethod
    def _audit(conn: psycopg.Connection, actor: str, action: str, target: str = "",
               old: str = "", new: str = "") -> None:
        conn.execute("INSERT INTO central_audit (actor, action, target, old, new) VALUES (%s, %s, %s, %s, %s)",
                     (actor, action, target, old, new))

    def audit(self, actor: str, action: str, target: str = "", old: str = "", new: str = "") -> None:
        """Append one audit row (values must already be masked)."""
        with self.connect() as conn:
            self._audit(conn, actor, action, target, old, new)

    def audit_rows(self, target: str = "", limit: int = 200) -> list[dict]:
        """Audit rows, newest first, optionally for one target."""
        with self.connect() as conn:
            if target:
                return conn.execute("SELECT * FROM central_audit WHERE target = %s ORDER BY id DESC LIMIT %s",
                                    (target, limit)).fetchall()
            return conn.execute("SELECT * FROM central_audit ORDER BY id DESC LIMIT %s", (limit,)).fetchall()

    # --- staff ------------------------------------------------------------------------------
    def set_password(self, username: str, password: str) -> None:
        """Create a staff account or replace its password (kept as a slow salted hash)."""
        if not USERNAME.fullmatch(username):
            raise CentralError("bad_username")
        if len(password) < PASSWORD_MIN:
            raise CentralError("weak_password", f"at least {PASSWORD_MIN} characters")
        record = hash_pin(password, self.kdf)
        with self.connect() as conn:
            conn.execute("INSERT INTO staff_accounts (username, pw_hash) VALUES (%s, %s) ON CONFLICT (username) "
                         "DO UPDATE SET pw_hash = excluded.pw_hash, failures = 0, locked_until = NULL, "
                         "updated_at = now()", (username, record))
            conn.execute("DELETE FROM staff_sessions WHERE username = %s", (username,))
            self._audit(conn, "cli", "staff.password", username)

    def check_password(self, username: str, password: str) -> bool:
        """True for the right password; 5 wrong ones lock the account for 5 minutes (raises 'locked')."""
        with self.connect() as conn:
            row = conn.execute("SELECT pw_hash, failures, locked_until > now() AS locked FROM staff_accounts "
                               "WHERE username = %s", (username,)).fetchone()
        if row is None:
            hash_pin(password, self.kdf)     # same cost as a real check: no user enumeration by timing
            return False
        if row["locked"]:
            raise CentralError("locked")
        ok = pin_matches(password, row["pw_hash"])
        with self.connect() as conn:
            if ok:
                conn.execute("UPDATE staff_accounts SET failures = 0 WHERE username = %s", (username,))
            else:
                conn.execute(
                    "UPDATE staff_accounts SET failures = failures + 1, locked_until = CASE WHEN failures + 1 "
                    ">= %s THEN now() + %s ELSE locked_until END WHERE username = %s",
                    (MAX_FAILURES, LOCKOUT, username))
            self._audit(conn, username, "staff.login" if ok else "staff.login_failed")
        return ok

    def create_session(self, username: str, ttl: timedelta) -> tuple[str, str]:
        """A new session: (cookie value, CSRF token)."""
        cookie, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        with self.connect() as conn:
            conn.execute("DELETE FROM staff_sessions WHERE expires_at < now()")
            conn.execute("INSERT INTO staff_sessions (id_hash, username, csrf, expires_at) VALUES (%s, %s, %s, %s)",
                         (sha256_hex(cookie), username, csrf, datetime.now(UTC) + ttl))
        return cookie, csrf

    def session(self, cookie: str) -> dict | None:
        """{username, csrf} for a live session cookie, else None."""
        if not cookie:
            return None
        with self.connect() as conn:
            return conn.execute("SELECT username, csrf FROM staff_sessions WHERE id_hash = %s AND expires_at > now()",
                                (sha256_hex(cookie),)).fetchone()

    def end_session(self, cookie: str) -> None:
        """Forget a session."""
        with self.connect() as conn:
            conn.execute("DELETE FROM staff_sessions WHERE id_hash = %s", (sha256_hex(cookie),))
