"""What the dialogue engine tells the world: one frozen dataclass per event type, no UI calls.

Screens, the audit log, the console and tests subscribe to a visit and only watch events
(Wyoming style: small typed messages with `to_dict`/`from_dict`, JSON with ensure_ascii=False).
`event.type` is the `EventType`; `event.data` is the same dict as `to_dict()` without "type",
so subscribers that read dicts keep working. Behaviour keys on enums (`EndReason`,
`HandoffReason`, `RefusalReason`, `SpeechControl`), never on wording keys or bare strings.
Events that the voice speaks carry `text` (the screen) and `speech` (what the speaker says).
Events may carry the resident's own answers (the screen shows them back); subscribers that log
or persist must mask personal values.

The `kiosk console --json` shape is kept: every key an event had before is still there with the
same value; newer keys were only added (see README, "Dialogue events").
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Callable, ClassVar


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
    SPEECH_CONTROL = "speech_control"      # 慢一点 / 大声点 / 你说什么 / 等一下: how to speak or listen
    DRAFT_SAVE_FAILED = "draft_save_failed"    # a draft could not be saved; answers kept in memory


class EndReason(str, Enum):
    """Why a visit ended."""

    DONE = "done"                    # finished (办完了, or the Done screen's countdown)
    HOME = "home"                    # back to Home
    TIMEOUT = "timeout"              # the resident walked away: the draft is kept for staff
    CANCEL = "cancel"
    STAFF_SUBMITTED = "staff_submitted"
    STAFF_EXIT = "staff_exit"
    OTHER = "other"


class HandoffReason(str, Enum):
    """Why a staff helper was called (values are the ticket reasons of kiosk.staff.tickets)."""

    ASKED = "asked"                  # spoken 人工 / 帮忙 / 工作人员
    BUTTON = "button"                # the always-visible button
    ATTEMPTS = "attempts"            # three failed answers on one field
    NO_INPUT = "no_input"            # three silences on one field
    IDLE = "idle"
    NO_CONSENT = "no_consent"
    STAFF_TAKEOVER = "staff_takeover"
    OTHER = "other"


class RefusalReason(str, Enum):
    """Why an answer was not taken (the wording is `key`; behaviour keys on this)."""

    NOT_UNDERSTOOD = "not_understood"    # the words did not make an answer
    INVALID = "invalid"                  # understood but not acceptable (range, check digit...)
    AMBIGUOUS = "ambiguous"              # two options fit: "是燃气，还是电梯？"
    LOW_CONFIDENCE = "low_confidence"
    HEARD_NOTHING = "heard_nothing"
    CONSENT_REFUSED = "consent_refused"  # anything but a yes at the consent step
    DONT_KNOW = "dont_know"              # 我不知道
    WHY = "why"                          # 为什么要名字？ (answered with the field's help; no failure)
    YES_NO_NEEDED = "yes_no_needed"      # a read-back or question wants 对 / 不对 (no failure)
    INCOMPLETE = "incomplete"            # part of an answer before a pause: kept, 请接着说 (no failure)


class SpeechControl(str, Enum):
    """A resident's request about the voice itself; the voice loop applies it."""

    SLOWER = "slower"
    FASTER = "faster"
    LOUDER = "louder"
    SOFTER = "softer"
    PARDON = "pardon"      # say it again (more slowly from the second time)
    PAUSE = "pause"        # stop the clock and the microphone until a tap or 好了
    RESUME = "resume"


class Via(str, Enum):
    """How an answer came: said, tapped, or keyed (keypad / keyboard)."""

    SPEECH = "speech"
    TOUCH = "touch"
    KEYPAD = "keypad"
    DEVICE = "device"      # read from a device, confirmed on its own screen
    IDCARD = "idcard"      # read from an ID card: shown and confirmed on the card screen


_ENUMS: dict[str, type[Enum]] = {}     # field name -> enum, for from_dict


