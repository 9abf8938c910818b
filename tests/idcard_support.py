"""Shared parts of the ID card tests: made-up cards as raw fields, and a socat pty pair."""
from __future__ import annotations

import datetime as dt
import os
import re
import signal
import subprocess
import time

from kiosk.idcard.card import card_fields
from kiosk.idcard.twin import demo_card, make_id

TODAY = dt.date(2026, 6, 1)


def raw_card(**changes) -> dict[str, str]:
    """The demo card's raw text fields with some changed."""
    fields = card_fields(demo_card())
    fields.update(changes)
    return fields


def wrong_check_digit() -> dict[str, str]:
    """The demo card with its ID's last character changed."""
    good = card_fields(demo_card())["id_number"]
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    return raw_card(id_number=wrong)


def expired() -> dict[str, str]:
    """A card whose validity ended before TODAY."""
    return raw_card(valid_from="20060301", valid_until="20260301")


def other_birth() -> dict[str, str]:
    """Printed birth date differs from the one in the ID number."""
    return raw_card(birth="19550811")


def helper_card() -> dict[str, str]:
    """A made-up younger male helper."""
    birth = dt.date(1985, 4, 2)
    return raw_card(name="李建国", sex="1", birth=birth.strftime("%Y%m%d"),
                    id_number=make_id("330106", birth, "013"))


def socat_pair():
    """Start socat with two linked ptys: (proc, path_a, path_b)."""
    proc = subprocess.Popen(["socat", "-d", "-d", "pty,raw,echo=0", "pty,raw,echo=0"],
                            stderr=subprocess.PIPE, text=True)
    paths: list[str] = []
    deadline = time.monotonic() + 5
    while len(paths) < 2 and time.monotonic() < deadline:
        m = re.search(r"PTY is (/dev/pts/\d+)", proc.stderr.readline())
        if m:
            paths.append(m.group(1))
    if len(paths) != 2:
        stop_socat(proc)
        raise RuntimeError("socat did not report two ptys")
    return proc, paths[0], paths[1]


def stop_socat(proc) -> None:
    """Stop socat by its PID."""
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        proc.wait(timeout=5)
