"""A large on-screen pinyin keyboard: names and free text typed by single taps.

Tap letters to spell a syllable (only letters that can still lead to a syllable are lit), then
tap one of the big characters in the candidate row; 更多 / 往回 page through them. With no
letters typed the candidate row is still useful: common surnames for an empty name, common
given-name characters after it, punctuation for free text. 删除 takes back the last letter, or
else the last character; 清空 empties everything.

A plain widget: `text` (a StringProperty, so `on_text` fires) is what has been typed, `display`
is a label the host places where it likes (beside its own 确定), and nothing here knows about
the dialogue engine. The question screen and the staff screens both use it.
"""
from __future__ import annotations

from kivy.clock import Clock
from kivy.metrics import dp
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, OptionProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.uix.widget import Widget

from kiosk.ui import pinyin_ime
from kiosk.ui.theme import MIN_TARGET_DP
from kiosk.ui.widgets import KButton, keep_on_one_line, load_kv, show
from kiosk.voices import say

ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
PUNCTUATION = "，。？！、：“”"
GAP_DP = 6          # between keys: half the theme gap, so ten keys fit a 1024-wide screen
MAX_CANDIDATES = 8


def is_short(height: float) -> bool:
    """Too short for the title bar, a two-line question and the keyboard (e.g. 1024x600)."""
    return height < dp(720)


