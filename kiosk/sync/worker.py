"""SyncWorker: sync rounds in a daemon thread, with capped exponential backoff while failing.

The kiosk never waits for the network: submissions land in the outbox first; the worker sends
them whenever the central service answers. `wake()` asks for a round now (after a submit).
"""
from __future__ import annotations

import logging
import random
import threading

from kiosk.store.model import StoreError
from kiosk.sync.client import SyncClient, SyncError, SyncReport

log = logging.getLogger(__name__)
STARTUP_CHECK_S = 2.0     # how long start-up waits for the central's highest receipt number


def backoff_s(failures: int, interval_s: float, cap_s: float = 300.0) -> float:
    """Wait before the next round: the interval when healthy, doubling per failure up to `cap_s`."""
    if failures <= 0:
        return interval_s
    base = min(cap_s, interval_s * 2 ** min(failures, 16))
    return base * random.uniform(0.8, 1.0)    # spread a fleet that lost the network together


class SyncWorker:
    """Runs `client.sync_once()` every `interval_s` (longer after failures) until `stop()`."""

    def __init__(self, client: SyncClient, interval_s: float = 30.0, cap_s: float = 300.0) -> None:
        self.client = client
        self.interval_s = interval_s
        self.cap_s = cap_s
        self.failures = 0
        self.last: SyncReport | None = None
        self._stop = threading.Event()
        self._wake = threading.Event()
        self.first_round = threading.Event()    # set when the first round ended (numbering checked if reachable)
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the background thread (once)."""
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="kiosk-sync", daemon=True)
        self._thread.start()

    def wake(self) -> None:
        """Run a round as soon as possible (e.g. right after a submit)."""
        self._wake.set()

    def stop(self, timeout_s: float = 15.0) -> None:
        """Ask the thread to finish its round and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None
        self.client.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.last = self.client.sync_once()
            except Exception:   # a bug must not kill the thread: the outbox keeps everything
                log.exception("sync round crashed")
                self.last = SyncReport(0, 0, -1, "internal")
            self.failures = 0 if self.last.ok else self.failures + 1
            self.first_round.set()
            self._wake.wait(backoff_s(self.failures, self.interval_s, self.cap_s))
            self._wake.clear()


def start_sync(settings, store, startup_timeout_s: float = STARTUP_CHECK_S) -> SyncWorker | None:
    """A started worker for the `[sync]` settings, or None when no central url is configured.

    Before the worker starts, the central is asked (waiting at most 1.5 x `startup_timeout_s`) for
    this kiosk's highest receipt number, so a kiosk that lost data numbers above it from its
    first receipt. A central that does not answer costs only that wait: the kiosk goes on from
    its own records (database + receipt guard) and the worker's first round asks again.
    `first_round` is set when that round ended.
    """
    if not settings.sync.url:
        return None
    client = SyncClient(store, settings.sync.url, settings.sync.token, settings.site.kiosk_id,
                        batch_size=settings.sync.batch_size, timeout_s=settings.sync.timeout_s,
                        allow_insecure=settings.sync.allow_insecure)
    # In a thread joined with a deadline: a hanging name lookup (outside httpx's timeouts) cannot
    # hold start-up longer; if it answers later, the floor is still applied then.
    checker = threading.Thread(target=_check_numbering, args=(client, startup_timeout_s),
                               name="kiosk-sync-numbering", daemon=True)
    checker.start()
    checker.join(startup_timeout_s * 1.5)
    worker = SyncWorker(client, settings.sync.interval_s)
    worker.start()
    return worker


def _check_numbering(client: SyncClient, timeout_s: float) -> None:
    try:
        client.resume_numbering(timeout_s=timeout_s)
    except SyncError as err:
        log.warning("central service not reached at start-up (%s): receipt numbers continue from this kiosk's "
                    "own records until the first sync", err.code)
    except StoreError as err:
        log.error("receipt floor not applied at start-up: %s", err.code)
    except Exception:       # a bug must not stop start-up: the first round asks again
        log.exception("start-up receipt number check crashed")
