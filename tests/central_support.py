"""Shared set-up for the sync and central tests: a throwaway PostgreSQL cluster, uvicorn in a thread.

The cluster is started once per test session (the first test that asks) with Debian's initdb and
pg_ctl in a temporary directory, listening on a unix socket there and a free 127.0.0.1 port; it
is stopped and deleted at exit. As root, PostgreSQL refuses to run, so the directory is owned
by the `postgres` user and the tools run through `runuser -u postgres --`.
"""
from __future__ import annotations

import atexit
import datetime as dt
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import threading
import time
import uuid as uuidlib
from pathlib import Path

import psycopg
import uvicorn

from kiosk.catalogue.loader import load_catalogue
from kiosk.central.app import create_app
from kiosk.common.kdf import PinKdf
from kiosk.config import REPO_DIR
from kiosk.store.keyring import ScryptParams
from kiosk.store.model import Draft
from kiosk.store.sqlite import SqliteStore

SECRET = "central-test-staff-secret"
STAFF_USER, STAFF_PASSWORD = "wang", "correct horse battery"
FAST_SCRYPT = ScryptParams(n=2 ** 10)
FAST_KDF = PinKdf(n=2 ** 8)
FORMS = dict(load_catalogue(REPO_DIR / "forms").forms)

# A resident's personal values: tests search pages, rows, logs and request bodies for them.
PERSON = {"name": "张秀英", "id_number": "11010119500305123X", "phone": "13812345678",
          "address": "3号楼2单元1502", "birth_date": "1950-03-05"}
PERSONAL_STRINGS = ("张秀英", "秀英", "11010119500305123X", "13812345678", "2单元1502", "1950-03-05")


class SetClock:
    """A clock tests move by hand: an aware UTC time, a fixed date unrelated to today's."""

    def __init__(self, start: dt.datetime = dt.datetime(2027, 2, 28, 23, 59, 30, tzinfo=dt.UTC)) -> None:
        self.now = start

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        """Move forward by a timedelta's keywords (days=, seconds=...)."""
        self.now += dt.timedelta(**delta)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """A PostgreSQL cluster in a temporary directory, owned by this test run."""

    def __init__(self) -> None:
        bins = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
        if not bins:
            raise RuntimeError("PostgreSQL is not installed: run `bash scripts/setup.sh` (Debian package postgresql)")
        self.bindir = Path(bins[-1]).parent
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.data, self.sockets, self.log = self.root / "data", self.root / "sock", self.root / "postgres.log"
        self.sockets.mkdir()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            pg = pwd.getpwnam("postgres")
            for path in (self.root, self.sockets):
                os.chown(path, pg.pw_uid, pg.pw_gid)
            self.prefix = ["runuser", "-u", "postgres", "--"]
        self.port = free_port()
        self._names = itertools.count(1)
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "-E", "UTF8",
                  "--locale=C", "--no-sync")
        opts = (f"-k {self.sockets} -p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
                f"-c synchronous_commit=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", opts, "-w", "start")
        self.admin_dsn = self.dsn("postgres")

    def _run(self, tool: str, *args: str) -> None:
        # cwd: the postgres user may not be allowed into the checkout (e.g. under /root in CI)
        done = subprocess.run([*self.prefix, str(self.bindir / tool), *args], capture_output=True, text=True,
                              timeout=120, cwd=self.root)
        if done.returncode != 0:
            log = self.log.read_text() if self.log.exists() else ""
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr}\n{log}")

    def dsn(self, dbname: str) -> str:
        """A libpq connection string for one database over TCP."""
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={dbname}"

    def socket_dsn(self, dbname: str) -> str:
        """The same database over the unix socket."""
        return f"host={self.sockets} port={self.port} user=postgres dbname={dbname}"

    def new_database(self) -> str:
        """A fresh, empty database; returns its DSN."""
        name = f"t{os.getpid()}_{next(self._names)}"
        with psycopg.connect(self.admin_dsn, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.dsn(name)

    def stop(self) -> None:
        """Stop the server and delete its directory."""
        try:
            self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        finally:
            shutil.rmtree(self.root, ignore_errors=True)


_cluster: PgCluster | None = None
_cluster_lock = threading.Lock()


def cluster() -> PgCluster:
    """The session's cluster, started on first use and stopped when the test process exits."""
    global _cluster
    with _cluster_lock:
        if _cluster is None:
            _cluster = PgCluster()
            atexit.register(_cluster.stop)
        return _cluster


class ServerThread:
    """uvicorn serving an app on 127.0.0.1 in a background thread; stop() and start() again."""

    def __init__(self, app, port: int | None = None, lifespan: bool = False) -> None:
        self.app = app
        self.lifespan = "on" if lifespan else "off"     # on: the app's start/stop hooks run, as when served
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> "ServerThread":
        """Serve until stop(); returns once the socket accepts connections."""
        config = uvicorn.Config(self.app, host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan=self.lifespan)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, name="uvicorn", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.02)
        return self

    def stop(self) -> None:
        """Close the listening socket and wait for the thread."""
        if self._server is not None:
            self._server.should_exit = True
            self._thread.join(20)
            self._server = self._thread = None
        store = getattr(getattr(self.app, "state", None), "store", None)
        if store is not None:
            store.close()       # the pool's connections (lifespan is off in tests)


def central_app(dsn: str, **options):
    """The app as `kiosk central serve` builds it, with cheap password hashing and test keyrings allowed."""
    return create_app(dsn, forms=FORMS, kdf=FAST_KDF, allow_kdf_n=frozenset({FAST_SCRYPT.n}), **options)


def kiosk_store(tmp_path: Path, kiosk_id: str = "K01") -> SqliteStore:
    """A real kiosk SQLite store with a fast-to-unlock key."""
    return SqliteStore(tmp_path / f"{kiosk_id}.db", kiosk_id, secret=SECRET, kdf=FAST_SCRYPT)


def submit_allowance(store: SqliteStore, **overrides):
    """Submit an elderly-allowance application with PERSON's personal values."""
    answers = {**PERSON, "local_hukou": True, "payout": "bank_card", **overrides}
    personal = {"name", "id_number", "phone", "address", "birth_date"}
    return store.submit(Draft(uuidlib.uuid4().hex, "elderly_allowance", answers, personal))


def rows(dsn: str, sql: str, *params) -> list[tuple]:
    """Run a query straight against PostgreSQL."""
    with psycopg.connect(dsn) as conn:
        cur = conn.execute(sql, params)
        return cur.fetchall() if cur.description else []


def today_local() -> dt.date:
    """Today in the server's zone (the console's day)."""
    return dt.datetime.now().astimezone().date()
