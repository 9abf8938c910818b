"""Durable, private storage of drafts and submissions (SQLite, personal answers encrypted).

Use `open_store(settings)` in the app; `MemoryStore()` in tests and demos. Other areas add their
tables with `store.db.register_schema(owner, migrations)` (see kiosk.store.db).
"""
from kiosk.store.db import Database
from kiosk.store.keyring import DEMO_SECRET, Keyring, ScryptParams
from kiosk.store.memory import MemoryStore
from kiosk.store.model import Draft, OutboxItem, StoreError, Submission, SubmissionStore
from kiosk.store.sqlite import SqliteStore, open_store, resolve_secret

__all__ = [
    "DEMO_SECRET", "Database", "Draft", "Keyring", "MemoryStore", "OutboxItem", "ScryptParams",
    "SqliteStore", "StoreError", "Submission", "SubmissionStore", "open_store", "resolve_secret",
]
