"""One sync round: register the kiosk's key once, post the outbox in batches, mark acked items sent.

Exactly-once comes from both ends: the central service upserts by submission uuid, and the
kiosk marks an item sent only when a 2xx answer lists its uuid. So a retry after a lost
acknowledgement re-sends rows the server already holds, and the server keeps one copy.

What goes over the wire is the outbox payload as the store wrote it: plain answers, personal
values sealed to the kiosk's public key, receipt number, check code, key fingerprint. The
registration carries the public key and the private key *wrapped* by the staff secret; only
someone holding that secret can open it, so sharing it with the central service is safe.
Nothing here logs answers: log lines carry counts, receipt numbers and error class names.
"""
from __future__ import annotations

import hashlib
import ipaddress
import json
import logging
from dataclasses import dataclass
from urllib.parse import urlsplit

import httpx

from kiosk.errors import KioskError
from kiosk.store.model import StoreError

log = logging.getLogger(__name__)

API = "/api/v1"
PROTOCOL_VERSION = 1
REGISTERED_META = "sync.registered"   # in the kiosk's meta table: what was registered where
# Refusals that may pass: retried next round (newer_payload: the central is upgraded after the
# kiosk). Any other reason (bad_text, wrong_kiosk...) is for good: the item is set aside in the
# outbox for staff (`kiosk sync status` / `resend`), never resent automatically.
TRANSIENT_REFUSALS = frozenset({"unknown_key", "db_refused", "newer_payload"})


class SyncError(KioskError):
    """A round could not finish; `code` is network | timeout | server | auth | refused | store."""

    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(f"[{code}] {detail}" if detail else f"[{code}]")


@dataclass(frozen=True)
class SyncReport:
    """What one round did: items acknowledged, items tried but not acknowledged, items still waiting."""

    sent: int
    failed: int
    pending: int
    error: str = ""            # SyncError code when the round stopped early
    audit: str = ""            # the central's verdict on this kiosk's audit head: ok | rewritten | rewound
    refused: int = 0           # items the central refused for good this round (set aside in the outbox)

    @property
    def ok(self) -> bool:
        """True when the round ended without an error."""
        return not self.error


def is_loopback(host: str) -> bool:
    """True for localhost and loopback addresses (traffic that never leaves this machine)."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_url(url: str, allow_insecure: bool = False) -> None:
    """Refuse a url that would send the token and wrapped key in the clear (SyncError 'insecure').

    https anywhere is fine; plain http only to this machine, or when `sync.allow_insecure = true`
    says the operator knows the network (e.g. a VPN).
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SyncError("bad_url", "sync.url must be http(s)://host[:port]")
    if parts.scheme == "http" and not allow_insecure and not is_loopback(parts.hostname):
        raise SyncError("insecure", f"sync.url is plain http to {parts.hostname}: use https, "
                                    "or set sync.allow_insecure = true on a trusted network")


