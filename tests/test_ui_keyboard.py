"""The pinyin keyboard driven by real taps on the headless window: names and free text by touch.

Shares the process's kiosk app (kiosk.ui.harness). Taps are kivy.tests UnitTestTouch events
through the window, so a key only counts if a finger at its centre would hit it.
"""
from __future__ import annotations

import os

os.environ.setdefault("SDL_VIDEODRIVER", "offscreen")

import pytest
from ui_support import press, submit_review, touch

from kiosk.dialogue.events import EventType
from kiosk.dialogue.sample import SAMPLE_PHONE
from kiosk.voices import say

pytestmark = pytest.mark.ui



def screen(app):
    return app.screens.current_screen


def keys(app, letters: str) -> None:
    for k in letters:
        press(app, k)


def keyboard(app):
    return screen(app).area.keyboard


def prompt(app) -> dict:
    return app.screens.get_screen("question").prompt_data


def start(app, form_id: str) -> None:
    home = app.screens.get_screen("home")
    touch(next(t for t in home.ids.tiles.children if t.form_id == form_id))


def answer_until(app, field_type: str, *, proxy: bool = False) -> None:
    """Tap through the questions before the first one of `field_type`."""
    for _ in range(20):
        d = prompt(app)
        if screen(app).mode == "readback":
            press(app, say("ui.readback_yes"))
            continue
        if d["field_type"] == field_type:
            return
        if d["field_type"] == "choice":
            if d["field_id"] == "applicant":
                press(app, say("applicant.proxy" if proxy else "applicant.self"))
            else:
                press(app, d["choices"][0]["label"])
        elif d["field_type"] == "consent":
            press(app, say("ui.consent_yes"))
        elif d["field_type"] == "phone":
            keys(app, SAMPLE_PHONE)
            press(app, say("ui.ok"))
        elif d["field_type"] == "yes_no":
            press(app, say("ui.no"))
        else:
            pytest.fail(f"unexpected {d['field_type']}")
    pytest.fail(f"no {field_type} question")


def test_name_typed_by_taps_reaches_the_engine(app, events):
    start(app, "senior_card")
    answer_until(app, "name")
    kb = keyboard(app)
    assert screen(app).keyboard and kb.mode == "name"
    keys(app, "zhang")
    assert kb.pinyin == "zhang" and "张" in kb.candidates[:3]
    press(app, "张")
    assert kb.text == "张" and kb.pinyin == ""
    keys(app, "xiu")
    press(app, "秀")
    keys(app, "ying")
    press(app, "英")
    assert kb.display.text == "张秀英"
    press(app, say("ui.ok"))
    understood = [e for e in events if e.type is EventType.UNDERSTOOD]
    assert understood[-1].data["field_id"] == "name" and understood[-1].data["value"] == "张秀英"
    press(app, say("ui.readback_yes"))
    confirmed = [e for e in events if e.type is EventType.CONFIRMED]
    assert confirmed[-1].data["field_id"] == "name"
    assert app.controller.session.answers["name"] == "张秀英"


def test_empty_name_offers_common_surnames_without_any_letters(app):
    start(app, "senior_card")
    answer_until(app, "name")
    kb = keyboard(app)
    assert kb.candidates[:4] == ["王", "李", "张", "刘"]
    press(app, "王")
    assert kb.text == "王"
    assert "秀" in kb.candidates and "英" in kb.candidates   # then common given-name characters
    press(app, "秀")
    assert kb.text == "王秀"


def test_delete_takes_a_letter_then_a_character_and_clear_empties(app):
    start(app, "senior_card")
    answer_until(app, "name")
    kb = keyboard(app)
    keys(app, "li")
    press(app, "李")
    keys(app, "zh")
    press(app, say("ui.key_delete"))
    assert kb.pinyin == "z" and kb.text == "李"
    press(app, say("ui.key_delete"))
    press(app, say("ui.key_delete"))
    assert kb.pinyin == "" and kb.text == ""
    keys(app, "wang")
    press(app, "王")
    keys(app, "f")
    press(app, say("ui.key_clear"))
    assert kb.text == "" and kb.pinyin == ""
    assert kb.display.text == say("keyboard.empty")


def test_letters_that_lead_nowhere_are_dark_and_do_nothing(app):
    from kiosk.ui.touch import find_button

    start(app, "senior_card")
    answer_until(app, "name")
    kb = keyboard(app)
    for k in "iuv":                        # no syllable starts with these
        assert kb.letter_keys[k].disabled
    keys(app, "zhang")
    assert all(key.disabled for key in kb.letter_keys.values())
    touch(kb.letter_keys["x"])             # a finger on a dark key
    assert kb.pinyin == "zhang"
    with pytest.raises(LookupError):
        find_button(screen(app), "x")


def test_more_and_back_page_through_without_repeats(app):
    start(app, "senior_card")
    answer_until(app, "name")
    kb = keyboard(app)
    keys(app, "zh")
    first = list(kb.candidates)
    assert first and not kb.ids.fewer.opacity
    press(app, say("keyboard.more"))
    second = list(kb.candidates)
    assert second and not set(first) & set(second)
    press(app, say("keyboard.fewer"))
    assert kb.candidates == first


