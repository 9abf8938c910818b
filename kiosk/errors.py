"""The kiosk's one error tree.

Every error the kiosk raises on purpose derives from `KioskError`, which carries a stable
`code` (for logs, exit codes and tests; never personal data). Errors that end in words for a
person derive from `Refusal`, whose `key` names Mandarin wording in voices/text/*.yaml.

They are caught at two boundaries only: the command line (`kiosk.cli.main`: one line on
stderr, an exit code) and the touchscreen (`kiosk.ui.guard`: a Mandarin screen, never a
traceback). Driver errors are wrapped with `raise SomeKioskError(...) from err` where they
enter the kiosk, so the boundaries never see a bare library exception on purpose.
"""
from __future__ import annotations

from typing import Any


class KioskError(Exception):
    """Base of every deliberate kiosk error; `code` is stable and free of personal data."""

    code: str = "error"

    def describe(self) -> str:
        """One line for logs and the command line (no personal data by construction)."""
        text = str(self)
        return text if text.startswith("[") else f"[{self.code}] {text}" if text else f"[{self.code}]"


class Refusal(KioskError):
    """Something a person asked for was refused; `key` names the Mandarin wording.

    `params` format the wording and may hold what the person said, so `repr`/`str` show only
    the key.
    """

    def __init__(self, key: str, **params: Any) -> None:
        super().__init__(key)
        self.key = key
        self.params = params

    @property
    def code(self) -> str:  # type: ignore[override]
        """The wording key doubles as the code."""
        return self.key

    def message(self) -> str:
        """Plain Mandarin for the resident or staff screen."""
        from kiosk.voices import say

        return say(self.key, **self.params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.key!r})"


# Exit codes of the command-line boundary by error family (anything else: 1).
EXIT_CONFIG = 2
EXIT_FAILED = 1
