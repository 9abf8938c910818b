"""MemoryStore: the in-memory twin of SqliteStore for tests and a demo kiosk with no disk.

It *is* a SqliteStore on an SQLite `:memory:` database: the same schema, SQL, receipt numbers,
check codes, sealing and outbox, and a real `db` (a `Database`), so staff mode, the print queue
and sync run on it unchanged. Nothing is durable (it lives only as long as the process). Its key
is wrapped with a random secret that never leaves the process and starts unlocked.
"""
from __future__ import annotations

import secrets
from collections.abc import Callable
from datetime import datetime

from kiosk.store.db import MEMORY
from kiosk.store.keyring import Keyring, ScryptParams
from kiosk.store.sqlite import SqliteStore, local_now

# The wrapping secret is random and in memory only, so a slow KDF would protect nothing.
_MEMORY_KDF = ScryptParams(n=2 ** 4)


class MemoryStore(SqliteStore):
    """A SubmissionStore in an in-memory SQLite database (unlocked, nothing durable)."""

    def __init__(self, kiosk_id: str = "K01", *, clock: Callable[[], datetime] = local_now) -> None:
        self._memory_secret = secrets.token_urlsafe(32)
        keyring = Keyring.create(self._memory_secret, _MEMORY_KDF)
        super().__init__(MEMORY, kiosk_id, keyring, clock=clock)

    def unlock(self, secret: str | None = None) -> None:
        """Unlock again; the twin knows its own secret, so `secret` may be left out."""
        super().unlock(self._memory_secret if secret is None else secret)
