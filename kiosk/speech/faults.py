"""Counts of speech faults the kiosk survived (a render with no audio, a hung engine), kept on disk.

The running kiosk records each fault here; `kiosk doctor`, a separate process, reads the counts
so staff learn that residents saw a screen without hearing it. Only fault kinds and counts are
stored, never the text that failed (it may hold personal data).
"""
from __future__ import annotations

import json
import logging
import os
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

FILE_NAME = "speech-faults.json"


class SpeechFaults:
    """A small JSON file of fault counts: {"counts": {"no_audio": 2}, "since": "...", "last": "..."}."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._lock = threading.Lock()

    def _read(self) -> dict[str, Any]:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def record(self, kind: str) -> None:
        """Count one fault of `kind`; a disk problem is logged, never raised (speech goes on)."""
        with self._lock:
            data = self._read()
            counts = data.get("counts") if isinstance(data.get("counts"), dict) else {}
            counts[kind] = int(counts.get(kind, 0)) + 1
            now = time.strftime("%Y-%m-%d %H:%M:%S")
            data = {"counts": counts, "since": data.get("since") or now, "last": now}
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".speech-faults-")
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    json.dump(data, out, ensure_ascii=False)
                os.replace(tmp, self.path)
            except OSError as err:
                log.warning("speech fault not counted on disk: %s", err)

    def counts(self) -> dict[str, int]:
        """Fault kind -> count since the file was started."""
        counts = self._read().get("counts")
        return {str(k): int(v) for k, v in counts.items()} if isinstance(counts, dict) else {}

    def since(self) -> str:
        """When the first fault was counted ('' when none)."""
        return str(self._read().get("since") or "")


def speech_faults(settings) -> SpeechFaults:
    """The fault counts of the kiosk configured by `settings`."""
    return SpeechFaults(Path(settings.data_dir) / FILE_NAME)
