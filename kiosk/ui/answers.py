"""Answer areas for the question screen, one per field type, built from PROMPT event data.

Each builder returns (side, main): `side` goes under the question (what was keyed in, 确定,
这项不填), `main` is the big touch area (choices, keypad, steppers, the pinyin keyboard). In landscape they sit in
two columns, in portrait one above the other. Values handed to the controller are exactly
the engine's touch value types; checking them is the engine's job, not this module's.
"""
from __future__ import annotations

import calendar
import datetime as dt
from typing import Any, Callable

from kivy.metrics import dp, sp
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.gridlayout import GridLayout
from kivy.uix.widget import Widget

from kiosk.dialogue.kinds import KINDS, kind_of
from kiosk.ui.pictograms import Pictogram
from kiosk.ui.theme import MIN_TARGET_DP, MIN_TEXT_SP
from kiosk.ui.widgets import DigitsLabel, KButton, Keypad, KLabel, keep_on_one_line
from kiosk.voices import say

Answer = Callable[[Any], None]
# Keys each keypad takes and how its digits are grouped: the field kinds say (kiosk.dialogue.kinds).
DIGIT_LIMITS = {t.value: k.max_digits for t, k in KINDS.items() if k.touch_widget == "digits"}
TICK = "✓"
GROUPS = {t.value: k.group_sizes for t, k in KINDS.items() if hasattr(k, "group_sizes")}


class AnswerArea:
    """What a builder produces: two widgets plus the controller actions they call.

    `min_width(theme)` / `min_height(theme)`: the least room `main` needs, so the question
    screen can give the question every pixel the answers do not need.
    """

    def __init__(self, side: Widget, main: Widget, min_width=None, min_height=None):
        self.side = side
        self.main = main
        if min_width is not None:
            self.min_width = min_width
        if min_height is not None:
            self.min_height = min_height

    def min_width(self, theme) -> float:
        """Default: four targets wide."""
        return theme.target * 4

    def min_height(self, theme) -> float:
        """Default: two targets high."""
        return theme.target * 2


