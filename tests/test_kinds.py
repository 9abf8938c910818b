"""The field-kind registry: every FieldType has a kind with every part, and each part works."""
from __future__ import annotations

import datetime as dt
import inspect

import pytest

from kiosk.catalogue.spec import Choice, FieldSpec, FieldType, SiteSpec
from kiosk.dialogue.kinds import KINDS, kind_of
from kiosk.dialogue.kinds.base import FieldKind
from kiosk.dialogue.understand import understand

TODAY = dt.date(2026, 11, 23)
SITE = SiteSpec()
PARTS = ("parse", "validate", "bounds", "end_of_speech", "display", "spoken", "mask", "receipt_text",
         "grammar", "example", "sample", "unclear")
# Kinds whose answers are free speech have no grammar (the recogniser listens freely).
FREE = {FieldType.NAME, FieldType.TEXT}


def field_for(t: FieldType) -> FieldSpec:
    """A minimal valid field of each type."""
    extra: dict = {}
    if t in (FieldType.CHOICE, FieldType.MULTI_CHOICE):
        extra["choices"] = [Choice(value="gas", label="燃气"), Choice(value="lift", label="电梯")]
    if t is FieldType.INTEGER:
        extra.update(min=60, max=120, unit="岁")
    if t is FieldType.TEXT:
        extra["max_length"] = 50
    if t is FieldType.DATE:
        extra.update(min_date="1900-01-01", max_date="today")
    return FieldSpec(id="f", type=t, label="项目", prompt="请回答", **extra)


@pytest.mark.parametrize("t", list(FieldType), ids=lambda t: t.value)
def test_every_field_type_has_a_complete_kind(t):
    kind = kind_of(t)
    assert kind is KINDS[t] and kind.type is t and kind_of(t.value) is kind
    for part in PARTS:
        own = getattr(type(kind), part)
        assert callable(own), part
    # parse, validate and sample are the kind's own, never the base's placeholders
    for part in ("parse", "validate", "sample"):
        assert getattr(type(kind), part) is not getattr(FieldKind, part), f"{t.value} lacks {part}"
    assert kind.touch_widget and kind.unclear_key.startswith("answer.")
    f = field_for(t)
    # a sample answer goes through understanding and comes back shown, spoken, masked, printed
    said = kind.sample(f, SITE, TODAY)
    heard = understand(f, said, SITE, TODAY)
    assert heard.problem is None and heard.value is not None, (t, said, heard)
    value = heard.value
    for text in (kind.display(value, f), kind.spoken(value, f, True), kind.spoken(value, f, False),
                 kind.mask(value, f), kind.receipt_text(value, f), kind.example(f), kind.unclear(f).message()):
        assert isinstance(text, str) and text
    assert isinstance(kind.bounds(f, SITE, TODAY), dict)
    assert kind.end_of_speech(f, said) is True, said          # a whole sample answer is complete
    assert kind.end_of_speech(f, "") is False
    assert bool(kind.grammar(f, SITE)) is (t not in FREE)
    assert all(isinstance(p, str) and p for p in kind.grammar(f))


def test_every_touch_widget_exists_in_the_ui():
    src = (inspect.getsourcefile(kind_of) or "").replace("dialogue/kinds/__init__.py", "ui/answers.py")
    text = open(src, encoding="utf-8").read()
    for kind in KINDS.values():
        assert f'"{kind.touch_widget}":' in text, kind.touch_widget


def test_personal_kinds_mask_and_print_masked():
    phone, idn = field_for(FieldType.PHONE), field_for(FieldType.ID_NUMBER)
    assert kind_of(FieldType.PHONE).receipt_text("13812345678", phone) == "138****5678"
    assert kind_of(FieldType.ID_NUMBER).mask("11010519491231002X", idn) == "110105********002X"
    assert kind_of(FieldType.NAME).receipt_text("张秀英", field_for(FieldType.NAME)) == "张*英"
    assert kind_of(FieldType.TEXT).mask("楼道灯坏了", field_for(FieldType.TEXT)) == "[5字]"
    assert kind_of(FieldType.CHOICE).receipt_text("gas", field_for(FieldType.CHOICE)) == "燃气"


def test_public_speaker_reads_only_the_last_four_digits():
    phone, idn = field_for(FieldType.PHONE), field_for(FieldType.ID_NUMBER)
    assert kind_of(FieldType.PHONE).spoken("13812345678", phone, private_audio=False) == "尾号五六七八"
    assert kind_of(FieldType.ID_NUMBER).spoken("11010519491231002X", idn, private_audio=False) == "尾号零零二叉"
    whole = kind_of(FieldType.PHONE).spoken("13812345678", phone, private_audio=True)
    assert "1 3 8" in whole and "5 6 7 8" in whole
    assert kind_of(FieldType.PHONE).display("13812345678", phone) == "138 1234 5678"


@pytest.mark.parametrize("t, partial, complete", [
    (FieldType.ID_NUMBER, "一 一 零 一 零 五 一 九 四 九", False),            # 10 of 18: keep listening
    (FieldType.ID_NUMBER, "一 一 零 一 零 五 一 九 四 九 一 二 三 一 零 零 二 叉", True),
    (FieldType.PHONE, "幺 三 八 一 二 三 四", False),
    (FieldType.PHONE, "幺 三 八 一 二 三 四 五 六 七 八", True),
    (FieldType.DATE, "一九五零 年 三月", False),
    (FieldType.DATE, "一九五零 年 三月 五 号", True),
    (FieldType.DATE, "一九五零 年 三月 二十", False),                    # may become 二十五
    (FieldType.YES_NO, "是 的", True),
    (FieldType.YES_NO, "我", False),
    (FieldType.CONSENT, "同意", True),
    (FieldType.CHOICE, "燃气 坏 了", True),
    (FieldType.CHOICE, "那个", False),
    (FieldType.INTEGER, "七十", False),                                  # may become 七十八
    (FieldType.INTEGER, "七十八", True),
    (FieldType.INTEGER, "八", False),                                    # out of bounds (60-120)
    (FieldType.ADDRESS, "三 号 楼 二 单元", False),
    (FieldType.ADDRESS, "三 号 楼 二 单元 一 二 零 三", True),
    (FieldType.NAME, "张 三", False),                                    # may become 张三丰
    (FieldType.NAME, "我 叫 张 秀英", True),
    (FieldType.NAME, "欧阳", False),
    (FieldType.NAME, "那个", False),
    (FieldType.TEXT, "楼道 的 灯", False),
    (FieldType.TEXT, "楼道 的 灯 坏 了", True),
    (FieldType.MULTI_CHOICE, "燃气 和", False),
    (FieldType.MULTI_CHOICE, "燃气 和 电梯", True),
])
def test_end_of_speech_complete_vs_incomplete(t, partial, complete):
    assert kind_of(t).end_of_speech(field_for(t), partial) is complete
