"""SqliteStore: drafts, submissions, receipt sequences and the outbox in the kiosk's SQLite file.

`submit` is one transaction (sequence bump + submission + outbox row + draft delete) committed
with WAL and synchronous=FULL, so a receipt number handed to a resident is never lost and never
issued twice. Personal answers are sealed before the transaction starts (no unlock needed).
"""
from __future__ import annotations

import copy
import json
import logging
import os
import time
import uuid as uuidlib
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Self

from kiosk.store.db import Database
from kiosk.store.guard import GuardState, ReceiptGuard
from kiosk.store.health import check_free_space, require_healthy
from kiosk.store.keyring import (
    Keyring,
    ScryptParams,
    check_code,
    check_code_matches,
    secret_problem,
)
from kiosk.store.model import Draft, OutboxItem, RefusedItem, StoreError, Submission, reason_code
from kiosk.store.payload import (
    decode_answers,
    encode_answers,
    parse_payload,
    receipt_day,
    receipt_no,
)

log = logging.getLogger(__name__)

OWNER = "store"
# Append-only (see kiosk.store.db). meta is created by Database itself.
MIGRATIONS: list[str] = [
    """
    CREATE TABLE drafts (
        draft_id   TEXT PRIMARY KEY,
        form_id    TEXT NOT NULL,
        step       TEXT,
        payload    TEXT NOT NULL,           -- JSON, see kiosk.store.payload
        updated_ts REAL NOT NULL            -- unix seconds, for purging
    );
    CREATE INDEX drafts_updated ON drafts (updated_ts);
    CREATE TABLE submissions (
        uuid       TEXT PRIMARY KEY,
        receipt_no TEXT NOT NULL UNIQUE,
        draft_id   TEXT UNIQUE,             -- a draft submits once, even if submit is retried
        form_id    TEXT NOT NULL,
        created_at TEXT NOT NULL,           -- ISO 8601 with the local UTC offset
        check_code TEXT NOT NULL,
        payload    TEXT NOT NULL
    );
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY AUTOINCREMENT,
        submission_uuid TEXT NOT NULL UNIQUE REFERENCES submissions (uuid),
        payload         TEXT NOT NULL,      -- what the central service receives; personal values sealed
        created_at      TEXT NOT NULL,
        sent_at         TEXT
    );
    CREATE INDEX outbox_pending ON outbox (id) WHERE sent_at IS NULL;
    CREATE TABLE sequences (
        scope TEXT PRIMARY KEY,             -- receipt:<kiosk_id>:<YYYYMMDD>
        value INTEGER NOT NULL
    );
    """,
    # 2: has the resident (or staff) seen the receipt? Rows from before are taken as seen.
    """
    ALTER TABLE submissions ADD COLUMN shown_at TEXT;
    UPDATE submissions SET shown_at = created_at;
    """,
    # 3: items the central refused for good (bad_text, wrong_kiosk...) are set aside, never resent
    # automatically, never deleted: staff see them (`kiosk sync status`) and resend them by hand
    # (`kiosk sync resend`). Rows from before have NULL here: pending as they were.
    """
    ALTER TABLE outbox ADD COLUMN refused_at TEXT;
    ALTER TABLE outbox ADD COLUMN refused_reason TEXT;
    """,
]

KEYRING_META = "store.keyring"
CHECK_KEY_META = "store.check_key"
DEMO_META = "store.demo"            # "1": made by the Quick start demo; a real install refuses it


def local_now() -> datetime:
    """Now, aware, in the local time zone."""
    return datetime.now().astimezone()


