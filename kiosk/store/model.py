"""What the store keeps (drafts, submissions), its one error type, and the store interface.

The dialogue engine talks only to `SubmissionStore`; `SqliteStore` (real file) and `MemoryStore`
(in-memory twin) implement it.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

from kiosk.errors import KioskError

if TYPE_CHECKING:   # only for annotations: both import this module
    from kiosk.store.db import Database
    from kiosk.store.keyring import Keyring


class StoreError(KioskError):
    """A store operation failed; `code` picks the resident wording, `detail` is for logs.

    `detail` never contains personal data: it holds error class names, SQLite's own messages
    (which name tables and columns, never values) and ids.
    """

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"[{code}] {detail}" if detail else f"[{code}]")

    @property
    def message_key(self) -> str:
        """Key in voices/text/store.yaml with the Mandarin wording for the resident."""
        return f"store_{self.code}"

    def resident_text(self) -> str:
        """The Mandarin sentence to show/speak to the resident."""
        from kiosk.voices import say

        return say(self.message_key)

    def staff_text(self) -> str:
        """What staff should do, in Mandarin ('' when there is nothing beyond the resident text)."""
        from kiosk.voices import catalogue, say

        key = f"store_staff.{self.code}"
        return say(key) if key in catalogue() else ""

    def describe(self) -> str:
        """The command line's line: English detail, then the Mandarin instruction for staff."""
        text = super().describe()
        staff = self.staff_text()
        return f"{text}\n  {staff}" if staff else text


# Codes a caller may see (each has a store_<code> key in voices/text/store.yaml).
ERROR_CODES = (
    "corrupt",       # the file is not a database or is damaged
    "busy",          # another process held the database longer than the busy timeout
    "io",            # disk full, read-only, cannot open
    "locked",        # personal data asked for but the staff key is not unlocked
    "wrong_secret",  # the staff secret does not unlock the key
    "no_keyring",    # the database has no key yet and no secret was given to create one
    "key_mismatch",  # the keyring given does not belong to this database
    "bad_answer",    # an answer is not JSON-able
    "newer_data",    # a row was written by a newer version of the kiosk
    "schema",        # a migration failed
    "no_secret",     # a new store and no staff secret to create its key with
    "weak_secret",   # the staff secret is too weak to create a store / change to
    "demo_store",    # a real install found a store made by the Quick start demo
    "key_lost",      # the store key is missing but data (or the receipt guard) says there was one
    "unhealthy",     # the storage health check failed (quick_check, free space, writability)
    "internal",      # anything else (a bug); details in the log
)


# Field types whose answers are sealed like personal data although they are not masked on screen:
# free text carries names, phones and health details in the resident's own words.
SEALED_TYPES = frozenset({"text"})


def sealed_field_ids(fields: Iterable[Any], answered: Iterable[str]) -> set[str]:
    """Ids among `answered` that the store must seal: personal fields and free text.

    `fields` are FieldSpecs (anything with .id, .personal and .type); what goes into
    `Draft.personal`, so drafts, submissions and the outbox all seal them.
    """
    wanted = set(answered)
    return {f.id for f in fields
            if f.id in wanted and (f.personal or getattr(f.type, "value", f.type) in SEALED_TYPES)}


@dataclass
class Draft:
    """An unfinished form: what the resident has answered so far."""

    draft_id: str                           # uuid4 hex
    form_id: str
    answers: dict[str, Any]                 # field id -> JSON-able value
    personal: set[str] = field(default_factory=set)   # ids of answers that are personal data
    step: str | None = None                 # field id the resident is on
    updated_at: datetime | None = None      # set by save_draft (aware, local time)

    def __repr__(self) -> str:  # never show answers: they may be personal
        return f"Draft(draft_id={self.draft_id!r}, form_id={self.form_id!r}, step={self.step!r})"


@dataclass
class Submission:
    """A submitted form, durable once `submit` returns."""

    receipt_no: str                 # YYYYMMDD-<kiosk_id>-NNNN, per kiosk per day
    uuid: str                       # uuid4 hex, the id the central service sees
    form_id: str
    created_at: datetime            # aware, local time zone
    answers: dict[str, Any]
    personal: set[str]
    check_code: str                 # 6 chars from HMAC(receipt_no); for QR / status lookup

    def __repr__(self) -> str:  # never show answers: they may be personal
        return f"Submission(receipt_no={self.receipt_no!r}, form_id={self.form_id!r})"


