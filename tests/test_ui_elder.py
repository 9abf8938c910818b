"""Elder mode, measured on the live widget tree: text sizes, line spacing, touch targets, contrast.

Every screen type is visited (by the same scripted tour as `kiosk screenshots`, without
writing files) and each one is checked in both themes and with the larger-text setting.
"""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest

from kiosk.ui import harness
from kiosk.ui.theme import (
    LINE_HEIGHT,
    MIN_CONTRAST,
    MIN_LINE_HEIGHT,
    MIN_QUESTION_SP,
    MIN_TARGET_DP,
    MIN_TEXT_SP,
    PALETTES,
    contrast_ratio,
    hex_rgb,
)
from kiosk.ui.touch import walk


@pytest.fixture(scope="module")
def app():
    app = harness.kiosk_app()
    harness.fresh(app)
    yield app
    app.theme.reset()
    harness.fresh(app)


def check_tree(app, root, where: str) -> list[str]:
    """Problems with every visible label and button under root."""
    from kivy.metrics import dp, sp
    from kivy.uix.behaviors import ButtonBehavior
    from kivy.uix.label import Label

    from kiosk.ui.widgets import QuestionLabel

    problems = []
    for w in walk(root):
        hidden = any(getattr(p, "opacity", 1) == 0 or getattr(p, "disabled", False) or p.height == 0
                     for p in _ancestors(w, root))
        if hidden:
            continue
        name = f"{where}: {type(w).__name__} {getattr(w, 'text', '')[:12]!r}"
        if isinstance(w, ButtonBehavior):
            if w.width < dp(MIN_TARGET_DP) - 0.5 or w.height < dp(MIN_TARGET_DP) - 0.5:
                problems.append(f"{name}: target {w.width:.0f}x{w.height:.0f} < {MIN_TARGET_DP} dp")
        if isinstance(w, Label) and w.text:
            low = MIN_QUESTION_SP if isinstance(w, QuestionLabel) else MIN_TEXT_SP
            if w.font_size < sp(low) - 0.01:
                problems.append(f"{name}: font {w.font_size:.1f} < {low} sp")
            if "\n" in w.text or w.texture_size[1] > w.font_size * 2:
                if w.line_height < MIN_LINE_HEIGHT:
                    problems.append(f"{name}: line height {w.line_height}")
    return problems


def _ancestors(w, root):
    node = w
    while node is not None:
        yield node
        if node is root:
            return
        node = node.parent


def tour_screens(app):
    """Visit every screen type with the screenshot tour, calling back at each capture."""
    from kiosk.ui.tour import Tour

    seen = []

    class Checking(Tour):
        def snap(self, name, window=False):
            root = app.timeout_warning if window else app.screens.current_screen
            seen.append((name, root))
            self.shots.append(name)
            results.extend(check_tree(app, root, name))

    results: list[str] = []
    tour = Checking(app, "unused")
    done = []
    tour.on_done = done.append
    tour.start(delay=0)
    assert harness.wait_until(lambda: bool(done), timeout=120), "tour did not finish"
    assert not tour.errors, tour.errors
    return seen, results


@pytest.mark.parametrize("high_contrast,large_text", [(False, False), (True, True)])
def test_every_screen_meets_elder_mode(app, high_contrast, large_text, monkeypatch):
    # A new visit resets the display settings; keep them for the whole tour here.
    monkeypatch.setattr(app.theme, "reset", lambda: None)
    app.theme.high_contrast = high_contrast
    app.theme.large_text = large_text
    harness.frames(3)
    seen, problems = tour_screens(app)
    names = {n for n, _ in seen}
    for needed in ("home", "question_choice", "question_multi_choice", "question_yes_no",
                   "question_integer", "question_phone", "question_id_number", "question_date",
                   "question_name", "question_address", "question_text", "question_consent",
                   "readback", "rejected", "review", "done", "help", "timeout_warning", "staff_pin"):
        assert needed in names, needed
    assert problems == []
    monkeypatch.undo()
    app.theme.reset()


def test_question_text_is_largest():
    from kiosk.ui.theme import QUESTION_SP, TEXT_SP

    assert QUESTION_SP >= MIN_QUESTION_SP and TEXT_SP >= MIN_TEXT_SP and LINE_HEIGHT >= MIN_LINE_HEIGHT


@pytest.mark.parametrize("palette", PALETTES, ids=lambda p: p.name)
def test_every_colour_pair_has_aaa_contrast(palette):
    for pair, ratio in palette.contrasts().items():
        assert ratio >= MIN_CONTRAST, f"{palette.name} {pair}: {ratio:.2f}"


def test_contrast_formula_matches_wcag_reference_values():
    assert contrast_ratio(hex_rgb("#000000"), hex_rgb("#FFFFFF")) == pytest.approx(21.0)
    assert contrast_ratio(hex_rgb("#777777"), hex_rgb("#FFFFFF")) == pytest.approx(4.48, abs=0.01)
    assert contrast_ratio(hex_rgb("#FFFFFF"), hex_rgb("#FFFFFF")) == pytest.approx(1.0)


def test_live_colours_follow_the_switch_in_one_tap(app):
    from kiosk.ui.theme import HIGH_CONTRAST, STANDARD, rgba
    from kiosk.ui.touch import find_button
    from kiosk.voices import say

    home = app.screens.get_screen("home")
    button = find_button(home, say("ui.repeat"))
    assert button.bg == rgba(STANDARD.button) and list(button.color) == rgba(STANDARD.button_text)
    from kivy.tests.common import UnitTestTouch

    switch = find_button(home, say("ui.colours_high"))
    x, y = switch.to_window(*switch.center)
    t = UnitTestTouch(x, y)
    t.touch_down()
    t.touch_up()
    harness.settle(0.2)
    assert app.theme.high_contrast
    assert button.bg == rgba(HIGH_CONTRAST.button) and list(button.color) == rgba(HIGH_CONTRAST.button_text)
    fg = tuple(round(c * 255) for c in button.color[:3])
    bg = tuple(round(c * 255) for c in button.bg[:3])
    assert contrast_ratio(fg, bg) >= MIN_CONTRAST
    app.theme.reset()


def test_no_cjk_font_is_a_clear_start_up_error(tmp_path):
    from kiosk.ui.fonts import FontMissing, find_cjk_font

    with pytest.raises(FontMissing, match="fonts-wqy-microhei"):
        find_cjk_font(str(tmp_path / "missing.ttc"))
    assert find_cjk_font().is_file()
