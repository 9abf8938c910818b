"""Composition root without a screen: settings -> catalogue, store, visits.

The Kivy app, the console and the benchmarks all start from here so they run the same parts.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
from dataclasses import dataclass

from kiosk.catalogue.loader import Catalogue, load_catalogue
from kiosk.config import Settings
from kiosk.dialogue.engine import Visit
from kiosk.store.model import StoreError, SubmissionStore

log = logging.getLogger(__name__)


@dataclass
class Runtime:
    """Everything a session needs, built once at start-up."""

    settings: Settings
    catalogue: Catalogue
    store: SubmissionStore
    today: dt.date | None = None

    def new_visit(self) -> Visit:
        """A fresh visit: no memory of anyone before."""
        # [speech] private_audio: a handset or headphones, so personal numbers are read back whole.
        visit = Visit(self.settings.site, self.store, self.today, private_audio=self.settings.speech.private_audio)
        visit.submit_hook = self.receipt_hook    # the print job commits with the submission
        return visit

    @functools.cached_property
    def receipt_hook(self):
        """Queues each submission's receipt in the submission's own transaction (kiosk.printing)."""
        from kiosk.printing.queue import queue_on_submit

        return queue_on_submit(self.store.db, self.catalogue.forms, self.settings.site,
                               self.settings.printer.status_url_base)

    def maintain(self, clock=None) -> None:
        """The kiosk's maintenance round (start-up and every `store.purge_every_hours`): drafts and
        retention purge, then the scheduled backup when `[store] backup_dir` is set and one is due."""
        self.purge_old_drafts(clock)
        self.check_storage()
        st = self.settings.store
        if not st.backup_dir:
            return
        from kiosk.store.backup import backup_if_due

        try:
            backup_if_due(self.store, st.backup_dir, st.backup_every_hours, st.backup_keep,
                          clock() if clock else None)
        except StoreError as err:
            log.error("scheduled backup failed: %s", err.code)

    def check_storage(self) -> list:
        """Writability, free space and quick_check of the running kiosk's store; a problem marks
        the store damaged, so no receipt is acknowledged into it until a restart passes the checks."""
        db = self.store.db
        if db.in_memory:
            return []
        from kiosk.store.health import storage_problems

        problems = storage_problems(db.path, self.settings.store.min_free_mb, db)
        if problems:
            log.error("storage check failed: %s", "; ".join(f"{p.check}: {p.detail}" for p in problems))
            self.store.damaged = problems[0].error()
        return problems

    def purge_old_drafts(self, clock=None) -> int:
        """Forget unfinished drafts older than `store.draft_purge_hours` (kept that long for staff) and
        records past their form's `retention_days` (kiosk.store.retention); returns rows removed."""
        from kiosk.store.retention import purge_all

        retention = {f.id: f.retention_days for f in self.catalogue.forms.values()}
        try:
            return purge_all(self.store, retention, draft_hours=self.settings.store.draft_purge_hours,
                             clock=clock).total
        except StoreError as err:
            log.error("purge failed: %s", err.code)
            return 0


def open_runtime(settings: Settings, store: SubmissionStore | None = None) -> Runtime:
    """Load forms (broken ones are reported, not fatal) and open the store."""
    catalogue = load_catalogue(settings.forms_dir)
    for problem in catalogue.problems:
        log.warning("form problem: %s", problem)
    if store is None:
        from kiosk.store.sqlite import open_store

        store = open_store(settings, check_health=True)   # a damaged or full store never takes a form
    runtime = Runtime(settings, catalogue, store)
    runtime.maintain()
    return runtime