@dataclass(frozen=True)
class DialogueEvent:
    """Base of every event: `type` names it; fields are its data."""

    type: ClassVar[EventType]
    omit_if_none: ClassVar[frozenset[str]] = frozenset()   # keys left out of to_dict when None

    @property
    def data(self) -> dict[str, Any]:
        """The event's fields as a dict (what to_dict holds besides "type")."""
        d = self.to_dict()
        d.pop("type")
        return d

    def to_dict(self) -> dict[str, Any]:
        """A JSON-able dict: {"type": ..., **fields}; enums as their values."""
        out: dict[str, Any] = {"type": self.type.value}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None and f.name in self.omit_if_none:
                continue
            out[f.name] = value.value if isinstance(value, Enum) else value
        return out

    def to_json(self) -> str:
        """One JSON line; Chinese kept readable."""
        return json.dumps(self.to_dict(), ensure_ascii=False, default=str)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> DialogueEvent:
        """Inverse of to_dict: the right event class for d["type"]."""
        d = dict(d)
        event_class = EVENT_CLASSES[EventType(d.pop("type"))]
        known = {f.name for f in dataclasses.fields(event_class)}
        return event(event_class.type, **{k: v for k, v in d.items() if k in known})


@dataclass(frozen=True)
class FormStarted(DialogueEvent):
    """A service began: its title and spoken intro."""

    type: ClassVar[EventType] = EventType.FORM_STARTED
    form_id: str
    title: str
    text: str
    speech: str
    draft_id: str
    sentence_name: str = ""          # the service inside a sentence (办理老年人优待证)


@dataclass(frozen=True)
class Prompt(DialogueEvent):
    """A question is on screen and spoken."""

    type: ClassVar[EventType] = EventType.PROMPT
    field_id: str
    field_type: str
    label: str
    text: str
    speech: str
    help: str = ""
    optional: bool = False
    step: int = 1
    total: int = 1
    choices: list[dict[str, Any]] = field(default_factory=list)
    current: Any = None
    bounds: dict[str, Any] = field(default_factory=dict)
    attempts: int = 0
    repeat: bool = False
    total_known: bool = True         # False: more questions may appear (say 大约)
    touch_widget: str = ""
    example: str = ""                # said after the second miss


@dataclass(frozen=True)
class Heard(DialogueEvent):
    """A transcript arrived (speech) or a tap / keypad answer (touch)."""

    type: ClassVar[EventType] = EventType.HEARD
    omit_if_none: ClassVar[frozenset[str]] = frozenset({"transcript", "confidence", "field_id"})
    via: Via = Via.SPEECH
    transcript: str | None = None
    confidence: float | None = None
    field_id: str | None = None


@dataclass(frozen=True)
class Understood(DialogueEvent):
    """An answer was understood; the read-back question follows (您说的是…，对吗？)."""

    type: ClassVar[EventType] = EventType.UNDERSTOOD
    field_id: str
    value: Any
    display: str
    text: str
    speech: str
    via: Via = Via.SPEECH


@dataclass(frozen=True)
class Rejected(DialogueEvent):
    """Not understood or not acceptable; `text` says why. `counts` is False for no-fault replies."""

    type: ClassVar[EventType] = EventType.REJECTED
    field_id: str | None
    key: str
    text: str
    speech: str
    attempts: int
    reason: RefusalReason = RefusalReason.NOT_UNDERSTOOD
    counts: bool = True
    so_far: str = ""      # INCOMPLETE: the part kept so far, as the screen shows it


@dataclass(frozen=True)
class Confirmed(DialogueEvent):
    """An answer was kept (said yes to the read-back, or tapped an unambiguous answer)."""

    type: ClassVar[EventType] = EventType.CONFIRMED
    field_id: str
    value: Any
    display: str
    via: Via = Via.SPEECH


@dataclass(frozen=True)
class ReuseOffered(DialogueEvent):
    """Fill once: the answer given before in this visit is offered."""

    type: ClassVar[EventType] = EventType.REUSE_OFFERED
    field_id: str
    label: str
    value: Any
    display: str
    text: str
    speech: str
    form_id: str = ""
    title: str = ""                  # the current service (the reuse screen shows it)
    sentence_name: str = ""
    step: int = 1                    # progress of the question this answer is offered for
    total: int = 1
    total_known: bool = True


@dataclass(frozen=True)
class AssistanceOffered(DialogueEvent):
    """Three misses or silences on one field: the keypad and a staff helper are offered."""

    type: ClassVar[EventType] = EventType.ASSISTANCE_OFFERED
    field_id: str
    attempts: int
    text: str
    speech: str
    form_id: str
    draft_id: str
    reason: HandoffReason = HandoffReason.ATTEMPTS
    highlight_touch: bool = True


