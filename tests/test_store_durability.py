"""A receipt handed out survives the process being killed at any moment, exactly once."""
from __future__ import annotations

import multiprocessing
import os
import random
import re
import signal
import time
from collections import Counter
from multiprocessing.connection import Connection
from pathlib import Path

from kiosk.store import ScryptParams, SqliteStore

SECRET = "durability-secret"
ROUNDS = 25

# The child submits forever and sends "receipt uuid seq" only after submit() has returned. Children
# are forked from a multiprocessing fork server that has imported kiosk.store once, so each round
# costs a fork instead of an interpreter start; the child is still its own process, opens its own
# SQLite connection and is killed with SIGKILL.
_CTX = multiprocessing.get_context("forkserver")
_CTX.set_forkserver_preload(["kiosk.store"])


def _child(path: str, secret: str, round_no: int, conn: Connection) -> None:
    import uuid

    from kiosk.store import Draft

    store = SqliteStore(path, "K01", secret=secret, kdf=ScryptParams(n=2 ** 10))
    i = 0
    while True:
        i += 1
        d = Draft(uuid.uuid4().hex, "durability", {"name": f"测试居民{round_no}-{i}", "n": i}, {"name"})
        store.save_draft(d)
        sub = store.submit(d)
        conn.send_bytes(f"{sub.receipt_no} {sub.uuid} {round_no}-{i}".encode())   # one atomic pipe write


def _run_and_kill(path: Path, round_no: int, rng: random.Random) -> list[str]:
    """Start a child, SIGKILL it at a random moment, return the lines it acknowledged."""
    reader, writer = _CTX.Pipe(duplex=False)
    proc = _CTX.Process(target=_child, args=(str(path), SECRET, round_no, writer), daemon=True)
    proc.start()
    writer.close()                        # the child holds the only write end: EOF when it dies
    lines: list[str] = []
    if round_no % 3 == 0:
        # Sometimes kill blind, possibly while the store is still opening (a forked child opens
        # it within a few tens of ms, then submits every 10-50 ms).
        time.sleep(rng.uniform(0.0, 0.2))
    else:
        # Otherwise wait until it is submitting, then kill somewhere in the loop.
        assert reader.poll(30), f"child never submitted (exit code {proc.exitcode})"
        time.sleep(rng.uniform(0.0, 0.1))     # a few submissions: any moment within one
    os.kill(proc.pid, signal.SIGKILL)
    proc.join(30)
    assert proc.exitcode == -signal.SIGKILL, proc.exitcode
    while True:
        try:
            lines.append(reader.recv_bytes().decode())
        except EOFError:
            break
    reader.close()
    return lines


def test_acknowledged_submissions_survive_sigkill(tmp_path):
    path = tmp_path / "kiosk.db"
    SqliteStore(path, "K01", secret=SECRET, kdf=ScryptParams(n=2 ** 10)).close()   # key made once
    rng = random.Random(20261123)
    acked: list[tuple[str, str, str]] = []
    for round_no in range(ROUNDS):
        acked += [tuple(line.split(" ")) for line in _run_and_kill(path, round_no, rng)]
    assert len(acked) > ROUNDS, "too few submissions to mean anything"

    store = SqliteStore(path, "K01", secret=SECRET)
    try:
        assert store.db.integrity_check() == ["ok"]
        receipts = store.receipt_numbers()
        assert len(receipts) == len(set(receipts))
        counts = Counter(receipts)
        for receipt, sub_uuid, tag in acked:
            assert counts[receipt] == 1, f"{receipt} acknowledged but stored {counts[receipt]} times"
            sub = store.get_submission(receipt)
            assert sub.uuid == sub_uuid
            assert sub.answers["name"] == f"测试居民{tag}"
        # Receipt numbers rise in submission order and never repeat. The receipt guard records a
        # number before its commit, so a kill between the two leaves a gap (at most one per kill),
        # never a number issued twice after data loss (see kiosk.store.guard).
        by_day: dict[str, list[int]] = {}
        for receipt in receipts:
            day, kiosk, seq = re.fullmatch(r"(\d{8})-(K01)-(\d{4,})", receipt).groups()
            by_day.setdefault(day, []).append(int(seq))
        for seqs in by_day.values():
            assert seqs == sorted(set(seqs))
            assert seqs[-1] - len(seqs) <= ROUNDS
        with store.db.read() as conn:
            orphans = conn.execute(
                "SELECT COUNT(*) FROM outbox o LEFT JOIN submissions s ON s.uuid = o.submission_uuid "
                "WHERE s.uuid IS NULL").fetchone()[0]
            missing = conn.execute(
                "SELECT COUNT(*) FROM submissions s LEFT JOIN outbox o ON o.submission_uuid = s.uuid "
                "WHERE o.id IS NULL").fetchone()[0]
            leftover = conn.execute(
                "SELECT COUNT(*) FROM drafts d JOIN submissions s ON s.draft_id = d.draft_id").fetchone()[0]
        assert (orphans, missing, leftover) == (0, 0, 0)
        assert store.outbox.count_pending() == len(receipts)
    finally:
        store.close()