class SyncClient:
    """Sends one kiosk store's outbox to the central service."""

    def __init__(self, store, url: str, token: str, kiosk_id: str, *, batch_size: int = 50,
                 timeout_s: float = 10.0, transport: httpx.BaseTransport | None = None,
                 allow_insecure: bool = False) -> None:
        if not url:
            raise ValueError("SyncClient needs the central service url")
        check_url(url, allow_insecure)
        self.store = store
        self.url = url.rstrip("/")
        self.kiosk_id = kiosk_id
        self.batch_size = batch_size
        self._audit = None                      # AuditLog, opened on first use
        self._anchor: object = None             # the central's audit anchor {id, hash, count}
        self._verdict = ""
        self._refusals: set = set()             # reasons the central gave for refused items, last batch
        self._rejected: list[tuple[str, str]] = []   # (uuid, reason) of the last batch
        self.numbering_checked = False          # the central's highest receipt number was applied
        self._http = httpx.Client(
            base_url=self.url, timeout=timeout_s, transport=transport,
            headers={"Authorization": f"Bearer {token}", "User-Agent": f"kiosk-sync/{PROTOCOL_VERSION}"})

    # --- one round ----------------------------------------------------------------------
    def sync_once(self) -> SyncReport:
        """Register if needed, then post pending items until none are left or something fails.

        Every batch carries the audit chain head; with nothing to send, an empty batch carries it
        when it moved since the central's anchor.
        """
        sent = failed = refused = 0
        self._verdict = ""
        reregistered = False
        try:
            if not self.numbering_checked:      # first: a kiosk that lost data numbers above the central's
                self.resume_numbering()
            self.register()
            self._anchor = self._central_anchor()
            while True:
                # Items refused for good are set aside in the outbox (mark_refused), so they never
                # hold up the ones behind them and are not resent until staff say so.
                items = self.store.outbox.pending(self.batch_size)
                if not items:
                    if self._head_moved():
                        self._post_batch([])
                    break
                acked = self._post_batch(items)
                by_uuid = {item.submission_uuid: item.id for item in items}
                done = [by_uuid[u] for u in acked if u in by_uuid]
                self.store.outbox.mark_sent(done)
                sent += len(done)
                if len(done) < len(items) and "unknown_key" in self._refusals and not reregistered:
                    # The central lost this kiosk's key (a restored database): register again, retry once.
                    self.register(force=True)
                    reregistered = True
                    continue
                if len(done) < len(items):
                    for_good = {by_uuid[u]: reason for u, reason in self._rejected
                                if u in by_uuid and u not in acked and reason not in TRANSIENT_REFUSALS}
                    refused += self.store.outbox.mark_refused(for_good)
                    failed += len(items) - len(done) - len(for_good)
                    log.warning("central service refused %d of %d items (%s); %d set aside for staff",
                                len(items) - len(done), len(items),
                                ", ".join(sorted({r for _, r in self._rejected})) or "not listed", len(for_good))
                    if len(done) + len(for_good) < len(items):   # something else: next round, do not spin
                        break
        except SyncError as err:
            log.warning("sync stopped: %s (%d sent this round)", err, sent)
            return SyncReport(sent, failed + self._unsent_in_flight(), self._pending(), err.code, self._verdict,
                              refused)
        except StoreError as err:
            log.error("sync stopped by the kiosk store: %s", err.code)
            return SyncReport(sent, failed, self._pending(), "store", self._verdict, refused)
        if sent or failed or refused:
            log.info("sync: %d sent, %d not acknowledged, %d refused for good", sent, failed, refused)
        return SyncReport(sent, failed, self._pending(), "refused" if failed else "", self._verdict, refused)

    def _unsent_in_flight(self) -> int:
        # After a transport error the batch that was in flight counts as failed (it stays pending).
        return min(self.batch_size, self._pending())

    def _pending(self) -> int:
        try:
            return self.store.outbox.count_pending()
        except StoreError:
            return -1

    # --- registration -------------------------------------------------------------------
    def registration(self) -> dict:
        """The body of PUT /api/v1/kiosks/{id}: public key + wrapped private key + fingerprint."""
        ring = self.store.keyring
        return {"v": PROTOCOL_VERSION, "key_id": ring.key_id, "keyring": json.loads(ring.to_json())}

    def register(self, force: bool = False) -> bool:
        """PUT the kiosk's key record unless this exact record is already registered at this url."""
        body = self.registration()
        mark = hashlib.sha256(f"{self.url}\n{json.dumps(body, sort_keys=True)}".encode()).hexdigest()
        if not force and self.store.db.get_meta(REGISTERED_META) == mark:
            return False
        self._request("PUT", f"{API}/kiosks/{self.kiosk_id}", body)
        self.store.db.set_meta(REGISTERED_META, mark)
        log.info("registered kiosk %s key %s with the central service", self.kiosk_id, body["key_id"])
        return True

    # --- receipt numbering after data loss -------------------------------------------------
    def resume_numbering(self, timeout_s: float | None = None) -> str:
        """Ask the central for the highest receipt number it holds from this kiosk and number above it.

        A kiosk whose disk was wiped, or restored from an older backup, would otherwise issue
        numbers the central already has. Returns that number ('' when the central has none, or is
        too old to say); SyncError when it cannot be asked. Done once per client, then each batch
        answer carries the number too.
        """
        try:
            answer = self._request("GET", f"{API}/kiosks/{self.kiosk_id}/receipts", None, timeout_s)
        except SyncError as err:
            if err.code == "refused" and "HTTP 404" in err.detail:
                self.numbering_checked = True      # a central from before receipt floors
                return ""
            raise
        high = answer.get("receipt_high") if isinstance(answer, dict) else None
        self._apply_floor(high)
        self.numbering_checked = True
        return high if isinstance(high, str) else ""

    def _apply_floor(self, high: object) -> None:
        if not isinstance(high, str) or not high:
            return
        try:
            if self.store.raise_receipt_floor(high):
                log.warning("receipt numbering raised above %s, the highest number the central service holds "
                            "from this kiosk (this kiosk had lost data)", high)
        except StoreError as err:
            if err.code != "bad_answer":
                raise
            log.warning("the central service's highest receipt number is malformed; ignored")

    # --- the audit chain head -------------------------------------------------------------
    def _audit_log(self):
        if self._audit is None:
            from kiosk.staff.audit import AuditLog  # the staff area's log; created on first use
            self._audit = AuditLog(self.store.db)
        return self._audit

    def audit_block(self) -> dict:
        """This kiosk's audit head and its own hash of the row the central anchored (proof of extension)."""
        head = self._audit_log().head()
        anchor = self._anchor if isinstance(self._anchor, dict) else {}
        raw_id = anchor.get("id")
        anchor_id = raw_id if isinstance(raw_id, int) else 0
        return {"head": head.to_dict(), "at_anchor": {"id": anchor_id, "hash": self._hash_at(anchor_id)}}

    def _hash_at(self, row_id: int) -> str:
        if not row_id:
            return ""
        with self.store.db.read("audit row hash") as conn:
            row = conn.execute("SELECT hash FROM staff_audit WHERE id = ?", (row_id,)).fetchone()
        return row[0] if row else ""

    def _head_moved(self) -> bool:
        head = self._audit_log().head()
        anchor = self._anchor if isinstance(self._anchor, dict) else {}
        return bool(head.id) and (anchor.get("id"), anchor.get("hash")) != (head.id, head.hash)

    # --- transport ----------------------------------------------------------------------
    def _post_batch(self, items) -> list[str]:
        body = {"v": PROTOCOL_VERSION, "kiosk_id": self.kiosk_id, "items": [i.payload for i in items],
                "audit": self.audit_block()}
        answer = self._request("POST", f"{API}/submissions", body)
        accepted = answer.get("accepted") if isinstance(answer, dict) else None
        if not isinstance(accepted, list):
            raise SyncError("server", "acknowledgement without an accepted list")
        rejected = answer.get("rejected")
        self._rejected = [(str(r.get("uuid")), str(r.get("reason"))) for r in rejected if isinstance(r, dict)] \
            if isinstance(rejected, list) else []
        self._refusals = {reason for _, reason in self._rejected}
        self._apply_floor(answer.get("receipt_high"))
        audit = answer.get("audit")
        if isinstance(audit, dict):
            self._anchor = audit.get("anchor")
            self._verdict = str(audit.get("verdict", ""))
            if self._verdict != "ok":
                log.error("the central service says this kiosk's audit log was %s since its last sync", self._verdict)
        return [u for u in accepted if isinstance(u, str)]

    def _central_anchor(self) -> dict | None:
        """The audit head the central holds for this kiosk; None from a central too old to keep one."""
        try:
            return self._request("GET", f"{API}/kiosks/{self.kiosk_id}/audit", None)
        except SyncError as err:
            if err.code == "refused" and "HTTP 404" in err.detail:
                return None
            raise

    def _request(self, method: str, path: str, body: dict | None, timeout_s: float | None = None) -> dict:
        try:
            if timeout_s is None:
                response = self._http.request(method, path, json=body)
            else:
                response = self._http.request(method, path, json=body, timeout=timeout_s)
        except httpx.TimeoutException as err:
            raise SyncError("timeout", type(err).__name__) from None
        except httpx.TransportError as err:     # refused, reset, DNS, a dropped answer
            raise SyncError("network", type(err).__name__) from None
        if response.status_code in (401, 403):
            raise SyncError("auth", f"HTTP {response.status_code}: check sync.token")
        if not response.is_success:
            raise SyncError("server" if response.status_code >= 500 else "refused",
                            f"HTTP {response.status_code} for {method} {path}")
        try:
            return response.json()
        except ValueError:
            raise SyncError("server", "acknowledgement is not JSON") from None

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._http.close()

    def __enter__(self) -> SyncClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
