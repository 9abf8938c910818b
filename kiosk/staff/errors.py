"""The staff area's one error family: every refusal carries a wording key for the staff screen."""
from __future__ import annotations

from kiosk.errors import Refusal
from kiosk.voices import say


class StaffError(Refusal):
    """A staff action was refused; `key` names the wording in voices/text/staff.yaml."""

    def __init__(self, key: str, **params) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    def message(self) -> str:
        """Plain Mandarin for the staff screen."""
        return say(self.key, **self.params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r})"


class NoPinSet(StaffError):
    """No staff PIN exists yet (`kiosk staff set-pin`)."""


class WrongPin(StaffError):
    """The PIN did not match; `attempts_left` before the lock."""


class PinLocked(StaffError):
    """Too many wrong PINs; `seconds` until entry opens again; `started` when this try set the lock."""

    started = False


class LoggedOut(StaffError):
    """The staff session ended (idle or logged out); unlock again."""


class DraftGone(StaffError):
    """The draft was purged or submitted; the ticket is closed."""


class StaleDraft(StaffError):
    """Another staff session saved this draft first; reopen it before changing it."""


class NeedsReason(StaffError):
    """The value failed validation; it can only be kept with a written reason."""
