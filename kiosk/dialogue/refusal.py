"""A refused answer: the wording key the resident hears and why, as data (never parsed from text)."""
from __future__ import annotations

from typing import Any

from kiosk.voices import say


class Invalid(Exception):
    """An answer that cannot be accepted; key is a voices catalogue key, params format it."""

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        """Plain Mandarin for the resident."""
        return say(self.key, **self.params)

    def __repr__(self) -> str:
        # Only the key: params can hold what the resident said (personal data).
        return f"Invalid({self.key!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Invalid) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash(self.key)
