"""What the dialogue engine tells the world: typed events, no UI calls.

Screens, the audit log, the console and tests subscribe to a session and only watch events.
Events may carry the resident's own answers (the screen shows them back); subscribers that log
or persist must mask personal values (`personal` names those fields).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable


class EventType(str, Enum):
    """Every kind of event a session emits."""

    FORM_STARTED = "form_started"          # title, intro
    PROMPT = "prompt"                      # a question is on screen and spoken
    HEARD = "heard"                        # a transcript arrived (speech) or a tap (touch)
    UNDERSTOOD = "understood"              # an answer parsed and valid; read-back question follows
    REJECTED = "rejected"                  # not understood or invalid; message says why
    CONFIRMED = "confirmed"                # the resident said yes to the read-back
    REUSE_OFFERED = "reuse_offered"        # fill once: "use the answer you gave before?"
    ASSISTANCE_OFFERED = "assistance_offered"  # 3 failures: keypad and a staff helper
    HANDOFF_REQUESTED = "handoff_requested"    # the resident asked for a person
    CANCEL_ASKED = "cancel_asked"          # "are you sure you do not want to continue?"
    REVIEW = "review"                      # every answer, each can be changed
    SUBMITTED = "submitted"                # saved durably; receipt number
    SUBMIT_FAILED = "submit_failed"        # storage failed; answers kept in memory
    NEXT_SERVICE = "next_service"          # the resident does another service in this visit
    CANCELLED = "cancelled"                # the resident stopped; the draft is discarded
    ENDED = "ended"                        # the visit ended (home, timeout, cancel); memory wiped
    NO_INPUT = "no_input"                  # silence (or only 嗯): asked again, then touch, then staff


@dataclass(frozen=True)
class DialogueEvent:
    """One thing that happened in a session."""

    type: EventType
    data: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: {"type": ..., **data}."""
        return {"type": self.type.value, **self.data}

    def to_json(self) -> str:
        """One JSON line; Chinese kept readable."""
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "DialogueEvent":
        """Inverse of to_dict."""
        d = dict(d)
        return cls(EventType(d.pop("type")), d)


Listener = Callable[[DialogueEvent], None]
