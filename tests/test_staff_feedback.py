"""Resident feedback is anonymous: no draft, receipt, time of day or order links it to anyone."""
from __future__ import annotations

import sqlite3

import pytest
from staff_support import FORM, PIN, Kiosk, fill_prelude, say_all

from kiosk.staff.errors import StaffError
from kiosk.staff.feedback import clean_comment


@pytest.fixture
def kiosk(tmp_path):
    k = Kiosk(tmp_path)
    yield k
    k.close()


def test_feedback_row_holds_day_service_rating_and_sentence_only(kiosk, tmp_path):
    visit = kiosk.visit()
    s = visit.start(FORM)
    fill_prelude(s)
    say_all(s, "张 三", "对", "幺 三 八 一 二 三 四 五 六 七 八", "对", "漏水", "对", "不", "对", "没有", "对", "提交")
    receipt = s.receipt_no
    kiosk.mode.feedback.record(s.form.id, "bad", "电话 号码 不 好 说")
    raw = sqlite3.connect(tmp_path / "kiosk.db")
    columns = [r[1] for r in raw.execute("PRAGMA table_info(staff_feedback)")]
    rows = raw.execute("SELECT * FROM staff_feedback").fetchall()
    raw.close()
    assert columns == ["id", "day", "form_id", "rating", "comment"]
    (row,) = rows
    assert row[1:] == ("2026-11-23", "repair", "bad", "电话号码不好说")
    text = repr(row)
    for link in (s.draft_id, receipt, "09:30", "张三", "13812345678"):
        assert link not in text
    assert len(row[0]) == 32 and row[0] != s.draft_id


def test_rows_carry_no_arrival_order(kiosk, tmp_path):
    for rating in ("good", "ok", "bad", "good", "ok", "bad", "good", "ok"):
        kiosk.mode.feedback.record("repair", rating)
    raw = sqlite3.connect(tmp_path / "kiosk.db")
    without_rowid = raw.execute("SELECT sql FROM sqlite_master WHERE name = 'staff_feedback'").fetchone()[0]
    raw.close()
    assert "WITHOUT ROWID" in without_rowid


def test_digits_said_by_mistake_are_blanked_and_length_is_bounded():
    assert clean_comment("我 的 电话 是 一 三 八 一 二 三 四 五 六 七 八") == "我的电话是＊＊＊"
    assert clean_comment("13812345678 太难") == "＊＊＊ 太难"
    assert len(clean_comment("难" * 500)) == 60


def test_unknown_rating_is_refused(kiosk):
    with pytest.raises(StaffError):
        kiosk.mode.feedback.record("repair", "great")


def test_day_summary_counts_services_stuck_fields_and_feedback(kiosk):
    for _ in range(2):
        s = kiosk.visit().start(FORM)
        fill_prelude(s)
        say_all(s, "张 三", "对", "不 知 道", "不 知 道", "不 知 道")
    s.hear("找人")
    kiosk.mode.feedback.record("repair", "ok", "说 电话 太 难")
    kiosk.mode.feedback.record("repair", "good")
    summary = kiosk.mode.login(PIN).day_summary()
    assert summary.activity.services["repair"].started == 2
    (stuck,) = summary.activity.stuck
    assert (stuck.field_id, stuck.assistance, stuck.handoff, stuck.rejected) == ("phone", 2, 1, 6)
    assert summary.feedback.total() == 2 and summary.feedback.comments["repair"] == ["说电话太难"]
    assert len(summary.tickets) == 2
