"""Storage health: is the kiosk's disk and database fit to take a resident's form?

Checked by `kiosk doctor`, at start-up (a failure shows the out-of-service screen instead of
Home, never a restart loop) and on the running kiosk's purge schedule:
- the data directory is writable (a file is created, fsync'd and removed);
- free space is at least `store.min_free_mb` (SQLite needs room for the WAL and a checkpoint);
- `PRAGMA quick_check` says "ok" (a non-database file or a damaged page fails here).
Each problem is a `StoreError` code: "io" (not writable, no space), "corrupt" (quick_check).
"""
from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kiosk.store.db import Database
from kiosk.store.model import StoreError


@dataclass(frozen=True)
class HealthProblem:
    """One failed storage check (no personal data: paths, counts and SQLite's own words)."""

    code: str          # StoreError code: "io" or "corrupt"
    check: str         # "writable" / "free_space" / "quick_check"
    detail: str

    def error(self) -> StoreError:
        """The problem as the error the kiosk raises."""
        return StoreError(self.code, f"{self.check}: {self.detail}")


def free_mb(directory: Path) -> float:
    """Free space for the kiosk user in `directory`, in MB."""
    return shutil.disk_usage(directory).free / 1e6


def check_writable(directory: Path) -> HealthProblem | None:
    """Create, fsync and remove a small file in `directory`."""
    probe = directory / f".health-{uuid.uuid4().hex}"
    try:
        fd = os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, b"kiosk storage check\n" * 64)
            os.fsync(fd)
        finally:
            os.close(fd)
            probe.unlink(missing_ok=True)
    except OSError as err:
        return HealthProblem("io", "writable", f"{directory} is not writable ({err.strerror or type(err).__name__})")
    return None


def check_free_space(directory: Path, min_free_mb: float) -> HealthProblem | None:
    """At least `min_free_mb` free in `directory`."""
    try:
        free = free_mb(directory)
    except OSError as err:
        return HealthProblem("io", "free_space", f"cannot stat {directory} ({type(err).__name__})")
    if free < min_free_mb:
        return HealthProblem("io", "free_space", f"{free:.1f} MB free in {directory}, at least {min_free_mb:g} MB needed")
    return None


def check_database(db: Database) -> HealthProblem | None:
    """`PRAGMA quick_check` on an open database."""
    try:
        lines = db.quick_check()
    except StoreError as err:
        return HealthProblem(err.code if err.code in ("io", "corrupt") else "corrupt", "quick_check", err.detail)
    if lines != ["ok"]:
        return HealthProblem("corrupt", "quick_check", f"{len(lines)} problem(s), first: {lines[0][:120]}")
    return None


def storage_problems(db_path: Path, min_free_mb: float, db: Database | None = None) -> list[HealthProblem]:
    """Every storage problem (empty when healthy); `db` is checked when given."""
    directory = Path(db_path).parent
    problems = [p for p in (check_writable(directory), check_free_space(directory, min_free_mb)) if p]
    if db is not None and not db.in_memory:
        problem = check_database(db)
        if problem:
            problems.append(problem)
    return problems


def require_healthy(db_path: Path, min_free_mb: float, db: Database | None = None) -> None:
    """Raise the first problem as a StoreError (start-up uses this before showing Home)."""
    problems = storage_problems(db_path, min_free_mb, db)
    if problems:
        raise problems[0].error()


def doctor_storage(settings: Any, environ: Mapping[str, str] | None = None) -> tuple[str, str, str]:
    """(status OK/WARN/FAIL, detail, fix) for `kiosk doctor`: disk, database and staff secret.

    Proves the configured secret opens the stored key (a wrong one is a FAIL, not an OK), runs
    quick_check, measures free space and writability, and refuses a demo store on a real install.
    """
    from kiosk.store.keyring import secret_problem
    from kiosk.store.sqlite import SqliteStore, resolve_secret

    data = Path(settings.data_dir)
    path = Path(settings.db_path)
    try:
        data.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as err:
        return "FAIL", f"data directory {data} cannot be created ({err.strerror})", "set KIOSK_DATA_DIR to a writable place"
    for problem in (check_writable(data), check_free_space(data, settings.store.min_free_mb)):
        if problem:
            return "FAIL", problem.detail, "free space on the disk / give the kiosk user write access, then restart"
    secret, where = resolve_secret(settings, environ)
    demo = bool(settings.store.demo)
    store: SqliteStore | None = None
    if path.exists() and path.stat().st_size > 0:
        try:
            store = SqliteStore(path, settings.site.kiosk_id)
        except StoreError as err:
            if err.code != "no_keyring":     # no_keyring: created but never given a key = new
                return "FAIL", f"{path.name}: {err.describe().splitlines()[0]}", \
                    err.staff_text() or "kiosk store restore BACKUP"
    if store is None:
        if not secret:
            return "FAIL", f"no store yet and no staff secret ({where}): the kiosk cannot create one", \
                "`kiosk store new-secret`, keep it safe, set it in $KIOSK_STAFF_SECRET (or [store] secret_file)"
        weak = None if demo else secret_problem(secret)
        if weak:
            return "FAIL", f"the staff secret from {where} is too weak: {weak}", "`kiosk store new-secret`"
        return "OK", f"{data} writable, {free_mb(data):,.0f} MB free; a new store will be created at {path}", ""
    with store:
        problem = check_database(store.db)
        if problem:
            return "FAIL", f"{path.name}: quick_check: {problem.detail}", "kiosk store restore BACKUP (see README)"
        facts = f"{data} writable, {free_mb(data):,.0f} MB free, quick_check ok, key {store.key_id}"
        if store.is_demo_store() and not demo:
            return "FAIL", f"{facts}; this is a demo store", "move it away, or `kiosk store change-secret` to adopt it"
        if secret:
            try:
                store.unlock(secret)
            except StoreError:
                return "FAIL", f"{facts}; the staff secret from {where} does NOT open the stored key", \
                    "set the right secret, or `kiosk store change-secret` (old secret required)"
            facts += f"; the staff secret from {where} opens it"
        else:
            facts += "; no staff secret on this kiosk (writes with the public key; staff actions ask for it)"
        loose = [p.name for p in (path, Path(f"{path}-wal")) if p.exists() and p.stat().st_mode & 0o077]
        if loose:
            return "WARN", f"{facts}; readable by others: {', '.join(loose)}", f"chmod 600 {path}*"
        if store.is_demo_store():
            return "WARN", f"{facts}; demo store (Quick start)", "for real use: a new data directory and a strong secret"
        weak = secret_problem(secret) if secret else None
        if weak:
            return "WARN", f"{facts}; but the secret is weak: {weak}", "`kiosk store change-secret --generate`"
        return "OK", facts, ""