class Outbox:
    """Submissions waiting to be sent to the central service."""

    def __init__(self, db: Database, clock: Callable[[], datetime]) -> None:
        self._db = db
        self._clock = clock

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        """The oldest unsent items, at most `limit` (items refused for good are not among them)."""
        with self._db.read("outbox pending") as conn:
            rows = conn.execute(
                "SELECT id, submission_uuid, payload, created_at FROM outbox "
                "WHERE sent_at IS NULL AND refused_at IS NULL ORDER BY id LIMIT ?", (limit,)).fetchall()
        return [OutboxItem(r[0], r[1], parse_payload(r[2], r[1]), datetime.fromisoformat(r[3])) for r in rows]

    def mark_refused(self, reasons: Mapping[int, str]) -> int:
        """Set aside items the central refused for good ({outbox id: reason code}); return how many changed.

        They stay in the outbox (never lost) but are not sent again until `resend` puts them back.
        """
        if not reasons:
            return 0
        now = self._clock().isoformat()
        with self._db.transaction("outbox mark refused") as conn:
            return sum(conn.execute("UPDATE outbox SET refused_at = ?, refused_reason = ? "
                                    "WHERE id = ? AND sent_at IS NULL AND refused_at IS NULL",
                                    (now, reason_code(reason), i)).rowcount for i, reason in reasons.items())

    def refused(self) -> list[RefusedItem]:
        """Items set aside after a refusal for good, oldest first (receipt numbers and reasons, no answers)."""
        with self._db.read("outbox refused") as conn:
            rows = conn.execute(
                "SELECT o.id, s.receipt_no, s.form_id, o.refused_reason, o.refused_at FROM outbox o "
                "LEFT JOIN submissions s ON s.uuid = o.submission_uuid "
                "WHERE o.sent_at IS NULL AND o.refused_at IS NOT NULL ORDER BY o.id").fetchall()
        return [RefusedItem(r[0], r[1] or "", r[2] or "", r[3] or "", datetime.fromisoformat(r[4])) for r in rows]

    def count_refused(self) -> int:
        """How many unsent items were refused for good and wait for staff."""
        with self._db.read("outbox count refused") as conn:
            return conn.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL "
                                "AND refused_at IS NOT NULL").fetchone()[0]

    def resend(self, receipts: Iterable[str] | None = None) -> int:
        """Put refused items back in the queue (all, or those of these receipt numbers); return how many.

        A staff decision (e.g. after the central was upgraded or fixed), never automatic.
        """
        with self._db.transaction("outbox resend") as conn:
            if receipts is None:
                return conn.execute("UPDATE outbox SET refused_at = NULL, refused_reason = NULL "
                                    "WHERE sent_at IS NULL AND refused_at IS NOT NULL").rowcount
            return sum(conn.execute(
                "UPDATE outbox SET refused_at = NULL, refused_reason = NULL WHERE sent_at IS NULL "
                "AND refused_at IS NOT NULL AND submission_uuid IN "
                "(SELECT uuid FROM submissions WHERE receipt_no = ?)", (r,)).rowcount for r in receipts)

    def mark_sent(self, ids: Iterable[int]) -> int:
        """Record that these items reached the central service; return how many changed."""
        ids = list(ids)
        if not ids:
            return 0
        sent = self._clock().isoformat()
        with self._db.transaction("outbox mark sent") as conn:
            return sum(conn.execute("UPDATE outbox SET sent_at = ? WHERE id = ? AND sent_at IS NULL",
                                    (sent, i)).rowcount for i in ids)

    def count_pending(self) -> int:
        """How many items wait to be sent (not counting those refused for good: `count_refused`)."""
        with self._db.read("outbox count") as conn:
            return conn.execute("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL "
                                "AND refused_at IS NULL").fetchone()[0]


