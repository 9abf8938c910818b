"""The form-filling engine: one field at a time, spoken or tapped, read back before it is kept.

Stages per field: prompt -> answer (speech transcript or touch value) -> normalise -> validate
-> read back and confirm -> commit (draft saved) -> next applicable field. Then review, submit.
A `Visit` spans one resident at the kiosk: it remembers confirmed answers for fill-once reuse
across services and forgets everything when the visit ends. No Kivy here: screens subscribe to
events and call methods.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
import unicodedata
import uuid
from enum import Enum
from typing import Any

from kiosk.catalogue.spec import FieldSpec, FieldType, FormSpec, SiteSpec
from kiosk.dialogue import prelude
from kiosk.dialogue import words as w
from kiosk.dialogue.events import (
    DialogueEvent,
    Ended,
    EndReason,
    EventType,
    HandoffReason,
    Listener,
    NextService,
    Prompt,
    RefusalReason,
    SpeechControl,
    SpeechControlRequested,
    Via,
)
from kiosk.dialogue.events import event as make_event
from kiosk.dialogue.kinds import kind_of
from kiosk.dialogue.kinds.choice import Ambiguous
from kiosk.dialogue.kinds.consent import ConsentRefused
from kiosk.dialogue.kinds.digits import DigitsKind
from kiosk.dialogue.kinds.id_number import birth_date_of
from kiosk.dialogue.render import display, spoken
from kiosk.dialogue.understand import Aside, Command, Heard, command_in, understand, yes_no
from kiosk.dialogue.validate import Invalid, validate
from kiosk.dialogue.words import SPEECH_CONTROLS
from kiosk.store.model import Draft, StoreError, SubmissionStore, sealed_field_ids
from kiosk.voices import say

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3            # failures on one field before the keypad and a helper are offered
LOW_CONFIDENCE = 0.35       # below this a speech result is treated as not heard
BIRTH_DATE = "birth_date"   # reuse key the ID number fills in


def _end_reason(reason: EndReason | str) -> EndReason:
    try:
        return EndReason(reason)
    except ValueError:
        log.warning("unknown end reason %r", reason)
        return EndReason.OTHER


def _handoff_reason(reason: HandoffReason | str) -> HandoffReason:
    try:
        return HandoffReason(reason)
    except ValueError:
        log.warning("unknown handoff reason %r", reason)
        return HandoffReason.OTHER


def _refusal_reason(problem: Invalid) -> RefusalReason:
    if isinstance(problem, ConsentRefused):
        return RefusalReason.CONSENT_REFUSED
    if isinstance(problem, Ambiguous):
        return RefusalReason.AMBIGUOUS
    if problem.key.startswith("answer.unclear") or problem.key == "answer.heard_nothing":
        return RefusalReason.NOT_UNDERSTOOD
    return RefusalReason.INVALID


def _already_exemplified(message: str, example: str) -> bool:
    """The message already gives an example (比如…) or the example's quoted words: adding it
    would say the same thing twice (…请说“同意”。同意的话，请说“同意”。)."""
    if example in message or "比如" in message:
        return True
    quoted = re.findall(r"“(.+?)”", example)
    return bool(quoted) and all(q in message for q in quoted)


def _question_of(prompt: str) -> str:
    """The question itself, for asking again after silence: its last sentence that asks
    (…365天后删除。您同意吗？ -> 您同意吗？), else the whole prompt."""
    sentences = [p for p in re.findall(r"[^。！？?]*[。！？?]", prompt) if p.strip()]
    asking = [p for p in sentences if p.endswith(("？", "?"))]
    return asking[-1].strip() if asking else prompt.strip()


class Stage(str, Enum):
    """Where the session is waiting."""

    ASK = "ask"                # waiting for an answer to the current field
    CONFIRM = "confirm"        # waiting for yes/no to the read-back
    REUSE = "reuse"            # waiting for yes/no to reusing an earlier answer
    CANCEL = "cancel"          # waiting for yes/no to "stop this service?"
    REVIEW = "review"          # all answers shown; submit or change one
    HANDOFF = "handoff"        # a staff helper was called; resumable
    DONE = "done"              # submitted
    CANCELLED = "cancelled"


# Stages with a question open (a handoff or the Done screen is not re-asked by a speech control).
_ASKING = frozenset({Stage.ASK, Stage.CONFIRM, Stage.REUSE, Stage.CANCEL, Stage.REVIEW})


class Visit:
    """One resident's time at the kiosk: fill-once memory shared by the services they do."""

    def __init__(self, site: SiteSpec, store: SubmissionStore, today: dt.date | None = None,
                 private_audio: bool = False):
        self.site = site
        # A handset or headphones: read ID and phone numbers back whole. On the public speaker
        # (False) only 尾号XXXX is spoken; the screen always shows the whole value.
        self.private_audio = private_audio
        self.store = store
        self.today = today
        self.memory: dict[str, tuple[FieldType, Any]] = {}
        self.derived: set[str] = set()     # memory keys worked out, not said (birth date from ID)
        self.listeners: list[Listener] = []
        self.session: Session | None = None
        self.receipts: list[str] = []
        self.card_reader = False           # an ID card reader is offered: the consent says so
        # Runs inside the submission's transaction (store.submit in_transaction), e.g. queueing
        # the receipt's print job (kiosk.runtime sets it), so both commit together or neither.
        self.submit_hook: Any = None

    def subscribe(self, listener: Listener) -> None:
        """Receive every event of every session in this visit."""
        self.listeners.append(listener)

    def emit(self, event: DialogueEvent) -> None:
        """Deliver an event to every listener; a failing listener never stops the dialogue."""
        for listener in list(self.listeners):
            try:
                listener(event)
            except Exception:  # a UI or log bug must not lose the resident's answers
                log.exception("event listener failed on %s", event.type.value)

    def start(self, form: FormSpec) -> "Session":
        """Begin a service; the previous session of this visit is closed."""
        self.session = Session(form, self)
        self.session.start()
        return self.session

    def remember(self, field: FieldSpec, value: Any) -> None:
        """Keep a confirmed answer for reuse by later services in this visit."""
        if not field.reuse or value is None:
            return
        self.memory[field.reuse] = (field.type, value)
        self.derived.discard(field.reuse)
        if field.type is FieldType.ID_NUMBER and (BIRTH_DATE not in self.memory or BIRTH_DATE in self.derived):
            # Fill once: the ID number already says when the resident was born.
            self.memory[BIRTH_DATE] = (FieldType.DATE, birth_date_of(value))
            self.derived.add(BIRTH_DATE)

    def recall(self, field: FieldSpec) -> Any | None:
        """An earlier answer this field may reuse: same reuse key and type, and valid here."""
        if not field.reuse or field.reuse not in self.memory:
            return None
        ftype, value = self.memory[field.reuse]
        if ftype != field.type:
            return None
        try:
            return validate(field, value, self.site, self.today)
        except Invalid:
            return None      # e.g. another service's age limit: ask instead of offering

    def another(self) -> None:
        """After a submission the resident wants another service: keep the fill-once memory."""
        self.session = None
        self.emit(NextService(text=say("another.yes"), speech=say("another.yes")))

    def end(self, reason: EndReason | str) -> None:
        """The resident left (home, timeout, cancel, done): forget everything."""
        why = _end_reason(reason)
        session, self.session = self.session, None
        if session is not None and why is EndReason.TIMEOUT and session.stage not in (Stage.DONE, Stage.CANCELLED):
            session.keep_draft_for_staff()
        self.memory.clear()
        self.derived.clear()
        self.receipts.clear()
        self.emit(Ended(reason=why))