class TypedLabel(Label):
    """What has been typed so far, on a white panel; the end is kept in view when it is long."""

    lines = NumericProperty(1)
    full_text = StringProperty("")
    placeholder = StringProperty("")

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.bind(full_text=self._tail, placeholder=self._tail, size=self._tail,
                  font_size=self._tail, lines=self._tail)
        self._tail()

    def _tail(self, *_args) -> None:
        if not self.full_text:
            self.text = self.placeholder
            return
        # Chinese characters are about one em wide: keep as many of the last ones as fit.
        per_line = max(1, int((self.width - dp(24)) // max(self.font_size, 1)))
        room = per_line * max(1, int(self.lines))
        text = self.full_text
        self.text = text if len(text) <= room else "…" + text[-(room - 1):]


class PinyinBox(Label):
    """The letters typed so far (or what the candidate row shows when none are)."""

    hint = BooleanProperty(False)


class KeyMessage(Label):
    """A message in the candidate row's place (how to start, or why a tap was not taken)."""


class PinyinKeyboard(BoxLayout):
    """Letter keys, a pinyin box and a row of candidate characters; `text` is the result."""

    text = StringProperty("")
    pinyin = StringProperty("")
    mode = OptionProperty("name", options=["name", "text"])
    max_length = NumericProperty(0)            # 0: no limit
    page = NumericProperty(0)
    message = StringProperty("")               # shown instead of the candidates until the next tap
    candidates = ListProperty([])
    cand_cols = NumericProperty(MAX_CANDIDATES)
    cand_rows = NumericProperty(1)
    key_min = NumericProperty(0)
    key_gap = NumericProperty(0)

    def __init__(self, mode: str = "name", text: str = "", max_length: int = 0, **kwargs):
        self._built = False
        super().__init__(**kwargs)
        pinyin_ime.warm()
        self.key_min = dp(MIN_TARGET_DP)
        self.key_gap = dp(GAP_DP)
        self.mode = mode
        self.max_length = max_length
        self.display = TypedLabel(placeholder=say("keyboard.empty"))
        self.letter_keys: dict[str, KButton] = {}
        self.candidate_keys: list[KButton] = []
        self._build_letters()
        for nav in (self.ids.fewer, self.ids.more):
            keep_on_one_line(nav)
        self._built = True
        self.bind(size=self._fit, mode=self._rebuild_letters)
        self.text = text
        self._fit()
        if not pinyin_ime.ready():   # the first keyboard of the day: draw now, fill in when built
            self._waiting = Clock.schedule_interval(self._when_ready, 0.1)

    def _when_ready(self, _dt) -> bool:
        if not pinyin_ime.ready():
            return True
        self.refresh()
        return False

    # ----------------------------------------------------------------- layout
    def _key(self, label: str, value: str, role: str = "large", **kwargs) -> KButton:
        key = KButton(text=label, value=value, role=role, **kwargs)
        key.size_hint_min = (self.key_min, self.key_min)
        keep_on_one_line(key)
        return key

    def _build_letters(self) -> None:
        rows = self.ids.letters
        rows.clear_widgets()
        self.letter_keys.clear()
        for n, letters in enumerate(ROWS):
            row = BoxLayout(orientation="horizontal", spacing=self.key_gap)
            if n == 1 and self.mode == "name":
                row.add_widget(Widget(size_hint_x=0.5))     # the usual half-key stagger
            for letter in letters:
                key = self._key(letter, letter)
                key.bind(on_release=lambda k: self.letter(k.value))
                self.letter_keys[letter] = key
                row.add_widget(key)
            if n == 1:
                if self.mode == "name":
                    row.add_widget(Widget(size_hint_x=0.5))
                else:
                    space = self._key(say("keyboard.space"), " ", role="text")
                    space.bind(on_release=lambda k: self.add(" "))
                    row.add_widget(space)
            if n == 2:
                self.delete_key = self._key(say("ui.key_delete"), "delete", role="text", size_hint_x=1.5)
                self.delete_key.bind(on_release=lambda *_: self.delete())
                self.clear_key = self._key(say("ui.key_clear"), "clear", role="text", size_hint_x=1.5)
                self.clear_key.bind(on_release=lambda *_: self.clear())
                row.add_widget(self.delete_key)
                row.add_widget(self.clear_key)
            rows.add_widget(row)
        self._light_letters()

    def _rebuild_letters(self, *_args) -> None:
        if self._built:
            self._build_letters()
            self.refresh()

    def _fit(self, *_args) -> None:
        """As many candidate keys per row as fit; two rows of four on a narrow, tall screen."""
        gap = self.key_gap
        fixed = self.ids.pinyin_box.width + self.ids.nav.width + 2 * gap
        cols = int((self.width - fixed + gap) // (self.key_min + gap)) if self.width > 0 else MAX_CANDIDATES
        tall = self.height >= 6 * (self.key_min + gap)
        rows = 2 if tall and cols < MAX_CANDIDATES else 1
        cols = max(4, min(MAX_CANDIDATES if rows == 1 else MAX_CANDIDATES // 2, cols))
        if (cols, rows) != (self.cand_cols, self.cand_rows) or not self.candidate_keys:
            self.cand_cols, self.cand_rows = cols, rows
            self._build_candidate_keys()
        self.refresh()

    def _build_candidate_keys(self) -> None:
        grid = self.ids.cands
        grid.clear_widgets()
        grid.cols, grid.rows = self.cand_cols, self.cand_rows
        self.candidate_keys = []
        for _ in range(self.cand_cols * self.cand_rows):
            key = self._key("", "", role="digits")
            key.bind(on_release=lambda k: self.choose(k.value))
            grid.add_widget(key)
            self.candidate_keys.append(key)

    @property
    def per_page(self) -> int:
        """Candidate keys on show."""
        return self.cand_cols * self.cand_rows

    # ----------------------------------------------------------------- what the row offers
    def _boost(self) -> str:
        if self.mode != "name":
            return ""
        return pinyin_ime.SURNAMES if not self.text else pinyin_ime.GIVEN_NAME_CHARS

    def _offer(self) -> tuple[list[str], int]:
        """This page's characters and how many there are in all."""
        if self.pinyin and not pinyin_ime.ready():
            return [], 0
        if self.pinyin:
            boost = self._boost()
            return (pinyin_ime.candidates(self.pinyin, self.per_page, self.page, boost=boost),
                    pinyin_ime.count(self.pinyin, boost=boost))
        pool = PUNCTUATION if self.mode == "text" else self._boost()
        start = self.page * self.per_page
        return list(pool[start:start + self.per_page]), len(pool)

    def refresh(self, *_args) -> None:
        """Redraw the pinyin box, the candidate keys, paging and which letters are lit."""
        if not self._built:
            return
        shown, total = self._offer()
        self.candidates = shown
        for key, ch in zip(self.candidate_keys, shown + [""] * self.per_page, strict=False):
            key.text = key.value = ch
            show(key, bool(ch))
        box = self.ids.pinyin_box
        if self.pinyin:
            box.text, box.hint = self.pinyin, False
        else:
            box.hint = True
            box.text = say("keyboard.punctuation" if self.mode == "text" else
                           "keyboard.surnames" if not self.text else "keyboard.given")
        message = self.message or ("" if shown else say("keyboard.hint"))
        self.ids.key_message.text = message
        # Only faded, never disabled: a disabled widget on top would swallow the keys' taps.
        self.ids.key_message.opacity = 1 if message else 0
        show(self.ids.cands, not message)
        show(box, not message)
        show(self.ids.fewer, self.page > 0 and not message)
        show(self.ids.more, (self.page + 1) * self.per_page < total and not message)
        self._light_letters()
        self.display.full_text = self.text

    def _light_letters(self) -> None:
        # A letter that cannot continue any syllable is dimmed and inert: the lit keys guide
        # the spelling, and a tap that does nothing never looks like a tap that was lost.
        if not pinyin_ime.ready():
            return   # all lit until the index is built (never wait for it while drawing)
        for letter, key in self.letter_keys.items():
            key.disabled = not pinyin_ime.is_prefix(self.pinyin + letter)
            key.opacity = 0.3 if key.disabled else 1
            if key.disabled:
                key.state = "normal"   # pressed as it went dark: do not leave it looking pressed

    # ----------------------------------------------------------------- taps
    def letter(self, letter: str) -> None:
        """A letter key: extend the syllable (a letter that leads nowhere is not lit)."""
        if pinyin_ime.is_prefix(self.pinyin + letter):
            self.pinyin += letter
        self.page = 0
        self.message = ""
        self.refresh()

    def choose(self, ch: str) -> None:
        """A candidate key: the character joins the text and the letters are cleared."""
        if not ch:
            return
        self.pinyin = ""
        self.page = 0
        self.add(ch)

    def add(self, ch: str) -> None:
        """Append a character (or punctuation, or a space) within the length limit."""
        if self.max_length and len(self.text) + len(ch) > self.max_length:
            self.message = say("keyboard.full", most=self.max_length)
        else:
            self.message = ""
            self.text += ch
        self.refresh()

    def delete(self) -> None:
        """删除: the last letter if a syllable is being spelt, else the last character."""
        if self.pinyin:
            self.pinyin = self.pinyin[:-1]
        else:
            self.text = self.text[:-1]
        self.page = 0
        self.message = ""
        self.refresh()

    def clear(self) -> None:
        """清空: nothing typed, no letters."""
        self.pinyin = ""
        self.text = ""
        self.page = 0
        self.message = ""
        self.refresh()

    def next_page(self) -> None:
        """更多."""
        self.page += 1
        self.refresh()

    def previous_page(self) -> None:
        """往回."""
        self.page = max(0, self.page - 1)
        self.refresh()

    def on_text(self, _instance, _value) -> None:
        """Default handler (listeners bind to `text`); the next page of boosts starts over."""
        self.page = 0
        self.refresh()

    def show_message(self, text: str) -> None:
        """Put a message (why an answer was not taken) where the candidates are, until a tap."""
        self.message = text
        self.refresh()


load_kv("keyboard")