class SqliteStore:
    """The SubmissionStore backed by a real SQLite file.

    keyring: the database's keyring if the caller has it; otherwise it is read from the
    database, or created with `secret` on first open. `secret`, when given, also unlocks it.
    """

    def __init__(self, path: str | Path, kiosk_id: str, keyring: Keyring | None = None, *,
                 secret: str | None = None, clock: Callable[[], datetime] = local_now,
                 busy_timeout_s: float = 5.0, kdf: ScryptParams | None = None,
                 synchronous: str = "FULL") -> None:
        self.kiosk_id = kiosk_id
        self._clock = clock
        self.db = Database(path, busy_timeout_s=busy_timeout_s, synchronous=synchronous)
        self.guard = None if self.db.in_memory else ReceiptGuard(self.db.path)
        # Set when a write found the disk or file damaged: no receipt is acknowledged after that
        # until the kiosk is restarted (and passes its start-up storage check).
        self.damaged: StoreError | None = None
        self.min_free_mb = 0.0             # submit refuses below this (open_store sets [store] min_free_mb)
        try:
            self.db.register_schema(OWNER, MIGRATIONS)
            self.keyring = self._attach_keyring(keyring, secret, kdf)
            self._check_key = bytes.fromhex(self.db.set_meta_once(CHECK_KEY_META, os.urandom(32).hex()))
        except BaseException:
            self.db.close()
            raise
        self.outbox = Outbox(self.db, clock)

    def _has_data(self) -> bool:
        with self.db.read("any data") as conn:
            return any(conn.execute(f"SELECT 1 FROM {t} LIMIT 1").fetchone()
                       for t in ("submissions", "outbox", "sequences", "drafts"))

    def _attach_keyring(self, given: Keyring | None, secret: str | None, kdf: ScryptParams | None) -> Keyring:
        stored_json = self.db.get_meta(KEYRING_META)
        created = None
        if stored_json is None:
            # Never a new key over lost data: rows sealed to the old key, or the guard's memory of
            # one (a lost -wal, kiosk.db copied alone), mean "restore", not "start again".
            guarded = self.guard.read().key_id if self.guard is not None else None
            if guarded or self._has_data():
                stored_json = self.db.get_meta(KEYRING_META)   # another process may have just made it
                if stored_json is None:
                    raise StoreError("key_lost", "this store's key is missing but its data (or the receipt "
                                     "guard) says it had one: restore a backup (`kiosk store restore`)")
        if stored_json is None:
            candidate = given
            if candidate is None:
                if secret is None:
                    raise StoreError("no_keyring", "new database and no staff secret to create its key")
                candidate = created = Keyring.create(secret, kdf)
            # Two processes may create at once: the first record wins, the other adopts it.
            stored_json = self.db.set_meta_once(KEYRING_META, candidate.to_json())
        stored = Keyring.from_json(stored_json)
        if self.guard is not None:
            self.guard.claim_key(stored.key_id)
        if given is not None and not given.same_key(stored):
            raise StoreError("key_mismatch", "keyring given is not this database's keyring")
        for mine in (given, created):
            if mine is not None and mine.same_key(stored):
                stored = mine   # already unlocked: skip a second Scrypt run
        if secret is not None and not stored.unlocked:
            stored.unlock(secret)
        return stored

    def now(self) -> datetime:
        """The store's clock (injected in tests): receipts, retention and backups use it."""
        return self._clock()

    # --- keys ---------------------------------------------------------------------------
    @property
    def unlocked(self) -> bool:
        """True when personal values can be read (the staff secret opened the store key)."""
        return self.keyring.unlocked

    @property
    def key_id(self) -> str:
        """Fingerprint of the store's public key (sync tells the central which key sealed a row)."""
        return self.keyring.key_id

    def unlock(self, secret: str) -> None:
        """Unlock personal values with the staff secret (StoreError('wrong_secret'))."""
        self.keyring.unlock(secret)

    def lock(self) -> None:
        """Forget the private key."""
        self.keyring.lock()

    def change_secret(self, new_secret: str, *, demo: bool = False) -> None:
        """Re-wrap the private key with a new staff secret (needs the store unlocked).

        Outside demo mode the new secret must be strong (StoreError 'weak_secret'); the store
        stops being a demo store. The old wrapped key is overwritten in the same transaction.
        """
        problem = None if demo else secret_problem(new_secret)
        if problem:
            raise StoreError("weak_secret", f"new staff secret refused: {problem}")
        ring = self.keyring.rewrapped(new_secret)
        with self.db.transaction("change secret") as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (KEYRING_META, ring.to_json()))
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (DEMO_META, "1" if demo else "0"))
        self.keyring = ring

    def is_demo_store(self) -> bool:
        """True when the Quick start demo made this store, or the public demo secret opens its key."""
        mark = self.db.get_meta(DEMO_META)
        if mark is None:   # a store from before the mark: one Scrypt run tells, then remembered
            mark = "1" if self.keyring.is_demo_secret else "0"
            self.db.set_meta_once(DEMO_META, mark)
        return mark == "1"

    def mark_demo(self, demo: bool) -> None:
        """Record whether this (new) store belongs to a demo."""
        self.db.set_meta(DEMO_META, "1" if demo else "0")

    def check_code(self, receipt: str) -> str:
        """The check code for a receipt number."""
        return check_code(self._check_key, receipt)

    def verify_check_code(self, receipt: str, code: str) -> bool:
        """True when `code` belongs to `receipt` (status lookup without personal data)."""
        return check_code_matches(self._check_key, receipt, code)

    # --- drafts ---------------------------------------------------------------------------
    def save_draft(self, draft: Draft) -> None:
        """Insert or replace a draft; sets draft.updated_at."""
        now = self._clock()
        payload = json.dumps(encode_answers(draft.answers, draft.personal, self.keyring, draft.draft_id),
                             ensure_ascii=False)
        with self.db.transaction("save draft") as conn:
            conn.execute(
                "INSERT INTO drafts (draft_id, form_id, step, payload, updated_ts) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (draft_id) DO UPDATE SET form_id = excluded.form_id, step = excluded.step, "
                "payload = excluded.payload, updated_ts = excluded.updated_ts",
                (draft.draft_id, draft.form_id, draft.step, payload, now.timestamp()))
        draft.updated_at = now

    def load_draft(self, draft_id: str, *, reveal: bool = True) -> Draft | None:
        """A saved draft or None; with reveal=False personal answers are left out (no key needed)."""
        with self.db.read("load draft") as conn:
            row = conn.execute("SELECT form_id, step, payload, updated_ts FROM drafts WHERE draft_id = ?",
                               (draft_id,)).fetchone()
        if row is None:
            return None
        answers, personal = decode_answers(parse_payload(row[2], draft_id), self.keyring, draft_id, reveal)
        return Draft(draft_id, row[0], answers, personal, row[1],
                     datetime.fromtimestamp(row[3]).astimezone())

    def discard_draft(self, draft_id: str) -> None:
        """Delete a draft (no error when absent)."""
        with self.db.transaction("discard draft") as conn:
            conn.execute("DELETE FROM drafts WHERE draft_id = ?", (draft_id,))

    def purge_drafts(self, older_than: timedelta) -> int:
        """Delete drafts not updated within `older_than`; return how many went."""
        cutoff = self._clock().timestamp() - older_than.total_seconds()
        with self.db.transaction("purge drafts") as conn:
            count = conn.execute("DELETE FROM drafts WHERE updated_ts < ?", (cutoff,)).rowcount
        if count:
            log.info("purged %d unfinished drafts", count)
        return count

    def draft_ids(self) -> list[str]:
        """Ids of every saved draft, oldest first."""
        with self.db.read("list drafts") as conn:
            return [r[0] for r in conn.execute("SELECT draft_id FROM drafts ORDER BY updated_ts")]

    # --- submissions ----------------------------------------------------------------------
    def submit(self, draft: Draft, *,
               in_transaction: Callable[[Submission], None] | None = None) -> Submission:
        """Store a submission, its outbox row and delete the draft, in one durable transaction.

        `in_transaction(submission)` runs inside that transaction: whatever it writes through
        `self.db` (e.g. the print job) commits with the submission or not at all; if it raises,
        nothing is stored and the error propagates. A repeated submit of the same draft returns
        the first submission and does not call it again (its rows are already there).
        """
        self._writable_for_receipts()
        created = self._clock()
        sub_uuid = uuidlib.uuid4().hex
        sealed = encode_answers(draft.answers, draft.personal, self.keyring, sub_uuid)   # before the lock
        day = receipt_day(created)
        guard_before: GuardState | None = None
        try:
            with self.db.transaction("submit") as conn:
                prior = conn.execute("SELECT receipt_no, uuid, created_at, check_code FROM submissions "
                                     "WHERE draft_id = ?", (draft.draft_id,)).fetchone()
                if prior is not None:   # a retried submit after an ambiguous failure: same receipt
                    conn.execute("DELETE FROM drafts WHERE draft_id = ?", (draft.draft_id,))
                    return Submission(prior[0], prior[1], draft.form_id, datetime.fromisoformat(prior[2]),
                                      copy.deepcopy(draft.answers), set(draft.personal), prior[3])
                # Above the guard's number too: a lost -wal or an old backup must not reissue numbers.
                floor = self.guard.floor(day) if self.guard is not None else 0
                seq = conn.execute(
                    "INSERT INTO sequences (scope, value) VALUES (?, ?) "
                    "ON CONFLICT (scope) DO UPDATE SET value = max(value + 1, excluded.value) RETURNING value",
                    (f"receipt:{self.kiosk_id}:{day}", floor + 1)).fetchone()[0]
                if self.guard is not None:   # durable before the commit: a crash leaves a gap, not a repeat
                    guard_before = self.guard.read()
                    self.guard.issued(self.keyring.key_id, day, seq)
                receipt = receipt_no(day, self.kiosk_id, seq)
                code = self.check_code(receipt)
                row_payload = json.dumps(sealed, ensure_ascii=False)
                conn.execute(
                    "INSERT INTO submissions (uuid, receipt_no, draft_id, form_id, created_at, check_code, payload) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (sub_uuid, receipt, draft.draft_id, draft.form_id, created.isoformat(), code, row_payload))
                outbox_payload = dict(sealed, uuid=sub_uuid, receipt_no=receipt, kiosk_id=self.kiosk_id,
                                      form_id=draft.form_id, created_at=created.isoformat(), check_code=code,
                                      key_id=self.keyring.key_id)
                conn.execute("INSERT INTO outbox (submission_uuid, payload, created_at) VALUES (?, ?, ?)",
                             (sub_uuid, json.dumps(outbox_payload, ensure_ascii=False), created.isoformat()))
                conn.execute("DELETE FROM drafts WHERE draft_id = ?", (draft.draft_id,))
                submission = Submission(receipt, sub_uuid, draft.form_id, created, copy.deepcopy(draft.answers),
                                        set(draft.personal), code)
                if in_transaction is not None:
                    in_transaction(copy.deepcopy(submission))
        except BaseException as exc:
            if isinstance(exc, StoreError) and exc.code in ("corrupt", "io"):
                self.damaged = exc
            if guard_before is not None and self.guard is not None:
                try:
                    self.guard.write(guard_before)    # rolled back cleanly: no gap either
                except StoreError:
                    log.warning("receipt guard not rolled back (a gap in numbering, never a repeat)")
            raise
        log.info("submitted %s form=%s", receipt, draft.form_id)
        return submission

    def _writable_for_receipts(self) -> None:
        # Never hand a resident a receipt number from a store known to be damaged or full.
        if self.damaged is not None:
            raise StoreError(self.damaged.code, f"store marked damaged earlier: {self.damaged.detail}")
        if self.min_free_mb and not self.db.in_memory:
            problem = check_free_space(self.db.path.parent, self.min_free_mb)
            if problem:
                raise problem.error()

    def raise_receipt_floor(self, receipt: str) -> bool:
        """Numbering continues above `receipt` (e.g. the highest number the central has seen for
        this kiosk, after data loss). True when the sequence moved."""
        try:
            day, rest = receipt.split("-", 1)
            kiosk_id, seq_text = rest.rsplit("-", 1)
            seq = int(seq_text)
        except (IndexError, ValueError):
            raise StoreError("bad_answer", "not a receipt number") from None
        if kiosk_id != self.kiosk_id:
            return False
        with self.db.transaction("raise receipt floor") as conn:
            before = conn.execute("SELECT value FROM sequences WHERE scope = ?",
                                  (f"receipt:{self.kiosk_id}:{day}",)).fetchone()
            if before is not None and before[0] >= seq:
                return False
            conn.execute("INSERT INTO sequences (scope, value) VALUES (?, ?) "
                         "ON CONFLICT (scope) DO UPDATE SET value = max(value, excluded.value)",
                         (f"receipt:{self.kiosk_id}:{day}", seq))
            # The guard keeps one day: a floor for an older day must not replace today's number.
            if self.guard is not None and day >= self.guard.read().day:
                self.guard.issued(self.keyring.key_id, day, seq)
        return True

    def mark_receipt_shown(self, receipt_no: str) -> None:
        """The resident saw this receipt (the Done screen showed it), or staff dealt with it."""
        with self.db.transaction("mark receipt shown") as conn:
            conn.execute("UPDATE submissions SET shown_at = ? WHERE receipt_no = ? AND shown_at IS NULL",
                         (self._clock().isoformat(), receipt_no))

    def unshown_receipts(self) -> list[tuple[str, str, datetime]]:
        """(receipt_no, form_id, created_at) of submissions whose receipt nobody is known to have seen.

        After a crash or power cut between submit and the Done screen the resident may not know
        the form went in (and might fill it again): staff are shown these and close each one
        with `mark_receipt_shown`.
        """
        with self.db.read("unshown receipts") as conn:
            rows = conn.execute("SELECT receipt_no, form_id, created_at FROM submissions "
                                "WHERE shown_at IS NULL ORDER BY rowid").fetchall()
        return [(r[0], r[1], datetime.fromisoformat(r[2])) for r in rows]

    def get_submission(self, receipt_no: str, *, reveal: bool = True) -> Submission | None:
        """A submission or None; with reveal=False personal answers are left out (no key needed)."""
        with self.db.read("get submission") as conn:
            row = conn.execute("SELECT uuid, form_id, created_at, check_code, payload FROM submissions "
                               "WHERE receipt_no = ?", (receipt_no,)).fetchone()
        if row is None:
            return None
        answers, personal = decode_answers(parse_payload(row[4], row[0]), self.keyring, row[0], reveal)
        return Submission(receipt_no, row[0], row[1], datetime.fromisoformat(row[2]), answers, personal, row[3])

    def receipt_numbers(self) -> list[str]:
        """Every receipt number, in order of submission."""
        with self.db.read("list receipts") as conn:
            return [r[0] for r in conn.execute("SELECT receipt_no FROM submissions ORDER BY rowid")]

    # --- health and lifetime ----------------------------------------------------------------
    def health(self) -> dict[str, Any]:
        """Facts for `kiosk doctor` / `kiosk store check` (no personal data)."""
        with self.db.read("health") as conn:
            counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                      for t in ("drafts", "submissions")}
            orphans = conn.execute(
                "SELECT COUNT(*) FROM outbox o LEFT JOIN submissions s ON s.uuid = o.submission_uuid "
                "WHERE s.uuid IS NULL").fetchone()[0]
        return {
            "path": str(self.db.path), "schema": self.db.schema_version(OWNER),
            "integrity": self.db.integrity_check(), **counts,
            "outbox_pending": self.outbox.count_pending(), "outbox_refused": self.outbox.count_refused(),
            "outbox_orphans": orphans,
            "unlocked": self.keyring.unlocked, "demo_store": self.is_demo_store(),
        }

    def close(self) -> None:
        """Close the database and forget the private key."""
        self.keyring.lock()
        self.db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def resolve_secret(settings: Any, environ: Mapping[str, str] | None = None) -> tuple[str | None, str]:
    """(staff secret or None, where it came from): the env var `store.secret_env`, else the file
    `store.secret_file` (e.g. on a removable key). Never a built-in demo secret."""
    environ = os.environ if environ is None else environ
    name = settings.store.secret_env
    secret = environ.get(name, "")
    if secret:
        return secret, f"${name}"
    if settings.store.secret_file:
        path = Path(settings.store.secret_file)
        try:
            text = path.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None, f"{path} (absent)"
        except OSError as err:
            raise StoreError("io", f"cannot read the secret file {path} ({type(err).__name__})") from err
        if text:
            return text, str(path)
    return None, f"${name} / [store] secret_file"


