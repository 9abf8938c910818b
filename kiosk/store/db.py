"""The kiosk's one SQLite file: connection, lock, ordered migrations per owner, error mapping.

Every area that keeps data (store, printing, staff) adds its tables through the same mechanism:

    db = store.db                       # a Database; or Database(settings.db_path)
    db.register_schema("printing", [
        "CREATE TABLE print_jobs (id INTEGER PRIMARY KEY, receipt_no TEXT NOT NULL, ...)",
        "ALTER TABLE print_jobs ADD COLUMN tries INTEGER NOT NULL DEFAULT 0",
    ])
    with db.transaction() as conn:      # BEGIN IMMEDIATE ... COMMIT, under the shared lock
        conn.execute("INSERT INTO print_jobs ...", (...,))
    with db.read() as conn:
        rows = conn.execute("SELECT ...").fetchall()

Migrations are append-only: never edit or reorder a released step, add a new one. Each step is
SQL text (several statements allowed) or a callable(conn); each runs in its own transaction with
the version bump (meta key `schema.<owner>`), so a crash leaves the schema at a whole step.
Prefix your tables with your area name. Every sqlite3 error leaves here as a StoreError whose
code names the problem (corrupt / busy / io / ...) and never carries a value.
"""
from __future__ import annotations

import contextlib
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from kiosk.store.model import StoreError

log = logging.getLogger(__name__)

Migration = str | Callable[[sqlite3.Connection], None]
MEMORY = ":memory:"


def make_private_dir(path: Path) -> None:
    """Create a directory the kiosk user alone can open (0700); an existing one is left as it is."""
    try:
        path.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as err:
        raise StoreError("io", f"cannot create {path.name}/: {type(err).__name__}") from err


def ensure_private_files(db_path: Path) -> None:
    """Create the database file 0600 before SQLite does, and tighten an existing one and its -wal/-shm."""
    try:
        if not db_path.exists():
            os.close(os.open(db_path, os.O_RDWR | os.O_CREAT, 0o600))
        for p in (db_path, Path(f"{db_path}-wal"), Path(f"{db_path}-shm")):
            if p.exists() and p.stat().st_mode & 0o077 and p.stat().st_uid == os.getuid():
                p.chmod(0o600)
    except OSError as err:
        raise StoreError("io", f"cannot create {db_path.name}: {type(err).__name__}") from err

# SQLite primary result codes -> StoreError codes.
_CODES = {
    26: "corrupt",   # SQLITE_NOTADB
    11: "corrupt",   # SQLITE_CORRUPT
    5: "busy",       # SQLITE_BUSY
    6: "busy",       # SQLITE_LOCKED
    13: "io",        # SQLITE_FULL
    10: "io",        # SQLITE_IOERR
    14: "io",        # SQLITE_CANTOPEN
    8: "io",         # SQLITE_READONLY
    3: "io",         # SQLITE_PERM
}


def store_error(err: sqlite3.Error, doing: str) -> StoreError:
    """Turn a sqlite3 error into a StoreError (SQLite messages name tables, never values)."""
    primary = (getattr(err, "sqlite_errorcode", None) or 0) & 0xFF
    code = _CODES.get(primary)
    if code is None:
        text = str(err).lower()
        code = ("corrupt" if "not a database" in text or "malformed" in text
                else "busy" if "locked" in text or "busy" in text
                else "internal")
    name = getattr(err, "sqlite_errorname", type(err).__name__)
    return StoreError(code, f"{doing}: {name}: {err}")


def split_sql(script: str) -> list[str]:
    """Split a script into complete statements (triggers and quoted ';' stay whole)."""
    statements, buf = [], ""
    for piece in script.split(";"):
        buf += piece + ";"
        if sqlite3.complete_statement(buf):
            if buf.strip(" \t\n;"):
                statements.append(buf.strip())
            buf = ""
    if buf.strip(" \t\n;"):
        statements.append(buf.strip())
    return statements


