"""The staff area's notion of now: an injectable callable returning an aware datetime."""
from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

Clock = Callable[[], datetime]


def local_now() -> datetime:
    """Now, aware, in the local time zone."""
    return datetime.now().astimezone()
