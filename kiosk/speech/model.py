"""Installing the Mandarin vosk model: from a local zip or a download, checksum verified.

The zip is checked (exact size and sha256) before anything is extracted; extraction goes to a
temporary directory next to the target and is renamed into place, so a kiosk never sees a
half-installed model. A previous model is replaced only after the new one is complete.
"""
from __future__ import annotations

import hashlib
import http.client
import logging
import os
import shutil
import tempfile
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

MODEL_NAME = "vosk-model-small-cn-0.22"
MODEL_URL = f"https://alphacephei.com/vosk/models/{MODEL_NAME}.zip"
MODEL_SIZE = 43_898_754
MODEL_SHA256 = "3af8b0e7e0f835ae9d414ce5df580237a3cfb08d586c9fbbb0f7ff29ad5b14ba"
REQUIRED = ("am/final.mdl", "conf/model.conf")


class ModelInstallError(KioskError):
    """The model could not be installed; the message says why and what to do."""

    code = "model_install"


@dataclass(frozen=True)
class Expected:
    """What the zip must be."""

    size: int = MODEL_SIZE
    sha256: str = MODEL_SHA256


def file_sha256(path: Path) -> str:
    """sha256 of a file, read in 1 MB blocks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verify_zip(path: Path, expected: Expected) -> None:
    """Refuse a zip whose size or sha256 differs from the expected ones."""
    size = path.stat().st_size
    if size != expected.size:
        raise ModelInstallError(
            f"{path.name} is {size:,} bytes, expected {expected.size:,}: incomplete or wrong file; "
            f"download it again")
    digest = file_sha256(path)
    if digest != expected.sha256:
        raise ModelInstallError(
            f"{path.name} has sha256 {digest}, expected {expected.sha256}: corrupted or not "
            f"{MODEL_NAME}; do not use it")


def _model_root(extracted: Path) -> Path:
    """The directory inside an extracted zip that holds am/ and conf/."""
    candidates = [extracted] + [p for p in extracted.iterdir() if p.is_dir()]
    for c in candidates:
        if all((c / r).is_file() for r in REQUIRED):
            return c
    raise ModelInstallError("the zip does not contain a vosk model (am/final.mdl, conf/model.conf)")


def _safe_extract(zf: zipfile.ZipFile, dest: Path) -> None:
    """Extract, refusing absolute paths and '..' (zip-slip)."""
    root = dest.resolve()
    for member in zf.infolist():
        target = (dest / member.filename).resolve()
        if target != root and root not in target.parents:
            raise ModelInstallError(f"the zip contains an unsafe path: {member.filename!r}")
    zf.extractall(dest)


def install_zip(zip_path: str | Path, target: str | Path, expected: Expected | None = Expected()) -> Path:
    """Verify `zip_path` (unless expected is None) and install the model at `target` atomically."""
    zip_path, target = Path(zip_path), Path(target)
    if not zip_path.is_file():
        raise ModelInstallError(f"{zip_path}: no such file")
    if expected is not None:
        verify_zip(zip_path, expected)
    target.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        try:
            with zipfile.ZipFile(zip_path) as zf:
                _safe_extract(zf, work)
        except zipfile.BadZipFile as err:
            raise ModelInstallError(f"{zip_path.name} is not a valid zip: {err}") from err
        root = _model_root(work)
        old = None
        if target.exists():
            old = target.with_name(f".{target.name}.old-{os.getpid()}")
            os.replace(target, old)
        os.replace(root, target)  # same filesystem: atomic
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    log.info("speech model installed at %s", target)
    return target


def download(url: str, target: str | Path, expected: Expected = Expected(), *,
             timeout_s: float = 30.0, progress=None) -> Path:
    """Download the zip next to `target`, verify it and install it; the zip is removed after."""
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".zip", dir=target.parent)
    tmp = Path(tmp_name)
    try:
        try:
            with os.fdopen(fd, "wb") as out, urllib.request.urlopen(url, timeout=timeout_s) as resp:
                got = 0
                while True:
                    block = resp.read(1 << 16)
                    if not block:
                        break
                    got += len(block)
                    if got > expected.size:
                        raise ModelInstallError(
                            f"download is larger than the expected {expected.size:,} bytes; refused")
                    out.write(block)
                    if progress is not None:
                        progress(got, expected.size)
        except ModelInstallError:
            raise
        except (OSError, ValueError, http.client.HTTPException) as err:  # URLError, HTTPError, IncompleteRead, timeouts
            raise ModelInstallError(
                f"download from {url} failed: {err}. If this machine cannot reach the model "
                f"host, copy the zip here and run `kiosk model install --zip FILE`") from err
        return install_zip(tmp, target, expected)
    finally:
        tmp.unlink(missing_ok=True)