def open_store(settings: Any, environ: Mapping[str, str] | None = None, *, unlock: bool = True,
               secret: str | None = None, clock: Callable[[], datetime] = local_now,
               check_health: bool = False) -> SqliteStore:
    """The kiosk's store at settings.db_path, opened the way a kiosk must open it.

    - A new store needs the staff secret (StoreError 'no_secret'), strong unless `[store] demo`
      ('weak_secret'); its key is created and wrapped with it, and it is marked demo or not.
    - An existing store opens with its public key alone (writing needs nothing else); the secret,
      when there is one, unlocks it if `unlock` (a wrong one: logged, personal data stays locked,
      `kiosk doctor` fails).
    - A real install (demo off) refuses a demo store ('demo_store').
    - `check_health` (start-up): writable directory, free space, `PRAGMA quick_check`
      (kiosk.store.health); the first problem is raised ('io' / 'corrupt').
    """
    if secret is None:
        secret, where = resolve_secret(settings, environ)
    else:
        where = "given"
    demo = bool(settings.store.demo)
    path, kiosk_id = settings.db_path, settings.site.kiosk_id
    try:
        store = SqliteStore(path, kiosk_id, clock=clock)
    except StoreError as err:
        if err.code != "no_keyring":
            raise
        if not secret:
            raise StoreError("no_secret", f"no staff secret in {where}: a new store cannot be created "
                             "without one (make one with `kiosk store new-secret`; see README, Privacy)") from None
        problem = None if demo else secret_problem(secret)
        if problem:
            raise StoreError("weak_secret", f"the staff secret from {where} is too weak: {problem} "
                             "(`kiosk store new-secret` makes a strong one)") from None
        store = SqliteStore(path, kiosk_id, secret=secret, clock=clock)
        store.mark_demo(demo)
        log.info("new store created (%s); key %s", "demo" if demo else "real", store.key_id)
    store.min_free_mb = float(settings.store.min_free_mb)
    try:
        if check_health:
            require_healthy(path, store.min_free_mb, store.db)
        if not demo and store.is_demo_store():
            raise StoreError("demo_store", f"{path} was made by the Quick start demo: a real install does not "
                             "use it (move it away, or `kiosk store change-secret` to adopt it)")
        if secret and unlock:
            try:
                store.unlock(secret)
            except StoreError as err:
                if err.code != "wrong_secret":
                    raise
                # Writing needs only the public key: the kiosk keeps working, doctor says FAIL.
                log.warning("the staff secret from %s does not unlock the store; personal data stays locked", where)
        if not unlock:
            store.lock()
    except BaseException:
        store.close()
        raise
    return store


