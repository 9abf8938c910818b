"""The audit log: every staff change exactly once, masked values, append-only, `kiosk staff audit`."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.catalogue.spec import FieldSpec
from kiosk.cli import main
from kiosk.staff.audit import masked
from kiosk.store.model import StoreError
from staff_support import FORM, PIN, Kiosk, fill_prelude, say_all

ADDRESS = FieldSpec(id="address", type="address", label="住址", prompt="请说住址。")


@pytest.fixture
def kiosk(tmp_path):
    k = Kiosk(tmp_path)
    yield k
    k.close()


def _case(kiosk):
    visit = kiosk.visit()
    s = visit.start(FORM)
    fill_prelude(s)
    say_all(s, "张 三", "对")
    visit.end("timeout")
    return kiosk.mode.login(PIN).open_draft(s.draft_id)


def test_masking_by_field_type():
    assert masked(FORM.field("name"), "张小明") == "张*明"
    assert masked(FORM.field("phone"), "13812345678") == "138****5678"
    assert masked(ADDRESS, {"building": "3号楼", "unit": "2单元", "room": "1201"}) == "3号楼"
    assert masked(FORM.field("note"), "王阿姨家楼上漏水") == "[8字]"
    assert masked(FORM.field("kind"), "water") == "water" and masked(FORM.field("visit"), True) == "true"
    assert masked(None, "anything") == "***"


def test_every_staff_change_appears_exactly_once_with_old_and_new(kiosk):
    case = _case(kiosk)
    case.set("name", "李四")
    case.set("phone", "13812345678")
    case.set("phone", "13987654321")
    case.set("note", "灯不亮")
    case.clear("note")
    case.set("kind", "water")
    case.set("visit", False)
    receipt = case.submit().submission.receipt_no
    changes = [(e.action, e.field, e.old, e.new) for e in kiosk.mode.audit.entries()
               if e.action in ("edit", "override", "clear", "clear_dependent", "submit")]
    assert changes == [
        ("edit", "name", "张*", "李*"),
        ("edit", "phone", "", "138****5678"),
        ("edit", "phone", "138****5678", "139****4321"),
        ("edit", "note", "", "[3字]"),
        ("clear", "note", "[3字]", ""),
        ("edit", "kind", "", "water"),
        ("edit", "visit", "", "false"),
        ("submit", "", "", receipt),
    ]
    assert len(kiosk.mode.audit.entries(target=case.draft_id)) == len(changes) + 1   # + draft_open


def test_refused_changes_leave_no_audit_row(kiosk):
    case = _case(kiosk)
    before = len(kiosk.mode.audit.entries())
    with pytest.raises(Exception):
        case.set("phone", "123")
    with pytest.raises(Exception):
        case.set("nonexistent", 1)
    assert len(kiosk.mode.audit.entries()) == before


def test_no_personal_value_reaches_the_log(kiosk, capsys):
    case = _case(kiosk)
    case.set("phone", "13812345678")
    case.set("name", "欧阳小明")
    text = "\n".join(e.line() for e in kiosk.mode.audit.entries())
    for secret in ("13812345678", "张三", "欧阳小明", "小明"):
        assert secret not in text


def test_update_and_delete_are_refused_by_the_database(kiosk, tmp_path):
    kiosk.mode.audit.record("S01", "login")
    raw = sqlite3.connect(tmp_path / "kiosk.db")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE staff_audit SET staff = 'someone else'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("DELETE FROM staff_audit")
    raw.close()
    with pytest.raises(StoreError):
        with kiosk.store.db.transaction() as conn:
            conn.execute("DELETE FROM staff_audit WHERE id = 1")
    assert [e.staff for e in kiosk.mode.audit.entries()] == ["S01"]


def test_hash_chain_notices_rows_removed_behind_the_triggers(kiosk, tmp_path):
    for action in ("login", "edit", "logout"):
        kiosk.mode.audit.record("S01", action)
    assert kiosk.mode.audit.verify() == []
    raw = sqlite3.connect(tmp_path / "kiosk.db")
    raw.execute("DROP TRIGGER staff_audit_no_delete")
    raw.execute("DELETE FROM staff_audit WHERE action = 'edit'")
    raw.commit()
    raw.close()
    assert kiosk.mode.audit.verify() == [3]


def test_kiosk_staff_cli_sets_pin_and_prints_audit_and_tickets(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("KIOSK_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("KIOSK_STAFF_SECRET", "staff-secret-8Hq2Xv9Lp")
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("111111\n"))
    assert main(["staff", "set-pin", "--staff", "S07", "--pin-stdin"]) == 2
    assert "太简单" in capsys.readouterr().out
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO("582036\n"))
    assert main(["staff", "set-pin", "--staff", "S07", "--pin-stdin"]) == 0
    assert main(["staff", "audit", "--verify"]) == 0
    out = capsys.readouterr().out
    assert "set_pin" in out and "S07" in out and "582036" not in out and "intact" in out
    assert main(["staff", "tickets"]) == 0
    assert "no open tickets" in capsys.readouterr().out
