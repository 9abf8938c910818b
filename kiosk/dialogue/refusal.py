"""A refused answer: the wording key the resident hears and why, as data (never parsed from text)."""
from __future__ import annotations

from kiosk.errors import Refusal


class Invalid(Refusal):
    """An answer that cannot be accepted; key is a voices catalogue key, params format it.

    Part of the one error tree (`kiosk.errors.Refusal`): `code` is the key, `message()` the
    Mandarin, `repr` shows only the key (params can hold what the resident said).
    """

    def __repr__(self) -> str:
        return f"Invalid({self.key!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Invalid) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash(self.key)