def _grid_needs(labels: list[str], cols: int, role_size: str):
    """min_width / min_height for a grid of labelled buttons (CJK characters are 1 em wide)."""
    rows = -(-len(labels) // max(1, cols))
    longest = max((len(x) for x in labels), default=1)

    def width(theme) -> float:
        size = getattr(theme, role_size)
        return cols * max(theme.target, longest * size + dp(36)) + (cols - 1) * theme.gap

    def height(theme) -> float:
        return rows * theme.target + (rows - 1) * theme.gap

    return width, height


def _keypad_needs(theme) -> float:
    return 3 * theme.target * 1.1 + 2 * theme.gap


def _keypad_height(theme) -> float:
    return 4 * theme.target + 3 * theme.gap


def _column(**kwargs) -> BoxLayout:
    box = BoxLayout(orientation="vertical", spacing=dp(12), size_hint_y=None, **kwargs)
    box.bind(minimum_height=box.setter("height"))
    return box


def _fixed(button: KButton, theme) -> KButton:
    """A full-width button of target height for the side column."""
    button.size_hint_y = None
    button.height = theme.target
    return button


def _entry_row(display: DigitsLabel, ok: KButton, theme) -> BoxLayout:
    """What was keyed in, with 确定 beside it (one row keeps the question visible in large text)."""
    row = BoxLayout(orientation="horizontal", spacing=theme.gap, size_hint_y=None)
    ok.size_hint = (None, 1)
    ok.width = theme.target * 2
    display.size_hint_y = 1
    # digits of 44 sp fit one line beside 确定, leaving room for the question (34 sp on a short screen)
    display.role = "text" if _short() else "large"

    def fit(*_args) -> None:
        row.height = max(theme.target, display.texture_size[1])

    display.bind(texture_size=fit)
    fit()
    row.add_widget(display)
    row.add_widget(ok)
    return row


def _grouped(text: str, sizes: tuple[int, ...]) -> str:
    out, i = [], 0
    for n in sizes:
        if i >= len(text):
            break
        out.append(text[i:i + n])
        i += n
    if i < len(text):
        out.append(text[i:])
    return " ".join(out)


def build(d: dict, theme, ctl, *, touch_only: bool, today: dt.date | None = None) -> AnswerArea:
    """The answer area for one PROMPT event's data."""
    kind = d.get("field_type", "")
    builder = BUILDERS.get(kind, _say_it)
    area = builder(d, theme, ctl, touch_only=touch_only, today=today)
    if d.get("optional"):
        skip = KButton(text=say("ui.skip"), on_release=lambda *_: ctl.skip())
        if hasattr(area, "entry_row"):   # the keyboard needs the height: 这项不填 joins the row
            skip.size_hint_x = None
            # as narrow as its four characters allow on a short screen (room for what is typed)
            skip.width = max(theme.target * 1.7, len(skip.text) * theme.text_size + dp(24)) if _short() \
                else theme.target * 2.2
            area.entry_row.add_widget(skip, index=1)
        else:
            area.side.add_widget(_fixed(skip, theme))
    return area


def _choice(d, theme, ctl, **_):
    choices = d.get("choices", [])
    grid = GridLayout(cols=1 if len(choices) <= 4 else 2, spacing=theme.gap)
    role = _choice_role(choices)
    for c in choices:
        b = KButton(text=c["label"], value=c["value"], selected=d.get("current") == c["value"], role=role,
                    kind="answer")
        b.bind(on_release=lambda btn: ctl.answer(btn.value))
        grid.add_widget(b)
    return AnswerArea(_column(), grid, *_grid_needs([c["label"] for c in choices], grid.cols, f"{role}_size"))


def _choice_role(choices: list[dict]) -> str:
    """Answer text size: large, or body size when a long label would not fit two columns."""
    longest = max((len(c["label"]) for c in choices), default=0)
    return "large" if longest <= 5 or len(choices) <= 4 else "text"


def _toggle(button: KButton) -> None:
    """A multi-choice option: the tick says 'chosen' without relying on colour alone."""
    button.selected = not button.selected
    button.text = f"{TICK} {button.base}" if button.selected else button.base


def _multi_choice(d, theme, ctl, **_):
    choices = d.get("choices", [])
    current = set(d.get("current") or [])
    grid = GridLayout(cols=1 if len(choices) <= 4 else 2, spacing=theme.gap)
    buttons = []
    for c in choices:
        chosen = c["value"] in current
        b = KButton(text=f"{TICK} {c['label']}" if chosen else c["label"], value=c["value"],
                    selected=chosen, role=_choice_role(choices), kind="answer")
        b.base = c["label"]
        b.bind(on_release=_toggle)
        grid.add_widget(b)
        buttons.append(b)
    side = _column()
    side.add_widget(KLabel(text=say("ui.choose_many")))
    ok = KButton(text=say("ui.ok"), kind="primary")
    ok.bind(on_release=lambda *_: ctl.answer([b.value for b in buttons if b.selected]))
    side.add_widget(_fixed(ok, theme))
    return AnswerArea(side, grid, *_grid_needs([TICK + " " + c["label"] for c in choices], grid.cols,
                                               f"{_choice_role(choices)}_size"))


def _two(d, theme, ctl, yes_key: str, no_key: str, yes_value: Any, no_value: Any):
    row = BoxLayout(orientation="horizontal", spacing=theme.gap * 2)
    # A drawn ✓ / ✗ beside the words: yes and no told apart by shape, not by colour alone.
    yes = KButton(text=say(yes_key), kind="answer", value=yes_value, icon="tick")
    no = KButton(text=say(no_key), kind="answer", value=no_value, icon="cross")
    for b in (yes, no):
        b.role = "question"
        b.bind(on_release=lambda btn: ctl.answer(btn.value))
        row.add_widget(b)
    return AnswerArea(_column(), row, *_grid_needs([TICK + yes.text, TICK + no.text], 2, "question_size"))


def _yes_no(d, theme, ctl, **_):
    return _two(d, theme, ctl, "ui.yes", "ui.no", True, False)


def _consent(d, theme, ctl, **_):
    return _two(d, theme, ctl, "ui.consent_yes", "ui.consent_no", True, False)


class DigitEntry:
    """Keypad + display for phone, ID number and whole numbers."""

    def __init__(self, d, theme, ctl):
        self.kind = d.get("field_type", "")
        self.limit = DIGIT_LIMITS.get(self.kind, 6)
        self.unit = (d.get("bounds") or {}).get("unit") or ""
        current = d.get("current")
        self.digits = "" if current is None else str(current)
        self.display = DigitsLabel()
        self.keypad = Keypad(extra="X" if self.kind == "id_number" else "clear", spacing=theme.gap)
        self.keypad.bind(on_key=self.key)
        self.ok = _fixed(KButton(text=say("ui.ok"), kind="primary"), theme)
        self.ok.bind(on_release=lambda *_: self.submit(ctl))
        self.refresh()

    def key(self, _pad, key: str) -> None:
        """One key tap."""
        if key == "delete":
            self.digits = self.digits[:-1]
        elif key == "clear":
            self.digits = ""
        elif len(self.digits) < self.limit:
            self.digits += key
        self.refresh()

    def refresh(self) -> None:
        """Show what has been keyed in, grouped the way people read numbers out."""
        if not self.digits:
            self.display.text = say("ui.keyed_empty")
            return
        shown = _grouped(self.digits, GROUPS[self.kind]) if self.kind in GROUPS else self.digits
        self.display.text = f"{shown} {self.unit}".strip()

    def submit(self, ctl) -> None:
        """确定: hand the digits to the engine (it says what is wrong, if anything)."""
        if self.kind == "integer":
            ctl.answer(int(self.digits) if self.digits else "")
        else:
            ctl.answer(self.digits)


def _digits(d, theme, ctl, **_):
    entry = DigitEntry(d, theme, ctl)
    side = _column()
    side.add_widget(_entry_row(entry.display, entry.ok, theme))
    area = AnswerArea(side, entry.keypad, _keypad_needs, _keypad_height)
    area.entry = entry
    return area


class DatePicker(BoxLayout):
    """A date in at most four taps: decade -> year -> month -> day; the day tap answers.

    A stage with a single possible option is passed by itself (a date within the next 30 days
    starts at the month, or the day). No wheels, no typing, no 加/减 stepping.
    """

    stage = StringProperty("decade")

    def __init__(self, d, theme, today: dt.date, answer: Answer, **kwargs):
        super().__init__(orientation="vertical", spacing=theme.gap, **kwargs)
        self.theme = theme
        self.answer = answer
        bounds = d.get("bounds") or {}
        self.low = dt.date.fromisoformat(bounds.get("min") or "1900-01-01")
        self.high = dt.date.fromisoformat(bounds.get("max") or (today.replace(year=today.year + 10)).isoformat())
        current = d.get("current")
        self.current = dt.date.fromisoformat(str(current)) if current else None
        self.decade = self.year = self.month = 0
        self.display = DigitsLabel()
        keep_on_one_line(self.display, least=sp(MIN_TEXT_SP))   # 1900年1月 in a narrow column
        self.changed = None       # the question screen refits when the stage changes
        self.restart = _fixed(KButton(text=say("ui.date_again")), theme)
        self.restart.bind(on_release=lambda *_: self.choose_again())
        if self.current is not None:     # changing an answer: straight to its month's days
            self.decade, self.year, self.month = self.current.year // 10 * 10, self.current.year, self.current.month
            self.stage = "day"
        self.redraw()

    # ------------------------------------------------------------- what each stage offers
    def options(self, stage: str) -> list[int]:
        """The values a stage offers inside the bounds."""
        lo, hi = self.low, self.high
        if stage == "decade":
            return list(range(lo.year // 10 * 10, hi.year // 10 * 10 + 1, 10))
        if stage == "year":
            return [y for y in range(self.decade, self.decade + 10) if lo.year <= y <= hi.year]
        if stage == "month":     # values are year * 100 + month (a short range may cross a new year)
            years = [self.year] if self.year else list(range(lo.year, hi.year + 1))
            return [y * 100 + m for y in years for m in range(1, 13)
                    if (lo.year, lo.month) <= (y, m) <= (hi.year, hi.month)]
        days = calendar.monthrange(self.year, self.month)[1]
        return [x for x in range(1, days + 1) if lo <= dt.date(self.year, self.month, x) <= hi]

    def label(self, stage: str, value: int) -> str:
        """Button text for one option."""
        if stage == "month":
            year, month = divmod(value, 100)
            if self.year or self.low.year == self.high.year:
                return say("ui.date_pick_month", value=month)
            return say("ui.date_so_far_month", year=year, month=month)
        return say(f"ui.date_pick_{stage}", value=value)

    def pick(self, stage: str, value: int) -> None:
        """One tap: the next stage, or (a day) the answer."""
        if stage == "day":
            self.answer(dt.date(self.year, self.month, value).isoformat())
            return
        if stage == "month":
            self.year, self.month = divmod(value, 100)
        else:
            setattr(self, stage, value)
        self.stage = {"decade": "year", "year": "month", "month": "day"}[stage]
        self.redraw()

    def choose_again(self) -> None:
        """重新选: back to the first stage."""
        self.decade = self.year = self.month = 0
        self.stage = "decade"
        self.redraw()

    def refresh(self) -> None:
        """What has been chosen so far."""
        if self.month:
            self.display.text = say("ui.date_so_far_month", year=self.year, month=self.month)
        elif self.year:
            self.display.text = say("ui.date_so_far_year", value=self.year)
        elif self.decade:
            self.display.text = say("ui.date_pick_decade", value=self.decade)
        else:      # nothing chosen yet: say what to tap first (a near date starts at the month)
            self.display.text = say(f"ui.date_choose_{self.stage}")

    def redraw(self) -> None:
        """Buttons for the current stage (a stage with one option is passed by itself)."""
        order = ["decade", "year", "month", "day"]
        if self.stage in ("decade", "year") and (self.high - self.low).days <= 366:
            self.stage = "month"      # a date within the coming weeks: months (of either year) first
        while self.stage != "day" and len(self.options(self.stage)) == 1:
            only = self.options(self.stage)[0]
            if self.stage == "month":
                self.year, self.month = divmod(only, 100)
            else:
                setattr(self, self.stage, only)
            self.stage = order[order.index(self.stage) + 1]
        theme = self.theme
        first = all(len(self.options(s)) <= 1 for s in order[:order.index(self.stage)])
        if self.restart.size_hint_y is None:    # in the side column (not beside the display)
            self.restart.height = 0 if first else theme.target
        else:                                   # beside the display: its room goes to the display
            self.restart.width = 0 if first else max(theme.target * 1.5,
                                                     len(self.restart.text) * theme.text_size + dp(28))
        self.restart.opacity = 0 if first else 1
        self.restart.disabled = first
        self.clear_widgets()
        values = self.options(self.stage)
        cols, size, gap = self.grid_shape(len(values))
        grid = GridLayout(cols=cols, spacing=gap)
        chosen = self.current.day if self.current is not None and self.stage == "day" else None
        for v in values:
            b = KButton(text=self.label(self.stage, v), value=v, role=self.role(), kind="answer",
                        selected=v == chosen)
            b.size_hint_min = (size, size)
            b.bind(on_release=lambda btn, part=self.stage: self.pick(part, btn.value))
            grid.add_widget(b)
        self.add_widget(grid)
        self.refresh()
        if self.changed is not None:
            self.changed()

    def role(self) -> str:
        """Text size of the stage's buttons: four-digit years at body size, so four fit a row."""
        return "text" if self.stage in ("decade", "year") else "large"

    def grid_shape(self, n: int) -> tuple[int, float, float]:
        """(columns, smallest key side, gap): the 31 days of a month fit a short screen at 90 px."""
        theme = self.theme
        if self.stage == "day":
            short = _short()
            return 7, (dp(MIN_TARGET_DP) if short else theme.target), (dp(5) if short else theme.gap)
        # Decades and years: never more than the five rows the days take (1900 to a date in the
        # 2030s is 14 decades): more columns instead, at 90 px on a short screen.
        short = _short()
        size, gap = (dp(MIN_TARGET_DP), dp(5)) if short else (theme.target, theme.gap)
        least = (3 if n > 4 else 2) if self.stage == "decade" else 4
        return max(least, -(-n // MAX_ROWS)), size, gap

    def min_width(self, theme) -> float:
        """The least width the current stage's grid needs."""
        values = self.options(self.stage)
        cols, size, gap = self.grid_shape(len(values))
        text = max((_text_width(self.label(self.stage, v)) for v in values), default=1)
        font = theme.text_size if self.role() == "text" else theme.large_size
        return cols * max(size, text * font + dp(28)) + (cols - 1) * gap


MAX_ROWS = 5     # rows of date buttons: the 31 days of a month in sevens


def _text_width(text: str) -> float:
    """Width of a label in em: CJK characters 1 em, digits and Latin letters about 0.6 em."""
    return sum(0.6 if ch.isascii() else 1.0 for ch in text)


def _date(d, theme, ctl, today=None, **_):
    picker = DatePicker(d, theme, today or dt.date.today(), ctl.answer)
    side = _column()
    picker.display.role = "text" if _short() else "large"
    picker.display.size_hint_y = None
    picker.display.bind(texture_size=lambda w, ts: setattr(w, "height", max(theme.target, ts[1])))
    if _short():    # one row: what is chosen so far, and 重新选 beside it
        row = BoxLayout(orientation="horizontal", spacing=theme.gap, size_hint_y=None, height=theme.target)
        picker.restart.size_hint = (None, 1)
        picker.restart.width = 0 if picker.restart.disabled else \
            max(theme.target * 1.5, len(picker.restart.text) * theme.text_size + dp(28))
        picker.display.size_hint_y = 1
        # A narrow column (字再大些) wraps 1900年1月: the row grows with it, never over the question.
        picker.display.bind(texture_size=lambda w, ts: setattr(row, "height", max(theme.target, ts[1])))
        row.add_widget(picker.display)
        row.add_widget(picker.restart)
        side.add_widget(row)
    else:
        side.add_widget(picker.display)
        side.add_widget(picker.restart)
    area = AnswerArea(side, picker, picker.min_width,
                      lambda t: 5 * dp(MIN_TARGET_DP) + 4 * dp(5))
    area.picker = picker
    return area


class AddressPicker(BoxLayout):
    """Building buttons, then unit buttons, then a room keypad; 确定 sends all three."""

    def __init__(self, d, theme, ctl, **kwargs):
        super().__init__(orientation="vertical", spacing=theme.gap, **kwargs)
        self.theme = theme
        self.ctl = ctl
        bounds = d.get("bounds") or {}
        self.buildings = list(bounds.get("buildings") or [])
        self.units = list(bounds.get("units") or [])
        current = d.get("current") or {}
        self.building = current.get("building", "")
        self.unit = current.get("unit", "")
        self.room = str(current.get("room", ""))
        self.display = DigitsLabel()
        self.ok = KButton(text=say("ui.ok"), kind="primary")
        self.ok.bind(on_release=lambda *_: self.submit())
        self.restart = _fixed(KButton(text=say("ui.address_change")), theme)
        self.restart.bind(on_release=lambda *_: self.choose_again())
        self.changed = None       # the question screen refits when the stage changes
        self.stage = "room" if self.building and self.unit else "building"
        self.redraw()

    def choose_again(self) -> None:
        """Start again from the building."""
        self.building = self.unit = self.room = ""
        self.stage = "building"
        self.redraw()

    def pick(self, part: str, value: str) -> None:
        """A building or unit button."""
        setattr(self, part, value)
        self.stage = "unit" if part == "building" else "room"
        self.redraw()

    def key(self, _pad, key: str) -> None:
        """A room keypad tap."""
        if key == "delete":
            self.room = self.room[:-1]
        elif key == "clear":
            self.room = ""
        elif len(self.room) < 4:
            self.room += key
        self.refresh()

    def submit(self) -> None:
        """Send whatever is chosen; the engine names a missing or impossible part."""
        self.ctl.answer({"building": self.building, "unit": self.unit, "room": self.room})

    def refresh(self) -> None:
        """The address so far."""
        parts = [p for p in (self.building, self.unit, self.room) if p]
        self.display.text = " ".join(parts) if parts else say("ui.keyed_empty")

    def redraw(self) -> None:
        """Show the picker for the current stage."""
        self.clear_widgets()
        theme = self.theme
        first = self.stage == "building"     # nothing chosen yet: nothing to choose again
        self.restart.height = 0 if first else theme.target
        self.restart.opacity = 0 if first else 1
        self.restart.disabled = first
        # A short screen has no room for the stage's heading: the question and 重听 say it.
        heading = not _short()
        if self.stage == "room":
            if heading:
                self.add_widget(KLabel(text=say("ui.address_room")))
            pad = Keypad(extra="clear", spacing=theme.gap)
            pad.bind(on_key=self.key)
            self.add_widget(pad)
        else:
            options = self.buildings if self.stage == "building" else self.units
            if heading:
                self.add_widget(KLabel(text=say(f"ui.address_{self.stage}")))
            # four to a row; three on a short screen (10号楼 stays on one line, four rows still fit)
            cols = (3 if _short() else 4) if len(options) > 6 else (3 if len(options) > 3 else len(options) or 1)
            grid = GridLayout(cols=cols, spacing=theme.gap)
            for name in options:
                b = KButton(text=name, value=name, selected=name == getattr(self, self.stage), kind="answer")
                b.bind(on_release=lambda btn, part=self.stage: self.pick(part, btn.value))
                grid.add_widget(b)
            self.add_widget(grid)
        self.refresh()
        if self.changed is not None:
            self.changed()


def _address(d, theme, ctl, **_):
    picker = AddressPicker(d, theme, ctl)
    side = _column()
    side.add_widget(_entry_row(picker.display, picker.ok, theme))
    side.add_widget(picker.restart)
    area = AnswerArea(side, picker, lambda t: max(_keypad_needs(t), 4 * t.target * 1.2 + 3 * t.gap),
                      lambda t: _keypad_height(t) + t.text_size * 1.5)
    area.picker = picker
    return area


def _say_it(d, theme, ctl, touch_only=False, **_):
    """Say it (the microphone is open), or a staff member fills it in (no keyboard for this type)."""
    panel = BoxLayout(orientation="vertical", spacing=theme.gap)
    panel.add_widget(Pictogram(name="microphone" if not touch_only else "person",
                               colour=theme.text, hole=theme.bg))
    panel.add_widget(KLabel(text=say("ui.say_it_touch_only" if touch_only else "ui.say_it"),
                            halign="center", bold=True))
    staff = _fixed(KButton(text=say("ui.staff_fill"), kind="staff"), theme)
    staff.bind(on_release=lambda *_: ctl.request_help())
    panel.add_widget(staff)
    return AnswerArea(_column(), panel)


def _short() -> bool:
    from kivy.app import App
    from kivy.core.window import Window

    from kiosk.ui.widgets import short_screen

    app = App.get_running_app()
    return short_screen(Window.height, app.theme.scale if app is not None else 1.0)


def _type_it(d, theme, ctl, **_):
    """Names and free text: spell with the pinyin keyboard and tap characters (or just say it).

    The keyboard takes the full width under the question; what is typed sits beside 确定 in
    one row (with 这项不填 for an optional field), so the question stays in view.
    """
    from kiosk.ui.keyboard import PinyinKeyboard

    current = d.get("current")
    keyboard = PinyinKeyboard(mode="name" if d.get("field_type") == "name" else "text",
                              text=current if isinstance(current, str) else "",
                              max_length=(d.get("bounds") or {}).get("max_length") or 0)
    ok = KButton(text=say("ui.ok"), kind="primary")
    ok.bind(on_release=lambda *_: ctl.answer(keyboard.text))
    row = BoxLayout(orientation="horizontal", spacing=theme.gap, size_hint_y=None, height=theme.target)
    ok.size_hint_x = None
    ok.width = theme.target * (1.2 if _short() else 2)
    row.add_widget(keyboard.display)
    from kiosk.ui.handwriting import typing_area

    typing = typing_area(keyboard)      # 手写 beside the keyboard when the recogniser works
    if typing.toggle is not None:
        row.add_widget(typing.toggle)
    row.add_widget(ok)
    side = _column()
    side.add_widget(row)
    area = AnswerArea(side, typing)
    area.keyboard = keyboard
    area.typing = typing
    area.entry_row = row
    area.ok = ok
    return area


# Touch widgets by name; each field kind names its own (kind_of(type).touch_widget).
WIDGETS = {
    "choice": _choice, "multi_choice": _multi_choice, "yes_no": _yes_no, "consent": _consent,
    "digits": _digits, "date": _date, "address": _address, "keyboard": _type_it,
}
BUILDERS = {t.value: WIDGETS[kind_of(t).touch_widget] for t in KINDS}

CONFIRM_KEYS = {
    "readback": ("ui.readback_yes", "ui.readback_no"),
    "reuse": ("ui.reuse_yes", "ui.reuse_no"),
    "cancel": ("ui.cancel_yes", "ui.cancel_no"),
}


def build_confirm(kind: str, d: dict, theme, ctl) -> AnswerArea:
    """对/不对 for a read-back, a reuse offer or 'stop this service?'."""
    yes_key, no_key = CONFIRM_KEYS[kind]
    main = BoxLayout(orientation="vertical", spacing=theme.gap * 2)
    if d.get("display"):
        shown = DigitsLabel(text=str(d["display"]), size_hint_y=None)
        shown.bind(texture_size=lambda w, ts: setattr(w, "height", max(ts[1], theme.target * 1.3)))
        main.add_widget(shown)
    short = _short()   # one above the other: the question column keeps its width
    row = BoxLayout(orientation="vertical" if short else "horizontal", spacing=theme.gap * 2)
    yes = KButton(text=say(yes_key), kind="answer", icon="tick")
    no = KButton(text=say(no_key), kind="answer", icon="cross")
    yes.bind(on_release=lambda *_: ctl.confirm(True))
    no.bind(on_release=lambda *_: ctl.confirm(False))
    for b in (yes, no):
        b.role = "question"
        row.add_widget(b)
    main.add_widget(row)
    labels = [say(yes_key), say(no_key)]
    width, height = _grid_needs([f"{TICK}{x}" for x in labels], 1 if short else 2, "question_size")
    if short:
        def height(t, _h=height) -> float:
            return 2 * t.target + t.gap * 2
    shown = str(d.get("display") or "")
    return AnswerArea(_column(), main, lambda t: max(width(t), min(len(shown), 12) * t.digits_size * 0.6),
                      lambda t: height(t) + (t.target * 1.3 + t.gap * 2 if shown else 0))
