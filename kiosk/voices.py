"""The one catalogue of resident-facing wording.

Every string a resident sees or hears (apart from form content in forms/) lives in
voices/text/*.yaml, one file per area, merged into one flat key space. Change wording there,
never in code. `say("key", name=...)` formats a template with str.format fields.
"""
from __future__ import annotations

import functools
from pathlib import Path

from kiosk.errors import KioskError
from kiosk.safeyaml import load_yaml

VOICES_DIR = Path(__file__).resolve().parent.parent / "voices"
TEXT_DIR = VOICES_DIR / "text"


class CatalogueError(KioskError):
    """A catalogue file is broken (duplicate key, not a mapping of strings)."""

    code = "catalogue"


@functools.lru_cache(maxsize=1)
def catalogue() -> dict[str, str]:
    """All keys from voices/text/*.yaml; a key defined twice is an error."""
    merged: dict[str, str] = {}
    origin: dict[str, str] = {}
    for path in sorted(TEXT_DIR.glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        data = load_yaml(text) or {}   # C safe loader (fast start), size and alias limits
        if not isinstance(data, dict):
            raise CatalogueError(f"{path.name}: must be a mapping of key: text")
        for key, text in data.items():
            if not isinstance(text, str):
                raise CatalogueError(f"{path.name}: {key}: value must be text")
            if key in merged:
                raise CatalogueError(f"{path.name}: {key}: already defined in {origin[key]}")
            merged[key] = text
            origin[key] = path.name
    return merged


def say(key: str, **params) -> str:
    """The catalogue text for `key`, formatted with `params`."""
    text = catalogue()[key]
    return text.format(**params) if params else text
