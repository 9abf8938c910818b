"""Loaded by every Python process of `scripts/test-dates.sh` (PYTHONPATH) to work around libfaketime.

The suite runs under Debian's faketime with FAKETIME_DONT_FAKE_MONOTONIC=1, so monotonic
deadlines (lock, queue and event timeouts, which CPython computes from CLOCK_MONOTONIC and hands
to sem_clockwait, a call libfaketime 0.9.10 does not translate) stay real. In that mode
libfaketime's clock_nanosleep wrapper rejects CPython's absolute monotonic deadline with EINVAL,
so `time.sleep` is replaced by a select()-based wait on the same monotonic clock. Nothing else
changes: wall-clock time (datetime.now, time.time) is the faked date under test.
"""
import os
import select
import time

if os.environ.get("FAKETIME_DONT_FAKE_MONOTONIC") == "1" and "faketime" in os.environ.get("LD_PRELOAD", ""):

    def _sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            select.select([], [], [], left)

    time.sleep = _sleep
