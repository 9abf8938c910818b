"""A receipt handed out survives the process being killed at any moment, exactly once."""
from __future__ import annotations

import os
import random
import re
import select
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from kiosk.store import ScryptParams, SqliteStore

REPO = Path(__file__).resolve().parent.parent
SECRET = "durability-secret"
ROUNDS = 25

# The child submits forever and prints "receipt uuid seq" only after submit() has returned.
CHILD = r"""
import sys, uuid
from kiosk.store import Draft, ScryptParams, SqliteStore
store = SqliteStore(sys.argv[1], "K01", secret=sys.argv[2], kdf=ScryptParams(n=2 ** 10))
round_no = sys.argv[3]
i = 0
while True:
    i += 1
    d = Draft(uuid.uuid4().hex, "durability", {"name": f"测试居民{round_no}-{i}", "n": i}, {"name"})
    store.save_draft(d)
    sub = store.submit(d)
    sys.stdout.write(f"{sub.receipt_no} {sub.uuid} {round_no}-{i}\n")
    sys.stdout.flush()
"""


def _run_and_kill(path: Path, round_no: int, rng: random.Random) -> list[str]:
    """Start a child, SIGKILL it at a random moment, return the complete lines it printed."""
    proc = subprocess.Popen([sys.executable, "-c", CHILD, str(path), SECRET, str(round_no)],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env=dict(os.environ, PYTHONPATH=str(REPO)))
    out = b""
    if round_no % 3 == 0:
        # Sometimes kill blind, possibly while the store is still opening.
        time.sleep(rng.uniform(0.0, 0.6))
    else:
        # Otherwise wait until it is submitting, then kill somewhere in the loop.
        deadline = time.monotonic() + 30
        while b"\n" not in out and time.monotonic() < deadline and proc.poll() is None:
            ready, _, _ = select.select([proc.stdout], [], [], 0.5)
            if ready:
                out += os.read(proc.stdout.fileno(), 65536)
        assert b"\n" in out, f"child never submitted: {proc.stderr.read().decode(errors='replace')[-2000:]}"
        time.sleep(rng.uniform(0.0, 0.25))
    proc.send_signal(signal.SIGKILL)
    rest, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, err.decode(errors="replace")[-2000:]
    out += rest
    # A line cut by the kill has no newline: it was never acknowledged.
    return out.decode().split("\n")[:-1]


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
