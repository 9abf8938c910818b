"""Kiosk -> central service sync: the outbox is posted in batches, marked sent only on an ack.

`SyncClient.sync_once()` does one round; `SyncWorker` runs rounds in a background thread with
backoff; `start_sync(settings, store)` builds both from `[sync]` settings (None when no url).
"""
from kiosk.sync.client import SyncClient, SyncError, SyncReport
from kiosk.sync.worker import SyncWorker, start_sync

__all__ = ["SyncClient", "SyncError", "SyncReport", "SyncWorker", "start_sync"]
