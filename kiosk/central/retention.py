"""Retention at the central service: each form's `retention_days` is what the consent promised.

Submissions older than their form's retention are deleted from PostgreSQL (sealed personal
values, free text, plain answers, receipt and check code all go with the row); a count per
service, kiosk, local day and status stays for statistics. Forms the service does not know
keep the default 365 days, as on the kiosk. Run at start and every `interval_s` by the server
(`RetentionWorker`, started by create_app's lifespan) and by `kiosk central purge`.
"""
from __future__ import annotations

import logging
import threading
from collections.abc import Mapping

from kiosk.catalogue.spec import FormSpec
from kiosk.central.store import CentralStore

log = logging.getLogger(__name__)

DEFAULT_RETENTION_DAYS = 365       # FormSpec's default, for submissions of forms not installed here


def retention_days(forms: Mapping[str, FormSpec]) -> dict[str, int]:
    """{form_id: days} from the catalogue."""
    return {form_id: form.retention_days for form_id, form in forms.items()}


def purge(store: CentralStore, forms: Mapping[str, FormSpec]) -> dict[str, int]:
    """One purge at the store's clock; {form_id: submissions deleted}."""
    deleted = store.purge_expired(retention_days(forms), DEFAULT_RETENTION_DAYS)
    if deleted:
        log.info("retention: deleted %d submission(s) past their retention (%s)", sum(deleted.values()),
                 ", ".join(f"{k}={v}" for k, v in sorted(deleted.items())))
    return deleted


class RetentionWorker:
    """Purges at start and then every `interval_s` in a daemon thread, until `stop()`."""

    def __init__(self, store: CentralStore, forms: Mapping[str, FormSpec], interval_s: float = 6 * 3600) -> None:
        self.store = store
        self.forms = forms
        self.interval_s = interval_s
        self.rounds = 0
        self.last: dict[str, int] = {}
        self.round_done = threading.Event()     # set after each round (tests wait on it)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Start the thread (once)."""
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="central-retention", daemon=True)
            self._thread.start()

    def stop(self, timeout_s: float = 30) -> None:
        """Ask the thread to finish and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout_s)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.last = purge(self.store, self.forms)
            except Exception:       # a database hiccup must not end retention for good: next round
                log.exception("retention round failed")
            self.rounds += 1
            self.round_done.set()
            self._stop.wait(self.interval_s)
