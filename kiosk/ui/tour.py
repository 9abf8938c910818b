"""A scripted resident session through every screen type, tapping the real widgets.

Used by `kiosk screenshots` (one PNG per screen) and reusable by tests. Names and free text
are typed on the pinyin keyboard, tap by tap, with the fictional sample answers of
kiosk.dialogue.sample (the spoken path is shown by the microphone sign while they are typed).
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Callable, Iterator

from kivy.clock import Clock
from kivy.core.window import Window

from kiosk.dialogue.sample import SAMPLE_ID, SAMPLE_NAME, SAMPLE_PHONE, sample_transcript
from kiosk.ui.keyboard import PUNCTUATION
from kiosk.ui.staff_door import door_of, open_by_hold
from kiosk.ui.touch import buttons, find_button, tap
from kiosk.voices import say

log = logging.getLogger(__name__)

FRAME = 0.25   # seconds: let layout and textures settle before a capture or the next tap
DEMO_STAFF, DEMO_PIN = "S01", "482913"   # set only in the tour's throw-away demo database


def spell(ch: str) -> str:
    """The toneless pinyin a resident would spell for one character ('吕' -> 'lv')."""
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(ch, style=Style.NORMAL)[0]


class Tour:
    """Runs `steps()` on the Kivy clock; writes `NN_name_WxH.png` files into `out_dir`."""

    def __init__(self, app, out_dir: Path, on_done: Callable[[list[Path]], None] | None = None,
                 large_text: bool = False):
        self.app = app
        self.large_text = large_text     # 字再大些 kept on for every screen (a new visit keeps it too)
        self.out_dir = Path(out_dir)
        self.on_done = on_done
        self.shots: list[Path] = []
        self.errors: list[str] = []
        self._steps: Iterator[float] | None = None

    # ----------------------------------------------------------------- running
    def start(self, delay: float = 0.5) -> None:
        """Begin after the first frames are drawn (taps come faster than the tap guard allows)."""
        from kiosk.ui.touch import guard

        self._guard_delay, guard.delay = guard.delay, 0
        self._steps = self.steps()
        Clock.schedule_once(self._next, delay)

    def _next(self, _dt) -> None:
        try:
            wait = next(self._steps)
        except StopIteration:
            self._finish()
            return
        except Exception as err:  # a broken step must still end the run with a message
            log.exception("tour step failed")
            self.errors.append(f"{type(err).__name__}: {err}")
            self._finish()
            return
        Clock.schedule_once(self._next, wait)

    def _finish(self) -> None:
        from kiosk.ui.touch import guard

        guard.delay = getattr(self, "_guard_delay", guard.delay)
        if self.on_done is not None:
            self.on_done(self.shots)

    # ----------------------------------------------------------------- helpers
    @property
    def screen(self):
        """The screen on show."""
        return self.app.screens.current_screen

    def snap(self, name: str, window: bool = False) -> None:
        """Write the current screen (or the whole window, pop-up included) as a PNG."""
        self.out_dir.mkdir(parents=True, exist_ok=True)
        w, h = Window.size
        path = self.out_dir / f"{len(self.shots) + 1:02d}_{name}_{w}x{h}{'_large' if self.large_text else ''}.png"
        if window:
            # The timeout warning lives on the window, above the screens.
            written = Window.screenshot(name=str(path))
            if written and Path(written) != path:
                Path(written).replace(path)
        else:
            self.app.screens.export_to_png(str(path))
        self.shots.append(path)

    def press_row(self, prefix: str) -> Iterator[float]:
        """Tap the list row starting with `prefix`, turning the pages of a staff list to find it."""
        yield FRAME         # the list is laid out before anything is tapped
        screen = self.screen
        for _ in range(10):
            hits = [b for b in buttons(screen) if str(getattr(b, "text", "")).startswith(prefix)]
            if hits:
                tap(hits[0])
                yield FRAME
                return
            if getattr(screen, "page", 0) >= getattr(screen, "pages", 1) - 1:
                break
            yield self.press(say("ui.review_next_page"))
        raise LookupError(f"no row starting {prefix!r} on {self.app.screens.current}")

    def press(self, text: str) -> float:
        """Tap the visible button with this text; returns the wait before the next step."""
        root = self.app.timeout_warning if self.app.timeout_warning.is_open else self.screen
        tap(find_button(root, text))
        return FRAME

    def staff_entry(self) -> float:
        """The discreet staff entry: hold the top-left corner for 3 s (the door's clock is advanced)."""
        open_by_hold(door_of(self.screen))
        return FRAME

    def contrast_switch(self) -> str:
        """The label the one-tap colour switch shows now."""
        return say("ui.colours_normal" if self.app.theme.high_contrast else "ui.colours_high")

    def text_switch(self) -> str:
        """The label the one-tap text-size switch shows now."""
        return say("ui.text_normal" if self.app.theme.large_text else "ui.text_larger")

    def keys(self, digits: str) -> Iterator[float]:
        """Tap keypad keys one by one."""
        for d in digits:
            yield self.press(d)

    def type_text(self, text: str, snap: str = "", snap_after: int = 0) -> Iterator[float]:
        """Type `text` on the pinyin keyboard by taps: letters, then the character's key.

        With `snap`, the screen is captured once `snap_after` characters are in and two letters
        of the next one are spelt (so the shot shows candidates and the keys still lit).
        """
        for n, ch in enumerate(text):
            if ch in PUNCTUATION:
                yield self.press(ch)
                continue
            if ch == " ":
                yield self.press(say("keyboard.space"))
                continue
            letters = spell(ch)
            for i, letter in enumerate(letters):
                yield self.press(letter)
                if snap and n == snap_after and i == min(1, len(letters) - 1):
                    self.snap(snap)   # a letter or two in: lit keys and the first candidates
            for _ in range(40):
                try:
                    yield self.press(ch)
                    break
                except LookupError:
                    yield self.press(say("keyboard.more"))

    def heard(self, transcript: str) -> float:
        """What the listening loop delivers when the resident speaks."""
        self.app.controller.voice.hear(transcript, 1.0)
        return FRAME

    def pick_date(self, stop_at: str = "") -> Iterator[float]:
        """Tap decade, year, month and day on the date picker (the 1940s when offered)."""
        picker = self.screen.area.picker
        for _ in range(4):
            if self.app.screens.current != "question" or getattr(self.screen.area, "picker", None) is not picker:
                return
            if picker.stage == stop_at:
                return
            values = picker.options(picker.stage)
            value = 1940 if picker.stage == "decade" and 1940 in values else values[0]
            yield self.press(picker.label(picker.stage, value))

    def confirm(self) -> Iterator[float]:
        """对 on a read-back (a tap on a choice, 是/不是 or 同意 is kept without one)."""
        if self.app.screens.current == "question" and self.screen.mode == "readback":
            yield self.press(say("ui.readback_yes"))

    def prompt(self) -> dict:
        """The open question's PROMPT data."""
        return self.screen.prompt_data

    def answer_here(self, snap: str = "") -> Iterator[float]:
        """Answer the open question by touch, then confirm (`snap`: a shot while typing)."""
        d = self.prompt()
        kind = d["field_type"]
        session = self.app.controller.session
        field = session.field
        if kind == "choice":
            yield self.press(d["choices"][0]["label"])
        elif kind == "multi_choice":
            yield self.press(d["choices"][0]["label"])
            yield self.press(say("ui.ok"))
        elif kind == "yes_no":
            yield self.press(say("ui.yes"))
        elif kind == "consent":
            yield self.press(say("ui.consent_yes"))
        elif kind in ("phone", "id_number", "integer"):
            digits = {"phone": SAMPLE_PHONE, "id_number": SAMPLE_ID}.get(kind)
            if digits is None:
                digits = str(max(field.min or 0, min(field.max or 80, 80)))
            yield from self.keys(digits)
            yield self.press(say("ui.ok"))
        elif kind == "date":
            yield from self.pick_date()
        elif kind == "address":
            bounds = d["bounds"]
            yield self.press(bounds["buildings"][0])
            yield self.press(bounds["units"][0])
            yield from self.keys("302")
            yield self.press(say("ui.ok"))
        elif kind in ("name", "text"):
            text = SAMPLE_NAME if kind == "name" else sample_transcript(field, self.app.controller.visit.site)
            yield from self.type_text(text.replace(" ", ""), snap=snap,
                                      snap_after=1 if kind == "name" else 2)
            yield self.press(say("ui.ok"))
        else:
            yield self.heard(sample_transcript(field, self.app.controller.visit.site))
        yield from self.confirm()

    def until_review(self, seen: set[str]) -> Iterator[float]:
        """Answer every question of the form, snapping each field type the first time."""
        for _ in range(40):
            if self.app.screens.current != "question":
                return
            if self.screen.mode == "reuse":
                yield self.press(say("ui.reuse_yes"))
                continue
            kind = self.prompt()["field_type"]
            if kind not in seen:
                seen.add(kind)
                if kind in ("name", "text"):
                    self.screen.listening = True   # as while the microphone is open
                    yield from self.answer_here(snap=f"question_{kind}")
                    continue
                if kind == "multi_choice":
                    yield self.press(self.prompt()["choices"][0]["label"])
                    self.snap("question_multi_choice")
                    yield self.press(say("ui.ok"))
                    yield from self.confirm()
                    continue
                self.snap(f"question_{kind}")
            yield from self.answer_here()

    # ----------------------------------------------------------------- the script
    def steps(self) -> Iterator[float]:
        """Every screen type, in the order a resident meets them."""
        ctl = self.app.controller
        mode = self.app.staff_mode
        if self.large_text:
            theme = self.app.theme
            theme.large_text = True
            theme.reset = lambda: setattr(theme, "high_contrast", False)   # visits keep the large text
        if mode is not None and not mode.pins.staff_ids():
            mode.pins.set_pin(DEMO_STAFF, DEMO_PIN)
        # Show the kiosk as it is with a microphone: names and text are answered by voice.
        self.app.screen("question").touch_only = False
        yield FRAME
        self.snap("home")
        yield self.press(self.contrast_switch())
        self.snap("home_high_contrast" if self.app.theme.high_contrast else "home_standard_colours")
        yield self.press(self.contrast_switch())

        seen: set[str] = set()
        # Service 1: senior card (choice, consent, name, ID, date, yes/no, phone), with a
        # read-back, a rejected answer, the review and the done screen.
        tap(next(t for t in buttons(self.screen) if getattr(t, "form_id", "") == "senior_card"))
        yield FRAME
        self.snap("question_choice")
        seen.add("choice")
        yield self.heard(self.prompt()["choices"][0]["label"])   # spoken answers are read back
        self.snap("readback")
        yield from self.confirm()
        for _ in range(40):
            if self.app.screens.current != "question" or self.prompt()["field_type"] == "phone":
                break
            if self.screen.mode == "reuse":     # the birth date offered from the ID number
                yield self.press(say("ui.reuse_yes"))
                continue
            kind = self.prompt()["field_type"]
            if kind not in seen:
                seen.add(kind)
                if kind == "name":
                    self.screen.listening = True   # as while the microphone is open
                    yield from self.answer_here(snap="question_name")
                    continue
                if kind == "id_number":
                    yield from self.keys(SAMPLE_ID)
                    self.snap("question_id_number")
                    yield self.press(say("ui.ok"))
                    self.snap("readback_id_number")
                    yield from self.confirm()
                    continue
                elif kind == "date":
                    yield from self.pick_date(stop_at="month")   # the shot shows the month stage
                self.snap(f"question_{kind}")
            yield from self.answer_here()
        yield from self.keys(SAMPLE_PHONE[:3])
        yield self.press(say("ui.ok"))
        self.snap("rejected")
        yield self.press(say("ui.key_clear"))
        yield from self.keys(SAMPLE_PHONE)
        seen.add("phone")
        self.snap("question_phone")
        yield self.press(say("ui.ok"))
        yield from self.confirm()
        self.snap("review")
        review = self.screen
        while not review.all_seen:          # 确认提交 is offered once every page was seen
            yield self.press(say("ui.review_next_page"))
        yield self.press(say("ui.review_submit"))
        yield 0.5    # the receipt prints on a worker thread
        self.snap("done")
        yield self.press(say("ui.done_another"))

        # Service 2: meal booking (fill-once reuse, multi-choice, integer, address), then help
        # and the staff PIN from the review screen.
        tap(next(t for t in buttons(self.screen) if getattr(t, "form_id", "") == "meal_booking"))
        yield FRAME
        self.snap("reuse_offered")
        yield from self.until_review(seen)
        self.snap("review_second_service")
        yield self.press(say("ui.staff"))
        self.snap("help")
        yield self.staff_entry()
        yield from self.keys("1234")
        self.snap("staff_pin")
        yield self.press(say("ui.pin_back"))
        ctl.finish("home")
        yield FRAME

        # Service 3: repair request (free text), three failures -> assistance, larger text,
        # cancel question, and the timeout warning.
        tap(next(t for t in buttons(self.screen) if getattr(t, "form_id", "") == "repair_request"))
        yield FRAME
        yield from self.until_review(seen)
        yield self.press(say("ui.back"))
        for _ in range(3):
            yield self.press(say("ui.key_clear"))
            yield self.press(say("ui.ok"))
        self.snap("assistance_offered")
        yield self.press(self.text_switch())
        self.snap("question_large_text" if self.app.theme.large_text else "question_standard_text")
        yield self.press(self.text_switch())
        ctl.idle.arm()
        ctl.idle._warn(0)
        yield 0.3
        self.snap("timeout_warning", window=True)
        yield self.press(say("ui.timeout_continue"))
        ctl.session.request_cancel()   # what 上一步 on the first question, or saying 不办了, does
        yield FRAME
        self.snap("cancel_asked")
        yield self.press(say("ui.cancel_no"))
        yield from self.staff_steps()
        ctl.finish("home")
        yield FRAME
        if ctl.feedback.box is not None:
            # What 办完了 on the Done screen leads to: one anonymous question.
            ctl.feedback.ask("senior_card")
            yield FRAME
            self.snap("feedback")
            yield self.press(say("feedback.good"))
            self.snap("feedback_thanks")
            ctl.finish("home", ask_feedback=False)
            yield FRAME

    def staff_steps(self) -> Iterator[float]:
        """The handoff of the form on screen, then assisted mode: every staff screen."""
        app = self.app
        flow, mode = app.staff, app.staff_mode
        if flow is None or mode is None or app.controller.session is None:
            return
        draft_id = app.controller.session.draft_id
        yield self.press(say("ui.staff"))
        yield self.press(say("ui.help_print_slip"))
        yield 0.4    # the slip prints on a worker thread
        self.snap("handoff")
        yield self.staff_entry()
        yield from self.keys(DEMO_PIN)
        yield self.press(say("ui.pin_ok"))
        self.snap("staff_menu")
        yield from self.press_row(say("staff.ui.menu_tickets", n=0)[:5])
        self.snap("staff_tickets")
        ticket = mode.tickets.open_for_draft(draft_id)[0]
        yield from self.press_row(ticket.number)
        self.snap("staff_case")
        case = flow.case
        address = next(f for f in case.fields if f.type.value == "address")
        yield from self.press_row(f"{address.label}：")
        self.snap("staff_edit_address")
        yield self.press(say("staff.ui.edit_back"))
        text = next((f for f in case.fields if f.type.value == "text" and case.applies(f)), None)
        if text is not None:
            yield from self.press_row(f"{text.label}：")
            self.snap("staff_edit_text")
            yield self.press(say("staff.ui.edit_back"))
        phone = next(f for f in case.fields if f.type.value == "phone" and case.applies(f))
        yield from self.press_row(f"{phone.label}：")
        yield from self.keys(SAMPLE_PHONE[:3])
        yield self.press(say("ui.ok"))
        self.snap("staff_override_reason")
        yield self.press(say("staff.ui.reason_checked"))
        for field_id in case.missing():       # anything still open: answered as a resident would
            f = case.field(field_id)
            case.set(field_id, sample_transcript(f, mode.site) if f.type.value in ("name", "text") else
                     f.choices[0].value if f.choices else True)
        app.print_service.printer.fail_with("paper_out", times=1)   # so the print queue has a job
        flow.go("staff_case")
        yield FRAME
        yield self.press(say("staff.ui.submit"))
        self.snap("staff_submitted")
        app.print_service.printer.heal()
        yield self.press(say("staff.ui.to_menu"))
        yield from self.press_row(say("staff.ui.menu_print", n=0)[:4])
        self.snap("staff_print_queue")
        yield self.press(say("staff.ui.dismiss_print"))
        yield self.press(say("staff.ui.to_menu"))
        yield from self.press_row(say("staff.ui.menu_day"))
        self.snap("staff_day_summary")
        yield self.press(say("staff.ui.logout"))