@dataclass
class OutboxItem:
    """One submission waiting for the central service; personal values still sealed."""

    id: int
    submission_uuid: str
    payload: dict[str, Any]
    created_at: datetime
    sent_at: datetime | None = None


@dataclass(frozen=True)
class RefusedItem:
    """An outbox item the central refused for good: kept, not resent until staff say so."""

    id: int
    receipt_no: str
    form_id: str
    reason: str              # the central's reason code (bad_text, wrong_kiosk, ...)
    refused_at: datetime


def reason_code(reason: str) -> str:
    """A refusal reason as stored: a short code of letters, digits and _ (anything else dropped)."""
    return "".join(c for c in reason if c.isascii() and (c.isalnum() or c == "_"))[:40] or "unknown"


@runtime_checkable
class SubmissionStore(Protocol):
    """The whole store interface: SqliteStore (a file) and MemoryStore (`:memory:`) both give it.

    Callers (dialogue engine, staff mode, print queue, sync, UI) use only these members; the
    print queue, tickets and audit log add their own tables to `db` (see kiosk.store.db).
    """

    kiosk_id: str
    db: Database                    # the shared SQLite database (tables of other areas live here too)
    outbox: OutboxLike              # submissions waiting for the central service
    keyring: Keyring                # public key always; private key once unlocked (sync uploads it wrapped)

    @property
    def unlocked(self) -> bool:
        """True when personal values can be read."""

    @property
    def key_id(self) -> str:
        """Fingerprint of the store's public key."""

    def now(self) -> datetime:
        """The store's clock."""

    def unlock(self, secret: str) -> None:
        """Open personal values with the staff secret (StoreError 'wrong_secret')."""

    def lock(self) -> None:
        """Forget the private key."""

    def save_draft(self, draft: Draft) -> None:
        """Insert or replace a draft (sets draft.updated_at)."""

    def submit(self, draft: Draft, *,
               in_transaction: Callable[[Submission], None] | None = None) -> Submission:
        """Atomically store the submission + outbox row (+ the callback's rows) and delete the draft."""

    def load_draft(self, draft_id: str, *, reveal: bool = True) -> Draft | None:
        """The saved draft, or None; personal values need the key unlocked unless reveal=False."""

    def discard_draft(self, draft_id: str) -> None:
        """Forget a draft (no error when it does not exist)."""

    def draft_ids(self) -> list[str]:
        """Ids of every saved draft, oldest first."""

    def get_submission(self, receipt_no: str, *, reveal: bool = True) -> Submission | None:
        """A submission by receipt number, or None; personal values need the key unlocked."""

    def receipt_numbers(self) -> list[str]:
        """Every receipt number, in order of submission."""

    def mark_receipt_shown(self, receipt_no: str) -> None:
        """The resident saw this receipt (or staff dealt with it)."""

    def unshown_receipts(self) -> list[tuple[str, str, datetime]]:
        """(receipt_no, form_id, created_at) of submissions whose receipt may not have been seen."""

    def check_code(self, receipt: str) -> str:
        """The check code printed with a receipt."""

    def verify_check_code(self, receipt: str, code: str) -> bool:
        """True when `code` belongs to `receipt`."""

    def purge_drafts(self, older_than: timedelta) -> int:
        """Delete drafts not updated for `older_than`; return how many."""

    def health(self) -> dict[str, Any]:
        """Facts for doctor / `kiosk store check` (no personal data)."""

    def close(self) -> None:
        """Close the database and forget the private key."""


class OutboxLike(Protocol):
    """The outbox part of the interface."""

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        """The oldest unsent items, at most `limit`."""

    def mark_sent(self, ids: Iterable[int]) -> int:
        """Record that these items reached the central service; return how many changed."""

    def count_pending(self) -> int:
        """How many items wait to be sent (not those refused for good)."""

    def mark_refused(self, reasons: Mapping[int, str]) -> int:
        """Set aside items the central refused for good ({outbox id: reason}); never resent automatically."""

    def refused(self) -> list[RefusedItem]:
        """Items set aside after a refusal for good."""

    def count_refused(self) -> int:
        """How many items were refused for good."""

    def resend(self, receipts: Iterable[str] | None = None) -> int:
        """Put refused items back in the queue (all, or those receipt numbers)."""
