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
from dataclasses import dataclass
from pathlib import Path

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