class Database:
    """One connection to the kiosk's SQLite file (WAL, synchronous=FULL), shared under a lock."""

    def __init__(self, path: str | Path, *, busy_timeout_s: float = 5.0, synchronous: str = "FULL") -> None:
        """Open (creating) the file; `synchronous` other than FULL is for benchmark baselines only."""
        if synchronous not in ("FULL", "NORMAL", "OFF"):
            raise ValueError(f"synchronous must be FULL, NORMAL or OFF, not {synchronous!r}")
        self.in_memory = str(path) == MEMORY
        self.path = Path(path)
        self._lock = threading.RLock()
        self._conn: sqlite3.Connection | None = None
        self._savepoints = 0
        if not self.in_memory:
            make_private_dir(self.path.parent)
            ensure_private_files(self.path)
        try:
            conn = sqlite3.connect(MEMORY if self.in_memory else self.path, timeout=busy_timeout_s,
                                   isolation_level=None, check_same_thread=False)
        except sqlite3.Error as err:
            raise store_error(err, "open") from err
        self._conn = conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(busy_timeout_s * 1000)}")
            # An in-memory database (the store's twin) has no WAL: same schema and SQL, no file.
            mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if mode.lower() != "wal" and not self.in_memory:
                raise StoreError("io", f"journal_mode is {mode}, WAL not possible here")
            # FULL: the WAL is fsync'd at every commit, so a returned submit survives power loss.
            conn.execute(f"PRAGMA synchronous = {synchronous}")
            conn.execute("PRAGMA foreign_keys = ON")
            self._exec_script(conn, "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        except sqlite3.Error as err:
            self.close()
            raise store_error(err, "open") from err
        except StoreError:
            self.close()
            raise

    # --- connection use ---------------------------------------------------------------
    def _connection(self) -> sqlite3.Connection:
        if self._conn is None:
            raise StoreError("internal", "database is closed")
        return self._conn

    @contextlib.contextmanager
    def transaction(self, doing: str = "write") -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT under the lock; rolls back on any error.

        Called inside another transaction of this Database on the same thread (e.g. from the
        `in_transaction` callback of `SqliteStore.submit`), it joins that transaction through a
        SAVEPOINT: its writes commit or roll back with the outer one.
        """
        with self._lock:
            conn = self._connection()
            if conn.in_transaction:
                with self._savepoint(conn, doing):
                    yield conn
                return
            try:
                conn.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as err:
                raise store_error(err, doing) from err
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                self._rollback(conn)
                if isinstance(exc, sqlite3.Error):
                    raise store_error(exc, doing) from exc
                raise

    @contextlib.contextmanager
    def _savepoint(self, conn: sqlite3.Connection, doing: str) -> Iterator[None]:
        self._savepoints += 1
        name = f"sp{self._savepoints}"
        try:
            conn.execute(f"SAVEPOINT {name}")
            yield
            conn.execute(f"RELEASE {name}")
        except BaseException as exc:
            try:
                conn.execute(f"ROLLBACK TO {name}")
                conn.execute(f"RELEASE {name}")
            except sqlite3.Error:
                log.debug("savepoint rollback failed", exc_info=True)
            if isinstance(exc, sqlite3.Error):
                raise store_error(exc, doing) from exc
            raise
        finally:
            self._savepoints -= 1

    @contextlib.contextmanager
    def read(self, doing: str = "read") -> Iterator[sqlite3.Connection]:
        """A consistent snapshot for several SELECTs, under the lock (joins an open transaction)."""
        with self._lock:
            conn = self._connection()
            if conn.in_transaction:
                with self._savepoint(conn, doing):
                    yield conn
                return
            try:
                conn.execute("BEGIN")
                yield conn
                conn.execute("COMMIT")
            except BaseException as exc:
                self._rollback(conn)
                if isinstance(exc, sqlite3.Error):
                    raise store_error(exc, doing) from exc
                raise

    @staticmethod
    def _rollback(conn: sqlite3.Connection) -> None:
        if conn.in_transaction:
            try:
                conn.execute("ROLLBACK")
            except sqlite3.Error:   # the connection is gone; the transaction is too
                log.debug("rollback failed", exc_info=True)

    @staticmethod
    def _exec_script(conn: sqlite3.Connection, script: str) -> None:
        # Not executescript(): it would COMMIT the surrounding transaction first.
        for statement in split_sql(script):
            conn.execute(statement)

    # --- schema -----------------------------------------------------------------------
    def schema_version(self, owner: str) -> int:
        """How many of `owner`'s migrations have been applied (0 = none)."""
        value = self.get_meta(f"schema.{owner}")
        return int(value) if value is not None else 0

    def register_schema(self, owner: str, migrations: Sequence[Migration]) -> int:
        """Apply `owner`'s pending migrations in order; return the schema version now."""
        key = f"schema.{owner}"
        for target, step in enumerate(migrations, start=1):
            with self.transaction(f"migrate {owner} to {target}") as conn:
                row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
                current = int(row[0]) if row else 0
                if current >= target:
                    continue   # another process or an earlier run did it
                try:
                    if callable(step):
                        step(conn)
                    else:
                        self._exec_script(conn, step)
                except sqlite3.Error as err:
                    raise StoreError("schema", f"{owner} migration {target}: {err}") from err
                conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, str(target)))
                log.info("schema %s migrated to %d", owner, target)
        version = self.schema_version(owner)
        if version > len(migrations):
            raise StoreError("newer_data", f"schema {owner} is at {version}, this kiosk knows {len(migrations)}")
        return version

    # --- meta -------------------------------------------------------------------------
    def get_meta(self, key: str) -> str | None:
        """A value from the meta table."""
        with self.read("read meta") as conn:
            row = conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta_once(self, key: str, value: str) -> str:
        """Store `value` unless `key` already has one; return the value that is stored."""
        with self.transaction("write meta") as conn:
            conn.execute("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", (key, value))
            return conn.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()[0]

    def set_meta(self, key: str, value: str) -> None:
        """Store or replace a meta value."""
        with self.transaction("write meta") as conn:
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # --- health -----------------------------------------------------------------------
    def integrity_check(self) -> list[str]:
        """`PRAGMA integrity_check` lines (['ok'] when healthy)."""
        with self.read("integrity check") as conn:
            return [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]

    def quick_check(self) -> list[str]:
        """`PRAGMA quick_check` lines (['ok'] when healthy); faster than integrity_check."""
        with self.read("quick check") as conn:
            return [r[0] for r in conn.execute("PRAGMA quick_check").fetchall()]

    def backup_to(self, dest: Path) -> None:
        """Copy the whole database (WAL included) into a new file with SQLite's online backup API.

        Runs under the lock, so the copy is one consistent snapshot; other processes may keep
        reading. Sealed values are copied as they are: still sealed.
        """
        with self._lock:
            try:
                target = sqlite3.connect(dest)
                try:
                    self._connection().backup(target)
                    target.execute("PRAGMA journal_mode = DELETE")   # one self-contained file
                finally:
                    target.close()
            except sqlite3.Error as err:
                raise store_error(err, "backup") from err

    def checkpoint(self) -> None:
        """Copy the WAL into the main file (e.g. before a backup)."""
        with self._lock:
            try:
                self._connection().execute("PRAGMA wal_checkpoint(TRUNCATE)")
            except sqlite3.Error as err:
                raise store_error(err, "checkpoint") from err

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if self._conn is not None:
                try:
                    self._conn.close()
                except sqlite3.Error:
                    log.debug("close failed", exc_info=True)
                self._conn = None
