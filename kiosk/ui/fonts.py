"""Find and register the Chinese font once (WenQuanYi Micro Hei), or fail with the fix.

Kivy's default font draws boxes for Chinese, so a kiosk without a CJK font must not start.
Order: `[ui] font_path` from settings, fontconfig's match for WenQuanYi Micro Hei, the Debian
path. Noto CJK .ttc files are not picked on purpose: their first face is Japanese.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
from pathlib import Path

from kiosk.errors import KioskError

log = logging.getLogger(__name__)

FAMILY = "WenQuanYi Micro Hei"
DEBIAN_PACKAGE = "fonts-wqy-microhei"
DEBIAN_PATH = Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc")
FONT_NAME = "KioskCJK"

_registered: str | None = None


class FontMissing(KioskError):
    """No usable Chinese font; the message names the package to install."""

    code = "font_missing"


def _fontconfig_match() -> Path | None:
    """fontconfig's file for WenQuanYi Micro Hei, only if it really is that family."""
    if shutil.which("fc-match") is None:
        return None
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}\t%{file}", FAMILY], capture_output=True,
                             text=True, timeout=5, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    family, _, file = out.partition("\t")
    # fc-match always answers with *some* font (often DejaVu): accept only the family we asked for.
    if "wenquanyi" in family.lower() or "wqy" in file.lower():
        return Path(file)
    return None


def find_cjk_font(font_path: str = "") -> Path:
    """The font file to use; raises FontMissing with the install command when there is none."""
    if font_path:
        path = Path(font_path)
        if path.is_file():
            return path
        raise FontMissing(
            f"[ui] font_path = {font_path!r} does not exist. Fix the path, or leave it empty and "
            f"install the Debian package {DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE})."
        )
    for candidate in (_fontconfig_match(), DEBIAN_PATH):
        if candidate is not None and candidate.is_file():
            return candidate
    raise FontMissing(
        f"No Chinese font found: the screen would show boxes instead of characters. Install the "
        f"Debian package {DEBIAN_PACKAGE} (apt-get install {DEBIAN_PACKAGE}) or set [ui] font_path "
        f"to a Simplified Chinese .ttf/.ttc file."
    )


def register_cjk_font(font_path: str = "") -> str:
    """Register the font as Kivy's default (every Label uses it); returns the file. Idempotent."""
    global _registered
    path = str(find_cjk_font(font_path))
    if _registered == path:
        return path
    from kivy.core.text import DEFAULT_FONT, LabelBase

    LabelBase.register(FONT_NAME, path)
    # Replacing the default name means no widget can forget to ask for the CJK font.
    LabelBase.register(DEFAULT_FONT, path)
    _registered = path
    log.info("Chinese font: %s", path)
    return path
