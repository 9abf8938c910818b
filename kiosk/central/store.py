"""CentralStore: every SQL statement of the central service (kiosks, submissions, staff, audit).

Each public method is one transaction on a connection from a bounded psycopg_pool pool (the
service) or a fresh connection (one-shot CLI commands). Nothing here opens sealed values:
payloads are stored and returned exactly as the kiosks sent them. Time comes from an injectable
clock, so lockouts and retention are tested at any date.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import re
import secrets
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb
from psycopg_pool import ConnectionPool

from kiosk.central.schema import STATUSES, migrate
from kiosk.common.kdf import PinKdf, hash_pin, is_standard_scrypt, pin_matches
from kiosk.errors import KioskError
from kiosk.store.keyring import Keyring
from kiosk.store.model import StoreError

log = logging.getLogger(__name__)

KIOSK_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
USERNAME = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")
PASSWORD_MIN = 10
PAYLOAD_VERSION = 1          # newest submission payload "v" this service understands
FREE_FAILURES = 3            # wrong passwords from one source before each try costs a wait
MAX_DELAY_S = 900            # the wait doubles per failure up to 15 minutes
MAX_DEPTH = 16               # nesting of JSON in one item
AUDIT_HEADS_DAYS = 400       # history of accepted audit heads kept this long
_DEFAULT_KDF = PinKdf()
Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Now, aware, in UTC."""
    return datetime.now(UTC)


def login_delay_s(failures: int) -> int:
    """Seconds a source must wait after `failures` wrong passwords for one account (0 at first)."""
    if failures < FREE_FAILURES:
        return 0
    return min(MAX_DELAY_S, 2 ** (failures - FREE_FAILURES))