@dataclass(frozen=True)
class HandoffRequested(DialogueEvent):
    """A staff helper was called; the session waits."""

    type: ClassVar[EventType] = EventType.HANDOFF_REQUESTED
    reason: HandoffReason
    form_id: str
    field_id: str
    draft_id: str
    text: str
    speech: str


@dataclass(frozen=True)
class CancelAsked(DialogueEvent):
    """"Stop this service?" is open."""

    type: ClassVar[EventType] = EventType.CANCEL_ASKED
    text: str
    speech: str


@dataclass(frozen=True)
class Review(DialogueEvent):
    """Every answer on screen; each can be changed."""

    type: ClassVar[EventType] = EventType.REVIEW
    items: list[dict[str, Any]]
    text: str
    speech: str


@dataclass(frozen=True)
class Submitted(DialogueEvent):
    """Saved durably; the receipt number."""

    type: ClassVar[EventType] = EventType.SUBMITTED
    receipt_no: str
    uuid: str
    form_id: str
    documents: list[str]
    department: str
    opening_hours: str
    text: str
    speech: str
    submission: Any = None           # the stored Submission (not JSON; the console leaves it out)


@dataclass(frozen=True)
class SubmitFailed(DialogueEvent):
    """Storage failed; the answers stay in memory."""

    type: ClassVar[EventType] = EventType.SUBMIT_FAILED
    code: str
    text: str
    speech: str


@dataclass(frozen=True)
class NextService(DialogueEvent):
    """The resident does another service in this visit."""

    type: ClassVar[EventType] = EventType.NEXT_SERVICE
    text: str
    speech: str


@dataclass(frozen=True)
class Cancelled(DialogueEvent):
    """The resident stopped; the draft is discarded."""

    type: ClassVar[EventType] = EventType.CANCELLED
    form_id: str
    text: str
    speech: str


@dataclass(frozen=True)
class Ended(DialogueEvent):
    """The visit ended; memory wiped."""

    type: ClassVar[EventType] = EventType.ENDED
    reason: EndReason


@dataclass(frozen=True)
class NoInput(DialogueEvent):
    """Silence (or only 嗯) on a question: asked again shorter, then touch highlighted."""

    type: ClassVar[EventType] = EventType.NO_INPUT
    field_id: str
    count: int
    text: str
    speech: str
    highlight_touch: bool = False


@dataclass(frozen=True)
class SpeechControlRequested(DialogueEvent):
    """慢一点 / 大声点 / 你说什么 / 等一下: the voice loop changes rate, volume or pauses.

    Never a failed answer. For PARDON the prompt is re-emitted after this event; `slower` is
    True from the second PARDON on the same question.
    """

    type: ClassVar[EventType] = EventType.SPEECH_CONTROL
    control: SpeechControl
    text: str = ""
    speech: str = ""
    slower: bool = False


@dataclass(frozen=True)
class DraftSaveFailed(DialogueEvent):
    """A draft could not be saved (told once); the answers stay in memory."""

    type: ClassVar[EventType] = EventType.DRAFT_SAVE_FAILED
    code: str
    form_id: str
    draft_id: str
    text: str
    speech: str = ""


EVENT_CLASSES: dict[EventType, type[DialogueEvent]] = {
    c.type: c for c in (FormStarted, Prompt, Heard, Understood, Rejected, Confirmed, ReuseOffered,
                        AssistanceOffered, HandoffRequested, CancelAsked, Review, Submitted, SubmitFailed,
                        NextService, Cancelled, Ended, NoInput, SpeechControlRequested, DraftSaveFailed)
}
_ENUMS.update({"via": Via, "control": SpeechControl})
# `reason` differs per event: resolved by class below.
_REASONS: dict[type[DialogueEvent], type[Enum]] = {
    Rejected: RefusalReason, Ended: EndReason, AssistanceOffered: HandoffReason,
    HandoffRequested: HandoffReason,
}

Listener = Callable[[DialogueEvent], None]


def event(etype: EventType, **data: Any) -> DialogueEvent:
    """Build the typed event of `etype` (TypeError on a field it does not have)."""
    cls = EVENT_CLASSES[etype]
    enum = _REASONS.get(cls)
    if enum is not None and isinstance(data.get("reason"), str) and not isinstance(data["reason"], Enum):
        data["reason"] = enum(data["reason"])
    for name, e in _ENUMS.items():
        if isinstance(data.get(name), str) and not isinstance(data[name], Enum):
            data[name] = e(data[name])
    return cls(**data)