# A realistic form for the benchmark: four personal fields (sealed) and a few plain ones.
_BENCH_ANSWERS = {
    "name": "张秀英", "id_number": "110101195003051234", "phone": "13812345678",
    "address": "3号楼2单元1502", "service": "居家养老服务", "needs": ["助餐", "助浴"],
    "lives_alone": True, "age": 76,
}
_BENCH_PERSONAL = {"name", "id_number", "phone", "address"}


def bench_submit_latency(path: str | Path, n: int, fsync: bool = True) -> list[float]:
    """Seconds per `submit` on a real file (WAL; synchronous=FULL, or OFF when fsync=False)."""
    store = SqliteStore(path, "BENCH", secret="bench-secret", kdf=ScryptParams(n=2 ** 10),
                        synchronous="FULL" if fsync else "OFF")
    try:
        store.submit(Draft(uuidlib.uuid4().hex, "warmup", dict(_BENCH_ANSWERS), set(_BENCH_PERSONAL)))
        times: list[float] = []
        for _ in range(n):
            draft = Draft(uuidlib.uuid4().hex, "bench", dict(_BENCH_ANSWERS), set(_BENCH_PERSONAL))
            start = time.perf_counter()
            store.submit(draft)
            times.append(time.perf_counter() - start)
        return times
    finally:
        store.close()