def test_a_refused_name_shows_why_in_the_candidate_row_and_typing_goes_on(app, events):
    start(app, "senior_card")
    answer_until(app, "name")
    kb = keyboard(app)
    keys(app, "zhang")
    press(app, "张")
    press(app, say("ui.ok"))
    rejected = [e for e in events if e.type is EventType.REJECTED]
    assert rejected and rejected[-1].data["field_id"] == "name"
    assert kb.ids.key_message.text == rejected[-1].data["text"] and kb.ids.key_message.opacity == 1
    assert kb.text == "张"                 # nothing typed is lost
    keys(app, "san")
    assert kb.ids.key_message.opacity == 0 and "三" in kb.candidates


def test_the_larger_text_switch_keeps_what_was_typed(app):
    start(app, "senior_card")
    answer_until(app, "name")
    keys(app, "zhang")
    press(app, "张")
    keys(app, "xi")
    press(app, say("ui.text_larger"))
    kb = keyboard(app)
    assert app.theme.large_text and kb.text == "张" and kb.pinyin == "xi"


def test_keys_are_inside_the_window_and_never_overlap(app):
    """Every tappable thing on the keyboard screen has its own space, above the bottom bar."""
    from kiosk.ui.touch import buttons

    start(app, "repair_request")
    answer_until(app, "address")
    press(app, prompt(app)["bounds"]["buildings"][0])
    press(app, prompt(app)["bounds"]["units"][0])
    keys(app, "302")
    press(app, say("ui.ok"))
    press(app, say("ui.readback_yes"))
    assert prompt(app)["field_type"] == "text" and screen(app).keyboard
    keys(app, "sh")
    w, h = app.root_window.size
    rects = []
    for b in buttons(screen(app)):
        x, y = b.to_window(*b.pos)
        assert 0 <= x and x + b.width <= w + 0.5 and 0 <= y and y + b.height <= h + 0.5, b.text
        rects.append((x, y, x + b.width, y + b.height, b.text))
    for i, a in enumerate(rects):
        for b in rects[i + 1:]:
            overlap = min(a[2], b[2]) - max(a[0], b[0]) > 0.5 and min(a[3], b[3]) - max(a[1], b[1]) > 0.5
            assert not overlap, (a[4], b[4])
    question = screen(app).ids.question
    qx, qy = question.to_window(*question.pos)
    # The entry row (typed text, 手写, 这项不填, 确定) and the title bar's switches sit beside the question.
    beside = {b.text for b in screen(app).area.entry_row.children} | {say("ui.text_larger"), say("ui.colours_high")}
    top_key = max(r[3] for r in rects if r[4] not in beside)
    assert qy >= top_key - 0.5, [r for r in rects if r[3] > qy]  # the question is never under a key


def test_complaint_with_a_family_helper_completed_by_touch_alone(app, events):
    """A form needing a typed name and typed free text, start to stored submission, no speech."""
    start(app, "complaint")
    answer_until(app, "name", proxy=True)
    assert prompt(app)["field_id"] == "helper_name"
    for pinyin, ch in (("li", "李"), ("jian", "建"), ("guo", "国")):
        keys(app, pinyin)
        press(app, ch)
    press(app, say("ui.ok"))
    press(app, say("ui.readback_yes"))
    answer_until(app, "text")
    kb = keyboard(app)
    assert kb.mode == "text"
    assert "，" in kb.candidates             # punctuation offered while no letters are typed
    for pinyin, ch in (("lou", "楼"), ("dao", "道"), ("deng", "灯"), ("huai", "坏"), ("le", "了")):
        keys(app, pinyin)
        for _ in range(10):
            if ch in kb.candidates:
                break
            press(app, say("keyboard.more"))
        press(app, ch)
    press(app, "。")
    assert kb.text == "楼道灯坏了。"
    press(app, say("ui.ok"))
    press(app, say("ui.readback_yes"))
    for _ in range(10):                   # 需要回电? 不是 -> review
        if app.screens.current != "question":
            break
        if screen(app).mode == "readback":
            press(app, say("ui.readback_yes"))
        elif prompt(app)["field_type"] == "yes_no":
            press(app, say("ui.no"))
    assert app.screens.current == "review"
    submit_review(app)
    submitted = [e for e in events if e.type is EventType.SUBMITTED]
    assert len(submitted) == 1 and app.screens.current == "done"
    stored = app.runtime.store.get_submission(submitted[0].data["receipt_no"])
    assert stored.answers["helper_name"] == "李建国"
    assert stored.answers["content"] == "楼道灯坏了。"
    assert not [e for e in events if e.type is EventType.HEARD and e.data.get("via") != "touch"]


def test_staff_screens_can_reuse_the_keyboard_as_a_plain_widget(app):
    from kiosk.ui.keyboard import PinyinKeyboard

    got = []
    kb = PinyinKeyboard(mode="text", text="已", max_length=3)
    kb.bind(text=lambda _w, value: got.append(value))
    kb.letter("h")
    kb.letter("u")
    kb.letter("i")
    kb.choose(kb.candidates[kb.candidates.index("回")])
    kb.add("。")
    assert kb.text == "已回。" and got[-1] == "已回。"
    kb.add("好")                         # over max_length: refused with a message
    assert kb.text == "已回。" and kb.message == say("keyboard.full", most=3)
