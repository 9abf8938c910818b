"""A private scratch directory for files that may hold personal data for a moment (read-back audio).

`scratch_dir()` is `$XDG_RUNTIME_DIR/kiosk` (RAM-backed on systemd machines) or
`<tmp>/kiosk-<uid>`, mode 0700 and owned by the kiosk user; a directory of that name owned by
someone else, or open to others, is not used (a fresh private one is made instead). The kiosk
empties it at start (`clean_scratch()`), so a recording of a name or ID left by a crash does
not outlive the next start.
"""
from __future__ import annotations

import logging
import os
import shutil
import stat
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)
_chosen: Path | None = None


def _private(path: Path) -> bool:
    try:
        st = path.lstat()
    except FileNotFoundError:
        return False
    return stat.S_ISDIR(st.st_mode) and st.st_uid == os.getuid() and not st.st_mode & 0o077


def scratch_dir() -> Path:
    """The private scratch directory (created 0700 on first use)."""
    global _chosen
    if _chosen is not None and _private(_chosen):
        return _chosen
    base = os.environ.get("XDG_RUNTIME_DIR") or tempfile.gettempdir()
    path = Path(base) / ("kiosk" if os.environ.get("XDG_RUNTIME_DIR") else f"kiosk-{os.getuid()}")
    try:
        path.mkdir(mode=0o700, exist_ok=True)
    except OSError:
        pass
    if not _private(path):   # someone else's, a symlink, or open to others: never write there
        log.warning("scratch directory %s is not private; using a new one", path)
        path = Path(tempfile.mkdtemp(prefix="kiosk-scratch-"))
    _chosen = path
    return path


def clean_scratch() -> int:
    """Delete whatever an earlier run left in the scratch directory; returns how many entries."""
    path = scratch_dir()
    removed = 0
    for entry in path.iterdir():
        try:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry)
            else:
                entry.unlink()
            removed += 1
        except OSError:
            log.warning("could not remove a leftover scratch file")
    if removed:
        log.info("removed %d leftover scratch file(s)", removed)
    return removed