class Session:
    """Filling in one service form."""

    def __init__(self, form: FormSpec, visit: Visit):
        self.form = form
        self.visit = visit
        self.fields: list[FieldSpec] = prelude.prelude_fields(form) + list(form.fields)
        self.answers: dict[str, Any] = {}
        self.skipped: set[str] = set()
        self.draft_id = uuid.uuid4().hex
        self.stage = Stage.ASK
        self.index = 0
        self.pending: Any = None             # understood, awaiting confirmation
        self.attempts: dict[str, int] = {}
        self.editing_from_review = False
        self.offered_reuse: set[str] = set()
        self.receipt_no: str | None = None
        self.resume_stage: Stage = Stage.ASK
        self.last_prompt: DialogueEvent | None = None
        self.silences: dict[str, int] = {}    # no-input count per field (or per open question)
        self.pardons: dict[str, int] = {}     # 你说什么 per field: the second time, more slowly
        self.paused = False                   # 等一下: the voice loop stops clock and microphone
        self.pending_via: Via = Via.SPEECH
        self.partial: dict[str, str] = {}     # an answer cut by a pause: 一一零一零五 … (see _go_on)

    # ----------------------------------------------------------------- public API
    @property
    def field(self) -> FieldSpec:
        """The field being asked."""
        return self.fields[self.index]

    @property
    def personal(self) -> set[str]:
        """Ids of answers that are personal data."""
        return {f.id for f in self.fields if f.personal}

    def start(self) -> None:
        """Announce the service and ask the first field."""
        self._emit(EventType.FORM_STARTED, form_id=self.form.id, title=self.form.title,
                   text=self.form.intro, speech=self.form.intro, draft_id=self.draft_id,
                   sentence_name=prelude.sentence_name(self.form))
        self._enter(self._next_index(-1))

    def hear(self, transcript: str, confidence: float = 1.0) -> None:
        """A speech transcript, shaped as vosk returns it ('一 三 八 ...'); '' is silence."""
        # Full-width digits and letters (１３８, Ｘ) from a pasted or typed line read as ASCII.
        transcript = unicodedata.normalize("NFKC", transcript or "").strip()
        self._emit(EventType.HEARD, transcript=transcript, confidence=confidence, via=Via.SPEECH)
        if self.stage is Stage.DONE:
            # 还要办别的事吗？ — 可以了 / 好了 / 没了 mean "that is all", not a yes
            answer = False if w.says_thats_all(transcript) else yes_no(transcript)
            if answer is not None:
                self.visit.another() if answer else self.visit.end(EndReason.DONE)
            return
        if self.stage is Stage.CANCELLED:
            return
        if not w.words_of(transcript):
            self.no_input()
            return
        command = command_in(transcript)
        if command is Command.RESUME and not self.paused:
            command = None                  # 好了 / 可以了 outside a pause is an ordinary answer
        if self.paused and command is not Command.RESUME:
            self.paused = False             # speaking again ends the pause
        if command in SPEECH_CONTROLS:
            self._speech_control(SpeechControl(command.value))
            return
        if self.stage is Stage.CONFIRM and command is None:
            self._hear_readback(transcript)
            return
        if self.stage is Stage.REUSE and command is None and kind_of(self.field.type).guards_bare_sound \
                and w.is_bare_sound(transcript):
            self._reask_yes_no()            # a bare 嗯 does not take an ID or phone number
            return
        if self.stage is Stage.REUSE and command is None:
            fixed = w.correction(transcript)  # 不是这个号了，一三九…: the new answer, not just a no
            if fixed is not None:
                heard = understand(self.field, fixed, self.visit.site, self.visit.today)
                if heard.value is not None and heard.problem is None:
                    self._understood(heard.value, Via.SPEECH)
                    return
        if self.stage in (Stage.REUSE, Stage.CANCEL, Stage.REVIEW) and command is None:
            answer = yes_no(transcript)
            if answer is not None:
                self.confirm(answer)
                return
            if self.stage is Stage.REVIEW and self._said_submit(transcript):
                self.submit()
                return
            if self.stage is Stage.REVIEW:
                named = self._field_named(transcript)
                if named is not None:
                    self.edit(named)        # 电话不对 / 改一下地址: that answer again
                    return
        if command is not None:
            self._command(command)
            return
        if self.stage is Stage.HANDOFF:
            return
        if confidence < LOW_CONFIDENCE:
            self._reject(Invalid("answer.low_confidence"), RefusalReason.LOW_CONFIDENCE)
            return
        if self.stage is Stage.ASK and self.field.optional and w.says_skip(transcript) \
                and self.field.type not in (FieldType.YES_NO, FieldType.CONSENT):
            self.skip()                     # 没有了 / 跳过 at an optional note: nothing to add
            return
        if self.stage in (Stage.ASK, Stage.REUSE):
            heard, unfinished = self._understand_going_on(transcript)
            if heard.aside is not None:
                self._aside(heard.aside)
            elif unfinished is not None and heard.problem is not None:
                self._go_on(unfinished, heard.problem)
            elif heard.problem is not None:
                self._reject(heard.problem)
            elif heard.value is not None:
                self._understood(heard.value, Via.SPEECH)
        elif self.stage is Stage.REVIEW:
            text = say("review.reask")      # the review asks for 提交 or the answer to change
            self._emit(EventType.REJECTED, field_id=None, key="review.reask", text=text, speech=text,
                       attempts=0, reason=RefusalReason.YES_NO_NEEDED, counts=False)
        else:
            self._reask_yes_no()

    def _understand_going_on(self, transcript: str) -> tuple[Heard, str | None]:
        """Understand an answer that may continue one said before a pause (一一零一零五 …
        一九四九…; 一九五零年 … 三月五号). Returns what was heard and, when it is still
        unfinished, the words so far (kept for the next transcript)."""
        f = self.field
        kind = kind_of(f.type)
        site, today = self.visit.site, self.visit.today
        earlier = self.partial.pop(f.id, None)
        alone = understand(f, transcript, site, today)
        if earlier is None:
            unfinished = alone.problem is not None and kind.incomplete(f, alone.problem, transcript)
            return alone, transcript if unfinished else None
        if alone.aside is not None or alone.command is not None:
            self.partial[f.id] = earlier     # 那个 … between two parts: still going on
            return alone, None
        orders = [f"{earlier} {transcript}"]
        if kind.joins_any_order:
            orders.append(f"{transcript} {earlier}")
        joined = [(said, understand(f, said, site, today)) for said in orders]
        for _, heard in joined:
            if heard.value is not None:
                return heard, None
        if alone.value is not None:
            return alone, None               # a whole new answer replaces the part
        for said, heard in joined:
            if heard.problem is not None and kind.incomplete(f, heard.problem, said):
                return heard, said
        if alone.problem is not None and kind.incomplete(f, alone.problem, transcript) and not kind.joins_any_order:
            return joined[0][1], None        # 13 digits in all: say so, start again
        unfinished = alone.problem is not None and kind.incomplete(f, alone.problem, transcript)
        return alone, transcript if unfinished else None

    def _go_on(self, said: str, problem: Invalid) -> None:
        """Part of an answer: keep it, say 请接着说 (no digits on the speaker), never a failure."""
        f = self.field
        kind = kind_of(f.type)
        self.stage = Stage.ASK
        self.pending = None
        self.partial[f.id] = said
        shown = kind.so_far(f, said)
        if isinstance(kind, DigitsKind):
            text, speech = say("answer.go_on", so_far=shown), say("answer.go_on.speech")
        else:
            text = speech = problem.message()
        self._emit(EventType.REJECTED, field_id=f.id, key=problem.key, text=text, speech=speech,
                   attempts=self.attempts.get(f.id, 0), reason=RefusalReason.INCOMPLETE, counts=False,
                   so_far=shown)

    def _hear_readback(self, transcript: str) -> None:
        """At "您说的是…，对吗？" only a recognised yes confirms and only a recognised no rejects.

        不对，是李四 / 不对，一三九… takes the new value to its own read-back; anything else asks
        "对，还是不对？" again and keeps the answer. A bare 嗯 does not confirm a long number.
        """
        kind = kind_of(self.field.type)
        fixed = w.correction(transcript)
        if fixed is not None:
            heard = understand(self.field, fixed, self.visit.site, self.visit.today)
            if heard.value is None and isinstance(kind, DigitsKind) and isinstance(self.pending, str):
                # 不对，最后是五六七九: the digits said replace as many at the end of the number
                spliced = kind.corrected(self.field, self.pending, fixed)
                if spliced:
                    heard = understand(self.field, spliced, self.visit.site, self.visit.today)
            if heard.value is not None and heard.problem is None:
                self._understood(heard.value, Via.SPEECH)
                return
        if kind.guards_bare_sound and w.is_bare_sound(transcript):
            self._reask_readback()
            return
        answer = yes_no(transcript)
        if answer is True and self._names_another_value(w.after_yes(transcript)):
            answer = None                   # 是李四 while 张三 is read back: which one? ask again
        if answer is None:
            self._reask_readback()
        else:
            self.confirm(answer)

    def _names_another_value(self, rest: str) -> bool:
        if not rest:
            return False
        heard = understand(self.field, rest, self.visit.site, self.visit.today)
        return heard.value is not None and heard.value != self.pending

    def answer(self, value: Any, via: Via | str = Via.TOUCH) -> None:
        """A structured answer from touch (choice value, digits, date, ...).

        `via` says how it came: a tap on an unambiguous answer (a choice, 是/不是, 同意) is kept
        at once; typed and keyed answers are read back as 您输入的是…, spoken ones as 您说的是….
        """
        if self.stage not in (Stage.ASK, Stage.CONFIRM, Stage.REUSE):
            return
        how = Via(via)
        self.paused = False
        self._emit(EventType.HEARD, field_id=self.field.id, via=how)
        try:
            value = validate(self.field, value, self.visit.site, self.visit.today)
        except Invalid as problem:
            self._reject(problem)
            return
        self._understood(value, how)

    def speech_control(self, control: SpeechControl | str) -> None:
        """A visible 慢一点 / 大声点 / 再说一遍 / 暂停 button: same as saying it; never a failure."""
        self._speech_control(SpeechControl(control))

    def confirm(self, yes: bool) -> None:
        """Yes/no to whatever question is open (read-back, reuse, cancel, review submit)."""
        if self.stage is Stage.CONFIRM:
            if yes:
                self._commit(self.pending)
            else:
                self.pending = None
                self._enter(self.index, again=True)
        elif self.stage is Stage.REUSE:
            if yes:
                self._commit(self.visit.recall(self.field))
            else:
                self._enter(self.index, again=True)
        elif self.stage is Stage.CANCEL:
            if yes:
                self._cancel()
            else:
                self._resume()
        elif self.stage is Stage.REVIEW:
            if yes:
                self.submit()
            else:
                self._review()

    def back(self) -> None:
        """One step back: from a read-back to its question, from a question to the one before."""
        if self.stage in (Stage.CONFIRM, Stage.REUSE):
            self.pending = None
            self._enter(self.index, again=True)
        elif self.stage is Stage.ASK:
            previous = self._previous_index(self.index)
            if previous is None:
                self.request_cancel()
            else:
                self._enter(previous, again=True)
        elif self.stage is Stage.REVIEW:
            self._enter(self._previous_index(len(self.fields)) or 0, again=True)
        elif self.stage in (Stage.CANCEL, Stage.HANDOFF):
            self._resume()

    def no_input(self) -> None:
        """The resident said nothing (or only 嗯): the VoiceXML noinput ladder, never a failure.

        1st: the question again, shorter; 2nd: "you can also tap the screen" with the touch
        control highlighted; 3rd and later: offer a staff helper.
        """
        if self.stage in (Stage.DONE, Stage.CANCELLED, Stage.HANDOFF):
            return
        key = self.field.id if self.stage in (Stage.ASK, Stage.CONFIRM, Stage.REUSE) else self.stage.value
        n = self.silences[key] = self.silences.get(key, 0) + 1
        if n == 3:
            text = say("assist.offer")
            self._emit(EventType.ASSISTANCE_OFFERED, field_id=self.field.id, attempts=n, text=text,
                       speech=text, form_id=self.form.id, draft_id=self.draft_id,
                       reason=HandoffReason.NO_INPUT)
            return
        speech = None
        if n > 3:
            text = say("assist.offer")        # offered once already: say it again, no new ticket
        elif n == 2:
            text = say("noinput.touch")
        elif self.stage is Stage.ASK and self.field.id in self.partial:
            # 一一零一零五 … 那个 …: the resident is still going; the question again would confuse
            kind = kind_of(self.field.type)
            text = say("answer.go_on", so_far=kind.so_far(self.field, self.partial[self.field.id]))
            speech = say("answer.go_on.speech")
        elif self.stage is Stage.ASK:
            text = say("noinput.again", question=_question_of(self._prompt_text()))
        elif self.stage is Stage.CONFIRM:
            # The screen shows the whole number; the public speaker says only 尾号XXXX.
            text = say("readback.reask", value=display(self.field, self.pending))
            speech = say("readback.reask", value=spoken(self.field, self.pending, self.visit.private_audio))
        elif self.stage is Stage.REVIEW:
            text = say("review.ask")          # the review asks for 提交, not 对 / 不对
        else:
            text = say("yes_no.reask")
        self._emit(EventType.NO_INPUT, field_id=self.field.id, count=n, text=text, speech=speech or text,
                   highlight_touch=n >= 2)

    def _prompt_text(self) -> str:
        f = self.field
        if f.id == prelude.CONSENT:
            return prelude.consent_prompt(self.form, self.answers, self.visit.card_reader)
        return f.prompt

    def repeat(self) -> None:
        """Say the open question again; a choice question also reads its options (EZ Access style)."""
        prompt = self.last_prompt
        if isinstance(prompt, Prompt) and prompt.choices and not all(
                str(c["label"]) in prompt.text for c in prompt.choices):
            options = "、".join(str(c["label"]) for c in prompt.choices)
            prompt = dataclasses.replace(prompt, repeat=True,
                                         speech=prompt.text + say("prompt.options", options=options))
        if prompt is not None:
            self.visit.emit(prompt)

    def skip(self) -> None:
        """Leave an optional field empty."""
        if self.stage is Stage.ASK and self.field.optional:
            self.answers.pop(self.field.id, None)
            self.skipped.add(self.field.id)
            self._advance()

    def edit(self, field_id: str) -> None:
        """From review: change one answer, then come back to review."""
        if self.stage is not Stage.REVIEW:
            return
        for i, f in enumerate(self.fields):
            if f.id == field_id and self._applies(f):
                self.editing_from_review = True
                self._enter(i, again=True)
                return

    def request_help(self, reason: HandoffReason | str = HandoffReason.ASKED) -> None:
        """Call a staff helper; the session waits and can be resumed as it was."""
        if self.stage in (Stage.DONE, Stage.CANCELLED):
            return
        if self.stage is not Stage.HANDOFF:
            self.resume_stage = self.stage
        self.stage = Stage.HANDOFF
        self._save_draft()
        self._emit(EventType.HANDOFF_REQUESTED, reason=_handoff_reason(reason), form_id=self.form.id,
                   field_id=self.field.id, draft_id=self.draft_id,
                   text=say("handoff.coming"), speech=say("handoff.coming"))

    def request_cancel(self) -> None:
        """Ask before stopping the service: nothing is thrown away by one mistaken word."""
        if self.stage in (Stage.DONE, Stage.CANCELLED, Stage.CANCEL):
            return
        self.resume_stage = self.stage
        self.stage = Stage.CANCEL
        self._emit(EventType.CANCEL_ASKED, text=say("cancel.ask"), speech=say("cancel.ask"))

    def resume(self) -> None:
        """Continue after a handoff or a declined cancel."""
        self._resume()

    def submit(self) -> None:
        """Save the application durably; on failure the answers stay in memory."""
        if self.stage is not Stage.REVIEW:
            return
        try:
            hook = self.visit.submit_hook
            draft = self._draft()
            submission = (self.visit.store.submit(draft, in_transaction=hook) if hook is not None
                          else self.visit.store.submit(draft))
        except StoreError as err:
            log.error("submission failed: %s", err.code)
            self._emit(EventType.SUBMIT_FAILED, code=err.code, text=say("submit.failed"),
                       speech=say("submit.failed"))
            return
        self.stage = Stage.DONE
        self.receipt_no = submission.receipt_no
        self.visit.receipts.append(submission.receipt_no)
        text = say("submitted", receipt=submission.receipt_no)
        self._emit(EventType.SUBMITTED, receipt_no=submission.receipt_no, uuid=submission.uuid,
                   form_id=self.form.id, documents=list(self.form.documents),
                   department=self.form.department, opening_hours=self.form.opening_hours,
                   text=text, speech=say("submitted.speech" if self.form.documents else "submitted.speech.no_documents",
                                         receipt=" ".join(submission.receipt_no[-4:]),
                                         department=self.form.department),
                   submission=submission)

    def fill(self, values: dict[str, Any], via: str = "device") -> dict[str, Invalid]:
        """Several answers at once, already shown to and confirmed by the resident (an ID card).

        Each value is checked like a touch answer and kept as if confirmed; fields that fail are
        left to be asked and returned with the reason. When the open question was filled, the
        session moves on to the first unanswered field (or the review).
        """
        if self.stage not in (Stage.ASK, Stage.CONFIRM, Stage.REUSE):
            return {}
        refused: dict[str, Invalid] = {}
        filled: list[str] = []
        for f in self.fields:
            if f.id not in values or not self._applies(f):
                continue
            try:
                value = validate(f, values[f.id], self.visit.site, self.visit.today)
            except Invalid as problem:
                refused[f.id] = problem
                continue
            self.answers[f.id] = value
            self.skipped.discard(f.id)
            self.visit.remember(f, value)
            self.attempts.pop(f.id, None)
            filled.append(f.id)
            self._emit(EventType.CONFIRMED, field_id=f.id, value=value, display=display(f, value), via=via)
        if filled:
            self._drop_unreachable()
            self._save_draft()
        if self.field.id in filled:
            self.pending = None
            self._review()          # the first unanswered field, or the review when none is left
        return refused

    def keep_draft_for_staff(self) -> None:
        """The resident walked away: keep what they confirmed for staff (purged later)."""
        self._save_draft()

    def review_items(self) -> list[dict[str, Any]]:
        """Every answered field in order, for the review screen."""
        items = []
        for f in self.fields:
            if not self._applies(f) or f.type is FieldType.CONSENT:
                continue
            if f.id in self.answers:
                shown = display(f, self.answers[f.id])
            elif f.id in self.skipped:
                shown = say("review.skipped")
            else:
                continue
            items.append({"field_id": f.id, "label": f.label, "display": shown, "personal": f.personal})
        return items

    # ----------------------------------------------------------------- internals
    def _emit(self, etype: EventType, **data: Any) -> DialogueEvent:
        event = make_event(etype, **data)
        if etype in (EventType.PROMPT, EventType.UNDERSTOOD, EventType.REUSE_OFFERED,
                     EventType.CANCEL_ASKED, EventType.REVIEW):
            self.last_prompt = event
        self.visit.emit(event)
        return event

    def _applies(self, f: FieldSpec) -> bool:
        return f.when is None or f.when.holds(self.answers)

    def _next_index(self, i: int) -> int | None:
        for j in range(i + 1, len(self.fields)):
            if self._applies(self.fields[j]):
                return j
        return None

    def _previous_index(self, i: int) -> int | None:
        for j in range(i - 1, -1, -1):
            if self._applies(self.fields[j]):
                return j
        return None

    def _progress(self) -> tuple[int, int, bool]:
        """(step, total, total_known): questions whose condition is not decided yet are counted,
        so the total never jumps up mid-form; it can only shrink, and is 'about' until known."""
        shown = [i for i, f in enumerate(self.fields) if self._applies(f)]
        open_ = [f for f in self.fields if f.when is not None and f.when.field not in self.answers
                 and f.when.field not in self.skipped]
        step = shown.index(self.index) + 1 if self.index in shown else len(shown)
        return step, len(shown) + len(open_), not open_

    def _enter(self, i: int | None, again: bool = False) -> None:
        if i is None:
            self._review()
            return
        self.index = i
        self.pending = None
        self.partial.clear()
        f = self.field
        earlier = self.visit.recall(f)
        if earlier is not None and f.id not in self.answers and f.id not in self.offered_reuse and not again:
            self.offered_reuse.add(f.id)
            self.stage = Stage.REUSE
            step, total, known = self._progress()
            shown = display(f, earlier)
            key = "reuse.from_id" if f.reuse in self.visit.derived else "reuse.ask"
            self._emit(EventType.REUSE_OFFERED, field_id=f.id, label=f.label, value=earlier,
                       display=shown, text=say(key, label=f.label, value=shown),
                       speech=say(key, label=f.label, value=spoken(f, earlier, self.visit.private_audio)),
                       form_id=self.form.id, title=self.form.title, sentence_name=prelude.sentence_name(self.form),
                       step=step, total=total, total_known=known)
            return
        self.stage = Stage.ASK
        prompt = prelude.consent_prompt(self.form, self.answers, self.visit.card_reader) if f.id == prelude.CONSENT else f.prompt
        step, total, known = self._progress()
        kind = kind_of(f.type)
        self._emit(
            EventType.PROMPT, field_id=f.id, field_type=f.type.value, label=f.label,
            text=prompt, speech=prompt, help=f.help, optional=f.optional, step=step, total=total,
            choices=[{"value": c.value, "label": c.label} for c in f.choices],
            current=self.answers.get(f.id), bounds=self._bounds(f),
            attempts=self.attempts.get(f.id, 0), repeat=again, total_known=known,
            touch_widget=kind.touch_widget, example=kind.example(f),
        )

    def _bounds(self, f: FieldSpec) -> dict[str, Any]:
        return kind_of(f.type).bounds(f, self.visit.site, self.visit.today)

    def _understood(self, value: Any, via: Via = Via.SPEECH) -> None:
        f = self.field
        kind = kind_of(f.type)
        if via is not Via.SPEECH and not kind.needs_readback_on_tap:
            self._commit(value, via)          # a tapped option is what was meant: no read-back
            return
        self.pending = value
        self.pending_via = via
        self.stage = Stage.CONFIRM
        shown = display(f, value)
        if via is Via.SPEECH and f.type is FieldType.YES_NO:
            key = "readback.yes_no"           # 您回答的是“是”，对吗？ (not 您说的是：是。)
        elif via is Via.SPEECH:
            key = "readback"                  # 您说的是
        elif via is Via.TOUCH and not kind.typed_on_touch:
            key = "readback.touched"          # 您选的是 (a date or address picked on screen)
        else:
            key = "readback.keyed"            # 您输入的是
        self._emit(EventType.UNDERSTOOD, field_id=f.id, value=value, display=shown,
                   text=say(key, value=shown),
                   speech=say(key, value=spoken(f, value, self.visit.private_audio)), via=via)

    def _reject(self, problem: Invalid, reason: RefusalReason | None = None) -> None:
        """A miss: the VoiceXML nomatch ladder (message; + an example; keypad and staff)."""
        f = self.field
        self.stage = Stage.ASK
        self.pending = None
        n = self.attempts[f.id] = self.attempts.get(f.id, 0) + 1
        message = problem.message()
        if n == 2:
            example = kind_of(f.type).example(f)
            if example and not _already_exemplified(message, example):
                message = f"{message}{example}"
        why = reason or _refusal_reason(problem)
        self._emit(EventType.REJECTED, field_id=f.id, key=problem.key, text=message,
                   speech=message, attempts=n, reason=why)
        if n == MAX_ATTEMPTS:
            text = say("assist.offer")
            self._emit(EventType.ASSISTANCE_OFFERED, field_id=f.id, attempts=n, text=text,
                       speech=text, form_id=self.form.id, draft_id=self.draft_id)

    def _aside(self, aside: Aside) -> None:
        """Not an answer: 我不知道 is a miss that offers help; 那个 and 为什么 are not mistakes."""
        if aside is Aside.DONT_KNOW:
            self._reject(Invalid("answer.dont_know"), RefusalReason.DONT_KNOW)
            return
        if aside is Aside.FILLER:
            self.no_input()          # 嗯 / 那个 alone: nothing was answered yet
            return
        self.stage = Stage.ASK
        self.pending = None
        question = _question_of(self._prompt_text())
        if aside is Aside.WHAT_IS_THIS:          # 这个是干什么的: what this service is, then the question
            key, text = "answer.what_is_this", say("answer.what_is_this", intro=self.form.intro, question=question)
        elif aside is Aside.COST:                # 要钱吗: the kiosk takes no money; fees are the desk's to say
            key, text = "answer.cost", say("answer.cost", question=question)
        else:
            key, text = "answer.why", say("answer.why", help=self.field.help or self.field.prompt)
        self._emit(EventType.REJECTED, field_id=self.field.id, key=key, text=text,
                   speech=text, attempts=self.attempts.get(self.field.id, 0),
                   reason=RefusalReason.WHY, counts=False)

    def _speech_control(self, control: SpeechControl) -> None:
        """慢一点 / 大声点 / 你说什么 / 等一下 / 好了: tell the voice loop; never a failed answer."""
        if control is SpeechControl.PAUSE:
            self.paused = True
        elif control is SpeechControl.RESUME:
            self.paused = False
        key = self.field.id if self.stage in (Stage.ASK, Stage.CONFIRM, Stage.REUSE) else self.stage.value
        slower = False
        if control is SpeechControl.PARDON:
            n = self.pardons[key] = self.pardons.get(key, 0) + 1
            slower = n >= 2
        text = say(f"speech_control.{control.value}")
        self.visit.emit(SpeechControlRequested(control=control, text=text, speech=text, slower=slower))
        if control is not SpeechControl.PAUSE and self.stage in _ASKING:
            self.repeat()              # the question again, at the new rate / volume

    def _commit(self, value: Any, via: Via | None = None) -> None:
        f = self.field
        old = self.answers.get(f.id)
        self.answers[f.id] = value
        self.skipped.discard(f.id)
        self.visit.remember(f, value)
        self.attempts.pop(f.id, None)
        self._emit(EventType.CONFIRMED, field_id=f.id, value=value, display=display(f, value),
                   via=via or self.pending_via)
        self.pending_via = Via.SPEECH
        if old is not None and old != value:
            self._drop_unreachable()
        self._save_draft()
        self._advance()

    def _advance(self) -> None:
        if self.editing_from_review:
            nxt = self._next_unanswered()
            if nxt is None:
                self.editing_from_review = False
                self._review()
                return
            self._enter(nxt)
            return
        self._enter(self._next_index(self.index))

    def _next_unanswered(self) -> int | None:
        for i, f in enumerate(self.fields):
            if self._applies(f) and f.id not in self.answers and f.id not in self.skipped:
                return i
        return None

    def _drop_unreachable(self) -> None:
        """A changed answer can hide fields that depended on it: forget their answers."""
        for f in self.fields:
            if not self._applies(f):
                self.answers.pop(f.id, None)
                self.skipped.discard(f.id)

    def _review(self) -> None:
        nxt = self._next_unanswered()
        if nxt is not None:
            self._enter(nxt)
            return
        self.stage = Stage.REVIEW
        self.editing_from_review = False
        self._emit(EventType.REVIEW, items=self.review_items(), text=say("review.ask"),
                   speech=say("review.ask"))

    def _resume(self) -> None:
        stage = self.resume_stage
        if stage is Stage.REVIEW:
            self._review()
        else:
            self._enter(self.index, again=True)

    def _cancel(self) -> None:
        self.stage = Stage.CANCELLED
        try:
            self.visit.store.discard_draft(self.draft_id)
        except StoreError as err:
            log.warning("could not discard a cancelled draft: %s", err.code)
        self._emit(EventType.CANCELLED, form_id=self.form.id, text=say("cancelled"),
                   speech=say("cancelled"))

    def _command(self, command: Command) -> None:
        if command is Command.REPEAT:
            self.repeat()
        elif command is Command.BACK:
            self.back()
        elif command is Command.HELP:
            self.request_help("asked")
        elif command is Command.CANCEL:
            self.request_cancel()

    def _reask_yes_no(self) -> None:
        text = say("yes_no.reask")
        self._emit(EventType.REJECTED, field_id=None, key="yes_no.reask", text=text, speech=text,
                   attempts=0, reason=RefusalReason.YES_NO_NEEDED, counts=False)

    def _reask_readback(self) -> None:
        """Neither 对 nor 不对 at a read-back: ask again; the answer is kept, not replaced."""
        f = self.field
        text = say("readback.reask", value=display(f, self.pending))
        speech = say("readback.reask", value=spoken(f, self.pending, self.visit.private_audio))
        self._emit(EventType.REJECTED, field_id=None, key="readback.reask", text=text, speech=speech,
                   attempts=0, reason=RefusalReason.YES_NO_NEEDED, counts=False)

    def _field_named(self, transcript: str) -> str | None:
        """At the review, '电话 不 对' / '改 一下 地址' / '名字': the one answered field meant."""
        text = w.squash(transcript)
        if not text or len(text) > 24:
            return None
        changing = bool(re.search(r"不对|错|改|重新|换|不是", text))
        items = self.review_items()
        nth = re.search(r"第(.{1,3}?)(项|个|条|行)", text)
        if nth and changing:                  # 第二项不对: the review lists the answers in order
            n = w.spoken_number(nth[1])
            return str(items[n - 1]["field_id"]) if n is not None and 1 <= n <= len(items) else None
        meant = []
        for item in items:
            f = next(x for x in self.fields if x.id == item["field_id"])
            names = {w.squash(f.label), *w.FIELD_NAMES.get(f.type.value, ())}
            named = [n for n in names if n and n in text]
            if named and (changing or text in names):
                meant.append(f.id)
        return meant[0] if len(meant) == 1 else None

    @staticmethod
    def _said_submit(transcript: str) -> bool:
        return any(w in transcript.replace(" ", "") for w in say("review.submit_words").split())

    def _draft(self) -> Draft:
        # Personal answers and free text are sealed (free text holds names and phones in passing).
        return Draft(draft_id=self.draft_id, form_id=self.form.id, answers=dict(self.answers),
                     personal=sealed_field_ids(self.fields, self.answers), step=self.field.id)

    def _save_draft(self) -> None:
        try:
            self.visit.store.save_draft(self._draft())
        except StoreError as err:
            # The answers stay in memory; submission will try again. The resident is told once
            # and offered staff (the desk opens a store_failed ticket on this event).
            log.error("draft save failed: %s", err.code)
            if not getattr(self, "_draft_save_told", False):
                self._draft_save_told = True
                self._emit(EventType.DRAFT_SAVE_FAILED, code=err.code, form_id=self.form.id,
                           draft_id=self.draft_id, text=say("draft_save_failed"))