def sha256_hex(text: str) -> str:
    """Hex SHA-256 of a high-entropy token (tokens are random, so no slow hash is needed)."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def normalise_code(code: str) -> str:
    """A check code as typed (any case; O/I/L for 0/1) in its canonical Crockford form."""
    return code.strip().upper().replace("O", "0").replace("I", "1").replace("L", "1")


class CentralError(KioskError):
    """A refused central operation; `code` is stable, the message never carries personal data."""

    def __init__(self, code: str, detail: str = "", retry_after_s: float = 0.0) -> None:
        self.code = code
        self.retry_after_s = retry_after_s
        super().__init__(f"[{code}] {detail}" if detail else f"[{code}]")


@dataclass(frozen=True)
class Rejected:
    """An item the service did not accept, and why (no values)."""

    uuid: str
    reason: str


def _check_text(value: Any, depth: int = 0) -> None:
    """Refuse NUL characters and text that is not valid Unicode anywhere in an item (PostgreSQL would)."""
    if depth > MAX_DEPTH:
        raise CentralError("too_deep")
    if isinstance(value, str):
        if "\x00" in value:
            raise CentralError("bad_text", "NUL character")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise CentralError("bad_text", "not valid Unicode") from None
    elif isinstance(value, dict):
        for key, inner in value.items():
            _check_text(key, depth + 1)
            _check_text(inner, depth + 1)
    elif isinstance(value, list):
        for inner in value:
            _check_text(inner, depth + 1)


def _check_item(kiosk_id: str, item: Any) -> tuple[dict, datetime]:
    """Validate one outbox payload; returns it and its creation time, or raises CentralError."""
    if not isinstance(item, dict):
        raise CentralError("not_object")
    _check_text(item)
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
    if not re.fullmatch(rf"\d{{8}}-{re.escape(kiosk_id)}-\d{{4,}}", item["receipt_no"]):
        raise CentralError("wrong_receipt_kiosk")     # a kiosk publishes only its own receipt numbers
    try:
        created = datetime.fromisoformat(item["created_at"])
    except ValueError:
        raise CentralError("bad_time") from None
    if created.tzinfo is None:
        raise CentralError("bad_time", "no UTC offset")
    return item, created


class CentralStore:
    """Data access for the central service."""

    def __init__(self, dsn: str, *, kdf: PinKdf = _DEFAULT_KDF, clock: Clock = utc_now, pool_size: int = 0,
                 allow_kdf_n: frozenset[int] = frozenset(), hash_slots: int = 2) -> None:
        self.dsn = dsn
        self.kdf = kdf
        self.clock = clock
        self.allow_kdf_n = allow_kdf_n          # cheaper Scrypt costs accepted (tests only)
        self._pool_size = pool_size
        self._pool: Any = None
        self._pool_lock = threading.Lock()
        # At most this many Scrypt runs at once (32 MB each): a login flood queues, it cannot eat memory.
        self._hash_slots = threading.BoundedSemaphore(hash_slots)

    def connect(self) -> AbstractContextManager[psycopg.Connection]:
        """A connection returning rows as dicts (a context manager: commits on exit, rolls back on error)."""
        if not self._pool_size:
            return psycopg.connect(self.dsn, row_factory=dict_row)
        return self._pooled()

    @contextmanager
    def _pooled(self) -> Iterator[psycopg.Connection]:
        with self._pool_lock:
            if self._pool is None:
                self._pool = ConnectionPool(self.dsn, min_size=1, max_size=self._pool_size, open=True,
                                            kwargs={"row_factory": dict_row}, timeout=10, max_waiting=200,
                                            name="kiosk-central")
            pool = self._pool
        with pool.connection() as conn:
            yield conn

    def close(self) -> None:
        """Close the connection pool (the service is stopping)."""
        with self._pool_lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()

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
        """Every kiosk with its key count, last contact and audit anchor state."""
        with self.connect() as conn:
            return conn.execute(
                "SELECT k.kiosk_id, k.last_seen_at, k.audit_alarm, k.audit_id, k.audit_count, "
                "count(kk.key_id) AS keys FROM kiosks k "
                "LEFT JOIN kiosk_keys kk USING (kiosk_id) GROUP BY k.kiosk_id ORDER BY k.kiosk_id").fetchall()

    # --- audit chain anchors ---------------------------------------------------------------
    def audit_anchor(self, kiosk_id: str) -> dict:
        """The head the central keeps for a kiosk's audit log: {id, hash, count, alarm} (id 0: none yet)."""
        with self.connect() as conn:
            row = conn.execute("SELECT audit_id AS id, audit_hash AS hash, audit_count AS count, "
                               "audit_alarm AS alarm FROM kiosks WHERE kiosk_id = %s", (kiosk_id,)).fetchone()
        return dict(row) if row else {"id": 0, "hash": "", "count": 0, "alarm": ""}

    def note_audit_head(self, kiosk_id: str, head: dict, at_anchor: dict) -> str:
        """Check a kiosk's new audit head against its anchor; the verdict: ok | rewritten | rewound.

        `at_anchor` is the kiosk's own hash of the anchored row now. A different hash means the
        history up to the anchor was rewritten; no such row, or a lower count or id, means rows
        were cut off.
        Either sets the kiosk's alarm (kept until an operator clears it) and keeps the old anchor.
        """
        now = self.clock()
        with self.connect() as conn:
            anchor = conn.execute("SELECT audit_id, audit_hash, audit_count FROM kiosks WHERE kiosk_id = %s "
                                  "FOR UPDATE", (kiosk_id,)).fetchone()
            verdict = "ok"
            if anchor["audit_id"]:
                proof = str(at_anchor.get("hash", "")) if at_anchor.get("id") == anchor["audit_id"] else ""
                if head["count"] < anchor["audit_count"] or head["id"] < anchor["audit_id"] or not proof:
                    verdict = "rewound"         # the anchored row or rows after it are gone
                elif not hmac.compare_digest(proof, anchor["audit_hash"]):
                    verdict = "rewritten"       # the anchored row's hash changed: history before it was redone
            conn.execute("INSERT INTO kiosk_audit_heads (kiosk_id, received_at, head_id, head_hash, head_count, "
                         "verdict) VALUES (%s, %s, %s, %s, %s, %s)",
                         (kiosk_id, now, head["id"], head["hash"], head["count"], verdict))
            if verdict == "ok":
                conn.execute("UPDATE kiosks SET audit_id = %s, audit_hash = %s, audit_count = %s, audit_at = %s "
                             "WHERE kiosk_id = %s", (head["id"], head["hash"], head["count"], now, kiosk_id))
            else:
                conn.execute("UPDATE kiosks SET audit_alarm = %s WHERE kiosk_id = %s", (verdict, kiosk_id))
                self._audit(conn, kiosk_id, "kiosk.audit_" + verdict, kiosk_id,
                            f"{anchor['audit_id']}:{anchor['audit_hash'][:16]}", f"{head['id']}:{head['hash'][:16]}")
                log.error("kiosk %s: audit log %s (anchor row %d)", kiosk_id, verdict, anchor["audit_id"])
        return verdict

    def clear_audit_alarm(self, kiosk_id: str, actor: str) -> None:
        """An operator looked into the alarm: clear it and anchor afresh on the next head (audited)."""
        with self.connect() as conn:
            conn.execute("UPDATE kiosks SET audit_alarm = '', audit_id = 0, audit_hash = '', audit_count = 0 "
                         "WHERE kiosk_id = %s", (kiosk_id,))
            self._audit(conn, actor, "kiosk.audit_alarm_cleared", kiosk_id)

    def register_key(self, kiosk_id: str, key_id: str, keyring: dict) -> None:
        """Keep a kiosk's public key and wrapped private key (a re-wrap replaces the record)."""
        if not self.standard_kdf(keyring):
            raise CentralError("bad_keyring", "only the standard Scrypt cost is accepted")
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

    def standard_kdf(self, keyring: Any) -> bool:
        """True when a keyring record names a standard Scrypt cost (a huge one would cost GiBs per unlock)."""
        kdf = keyring.get("kdf") if isinstance(keyring, dict) else None
        if not isinstance(kdf, dict) or kdf.get("name") != "scrypt":
            return False
        return is_standard_scrypt(kdf.get("n"), kdf.get("r"), kdf.get("p"), extra_n=self.allow_kdf_n)

    def keyrings(self, kiosk_id: str) -> list[Keyring]:
        """The locked keyrings a kiosk registered (one per database it ever had), standard costs only."""
        with self.connect() as conn:
            rows = conn.execute("SELECT keyring FROM kiosk_keys WHERE kiosk_id = %s ORDER BY registered_at",
                                (kiosk_id,)).fetchall()
        rings = []
        for r in rows:
            if self.standard_kdf(r["keyring"]):   # records stored before the check are not trusted either
                rings.append(Keyring.from_json(json.dumps(r["keyring"])))
            else:
                log.warning("kiosk %s: a keyring with a non-standard Scrypt cost is ignored", kiosk_id)
        return rings

    # --- submissions ------------------------------------------------------------------------
    def upsert_submissions(self, kiosk_id: str, items: list, open_fields: Mapping[str, set[str]] | None = None
                           ) -> tuple[list[str], list[Rejected]]:
        """Insert new submissions, keep existing ones (same uuid) untouched; (accepted, rejected).

        `open_fields` names, per form, the answers that may stay plain (choices, dates, yes/no...).
        Any other plain answer (free text, or a field this service does not know) is sealed here to
        the kiosk's registered public key before it is stored, so free text from an older kiosk
        never reaches the PostgreSQL heap in clear either.
        """
        accepted: list[str] = []
        rejected: list[Rejected] = []
        rings: dict[str, Keyring | None] = {}
        high: tuple[str, int] = ("", 0)        # the batch's highest receipt (day, sequence)
        with self.connect() as conn:
            for raw in items:
                uuid = raw.get("uuid") if isinstance(raw, dict) and isinstance(raw.get("uuid"), str) else ""
                try:
                    item, created = _check_item(kiosk_id, raw)
                    if open_fields is not None:
                        item = self._seal_plain_text(conn, kiosk_id, item, open_fields.get(item["form_id"], set()),
                                                     rings)
                except CentralError as err:
                    rejected.append(Rejected(uuid[:64] if _printable(uuid) else "", err.code))
                    continue
                try:
                    with conn.transaction():     # a savepoint: one refused item never fails the batch
                        row = conn.execute(
                            "INSERT INTO submissions (uuid, kiosk_id, receipt_no, form_id, created_at, check_code, "
                            "key_id, payload) VALUES (%s, %s, %s, %s, %s, %s, %s, %s) "
                            "ON CONFLICT (uuid) DO UPDATE SET uuid = submissions.uuid "
                            "RETURNING kiosk_id, (xmax = 0) AS inserted",
                            (item["uuid"], kiosk_id, item["receipt_no"], item["form_id"], created,
                             normalise_code(item["check_code"]), item["key_id"], Jsonb(item))).fetchone()
                except (psycopg.DataError, psycopg.IntegrityError) as err:
                    rejected.append(Rejected(item["uuid"], "db_refused"))
                    log.warning("kiosk %s: PostgreSQL refused an item (%s)", kiosk_id, type(err).__name__)
                    continue
                if row["kiosk_id"] != kiosk_id:     # a uuid owned by another kiosk: never overwrite
                    rejected.append(Rejected(item["uuid"], "uuid_taken"))
                else:
                    accepted.append(item["uuid"])
                    high = max(high, receipt_key(item["receipt_no"]))
                    if row["inserted"]:
                        self._note_repeat(conn, kiosk_id, item["receipt_no"])
            if high > ("", 0):
                conn.execute("UPDATE kiosks SET receipt_day = %s, receipt_seq = %s WHERE kiosk_id = %s "
                             "AND (receipt_day, receipt_seq) < (%s, %s)", (*high, kiosk_id, *high))
        return accepted, rejected

    def _note_repeat(self, conn: psycopg.Connection, kiosk_id: str, receipt_no: str) -> None:
        # A kiosk that lost data and numbered before it could reach this service may repeat a
        # number: both submissions are kept (each its own uuid); the repeat is audited for staff.
        n = conn.execute("SELECT count(*) AS n FROM submissions WHERE receipt_no = %s AND kiosk_id = %s",
                         (receipt_no, kiosk_id)).fetchone()["n"]
        if n > 1:
            self._audit(conn, kiosk_id, "kiosk.receipt_repeated", receipt_no, "", str(n))
            log.error("kiosk %s issued receipt %s again (%d submissions hold it)", kiosk_id, receipt_no, n)

    def receipt_high(self, kiosk_id: str) -> str:
        """The highest receipt number this kiosk has synced ('' for none), kept after retention purges.

        A kiosk that lost data (a wiped disk, an older backup) raises its numbering above it.
        """
        with self.connect() as conn:
            row = conn.execute("SELECT receipt_day, receipt_seq FROM kiosks WHERE kiosk_id = %s",
                               (kiosk_id,)).fetchone()
        if not row or not row["receipt_day"]:
            return ""
        return f"{row['receipt_day']}-{kiosk_id}-{row['receipt_seq']:04d}"

    def _seal_plain_text(self, conn: psycopg.Connection, kiosk_id: str, item: dict, open_ids: set[str],
                         rings: dict[str, Keyring | None]) -> dict:
        """The item with every plain answer outside `open_ids` sealed to the kiosk's public key."""
        answers = item.get("answers")
        if not isinstance(answers, dict):
            raise CentralError("bad_answers")
        to_seal = [f for f, v in answers.items() if f not in open_ids and v not in (None, "", [], {})]
        if not to_seal:
            return item
        key_id = item["key_id"]
        if key_id not in rings:
            row = conn.execute("SELECT keyring FROM kiosk_keys WHERE kiosk_id = %s AND key_id = %s",
                               (kiosk_id, key_id)).fetchone()
            rings[key_id] = Keyring.from_json(json.dumps(row["keyring"])) if row else None
        ring = rings[key_id]
        if ring is None:     # the kiosk registers its key before posting; retry after it has
            raise CentralError("unknown_key")
        sealed = dict(item.get("sealed") or {})
        for field_id in to_seal:   # same sealing and AAD (uuid, field id) as the kiosk's own
            sealed[field_id] = ring.seal(json.dumps(answers[field_id], ensure_ascii=False), item["uuid"], field_id)
        personal = set(item.get("personal") or ()) | set(to_seal)
        return {**item, "answers": {f: v for f, v in answers.items() if f not in to_seal}, "sealed": sealed,
                "personal": sorted(personal)}

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
        """Per service: submissions created in [since, until) by status, purged ones counted too."""
        with self.connect() as conn:
            return conn.execute(
                "SELECT form_id, sum(n)::int AS total, "
                "coalesce(sum(n) FILTER (WHERE status = 'received'), 0)::int AS received, "
                "coalesce(sum(n) FILTER (WHERE status = 'in_progress'), 0)::int AS in_progress, "
                "coalesce(sum(n) FILTER (WHERE status = 'done'), 0)::int AS done FROM ("
                "  SELECT form_id, status, 1 AS n FROM submissions WHERE created_at >= %s AND created_at < %s"
                "  UNION ALL SELECT form_id, status, n FROM submission_counts WHERE day >= %s AND day < %s"
                ") AS both_kinds GROUP BY form_id ORDER BY total DESC, form_id",
                (since, until, since.date(), until.date())).fetchall()

    # --- retention --------------------------------------------------------------------------
    def purge_expired(self, retention_days: dict[str, int], default_days: int, now: datetime | None = None
                      ) -> dict[str, int]:
        """Delete submissions past their form's retention (`default_days` for unknown forms), keeping
        only counts per service, kiosk, day and status; {form_id: rows deleted}. Audited as numbers."""
        now = now or self.clock()
        deleted: dict[str, int] = {}
        with self.connect() as conn:
            forms = [r["form_id"] for r in conn.execute("SELECT DISTINCT form_id FROM submissions").fetchall()]
            for form_id in forms:
                cutoff = now - timedelta(days=retention_days.get(form_id, default_days))
                gone = conn.execute("DELETE FROM submissions WHERE form_id = %s AND created_at < %s "
                                    "RETURNING kiosk_id, created_at, status", (form_id, cutoff)).fetchall()
                if not gone:
                    continue
                buckets: dict[tuple[str, Any, str], int] = {}
                for row in gone:
                    key = (row["kiosk_id"], row["created_at"].astimezone().date(), row["status"])
                    buckets[key] = buckets.get(key, 0) + 1
                conn.cursor().executemany(
                    "INSERT INTO submission_counts (form_id, kiosk_id, day, status, n) VALUES (%s, %s, %s, %s, %s) "
                    "ON CONFLICT (form_id, kiosk_id, day, status) DO UPDATE SET n = submission_counts.n + excluded.n",
                    [(form_id, *key, n) for key, n in buckets.items()])
                deleted[form_id] = len(gone)
                self._audit(conn, "retention", "retention.purge", form_id, new=str(len(gone)))
            # throttling rows and sessions have no retention promise; they just should not pile up
            conn.execute("DELETE FROM login_failures WHERE next_at < %s", (now - timedelta(days=1),))
            conn.execute("DELETE FROM staff_sessions WHERE expires_at < %s", (now,))
            # superseded audit heads: the anchor itself lives on the kiosks row; alarms stay as evidence
            conn.execute("DELETE FROM kiosk_audit_heads WHERE verdict = 'ok' AND received_at < %s",
                         (now - timedelta(days=AUDIT_HEADS_DAYS),))
        if deleted:
            self.vacuum()
        return deleted

    def vacuum(self) -> None:
        """VACUUM the submissions table, so deleted rows' space is reclaimed (not in a transaction)."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            conn.execute("VACUUM submissions")

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
            conn.execute("DELETE FROM login_failures WHERE username = %s", (username,))
            self._audit(conn, "cli", "staff.password", username)

    def check_password(self, username: str, password: str, source: str = "") -> bool:
        """True for the right password. Wrong ones from one source make *that source* wait, doubling
        per failure (CentralError 'throttled' with retry_after_s): an outsider elsewhere cannot lock
        staff out, and each guess from the same source costs more."""
        now = self.clock()
        key = (username[:64], source[:64])
        with self.connect() as conn:
            wait = conn.execute("SELECT next_at FROM login_failures WHERE username = %s AND source = %s",
                                key).fetchone()
            row = conn.execute("SELECT pw_hash FROM staff_accounts WHERE username = %s", (username,)).fetchone()
        if wait is not None and wait["next_at"] > now:
            raise CentralError("throttled", retry_after_s=(wait["next_at"] - now).total_seconds())
        with self._hash_slots:
            if row is None:
                hash_pin(password, self.kdf)     # same cost as a real check: no user enumeration by timing
                ok = False
            else:
                ok = pin_matches(password, row["pw_hash"])
        with self.connect() as conn:
            if ok:
                conn.execute("DELETE FROM login_failures WHERE username = %s AND source = %s", key)
            else:
                failures = conn.execute(
                    "INSERT INTO login_failures (username, source, failures, next_at) VALUES (%s, %s, 1, %s) "
                    "ON CONFLICT (username, source) DO UPDATE SET failures = login_failures.failures + 1 "
                    "RETURNING failures", (*key, now)).fetchone()["failures"]
                conn.execute("UPDATE login_failures SET next_at = %s WHERE username = %s AND source = %s",
                             (now + timedelta(seconds=login_delay_s(failures)), *key))
            if row is not None:
                self._audit(conn, username, "staff.login" if ok else "staff.login_failed")
        return ok

    def add_device(self, username: str) -> str:
        """A 'known device' token for a browser that just logged in (its hash is kept)."""
        token = secrets.token_urlsafe(32)
        with self.connect() as conn:
            conn.execute("INSERT INTO staff_devices (id_hash, username) VALUES (%s, %s)",
                         (sha256_hex(token), username))
        return token

    def known_device(self, token: str, username: str) -> bool:
        """True when this browser logged in as `username` before (exempt from the per-account limit)."""
        if not token:
            return False
        with self.connect() as conn:
            return conn.execute("SELECT 1 FROM staff_devices WHERE id_hash = %s AND username = %s",
                                (sha256_hex(token), username)).fetchone() is not None

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


def receipt_key(receipt_no: str) -> tuple[str, int]:
    """(day, sequence) of a checked receipt number, for ordering; ('', 0) past 9 digits of sequence."""
    day, _, seq = receipt_no.rpartition("-")
    return (day.split("-", 1)[0], int(seq)) if len(seq) <= 9 else ("", 0)


def _printable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return "\x00" not in text
