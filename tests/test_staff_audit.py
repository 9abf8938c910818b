"""The audit log: every staff change exactly once, masked values, append-only, `kiosk staff audit`."""
from __future__ import annotations

import sqlite3

import pytest
from staff_support import FORM, PIN, Kiosk, fill_prelude, say_all

from kiosk.catalogue.spec import FieldSpec
from kiosk.cli import main
from kiosk.staff.audit import masked
from kiosk.staff.errors import StaffError
from kiosk.store.model import StoreError

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
    with pytest.raises(StaffError):
        case.set("phone", "123")
    with pytest.raises((StaffError, KeyError)):
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


def _raw(tmp_path) -> sqlite3.Connection:
    raw = sqlite3.connect(tmp_path / "kiosk.db", isolation_level=None)
    raw.execute("DROP TRIGGER IF EXISTS staff_audit_no_delete")
    raw.execute("DROP TRIGGER IF EXISTS staff_audit_no_update")
    return raw


def _five_rows(kiosk):
    for action in ("login", "edit", "edit", "submit", "logout"):
        kiosk.mode.audit.record("S01", action, "D1", new=f"{action}-value")
    assert kiosk.mode.audit.verify() == [] and kiosk.mode.audit.verify(kiosk.store.keyring) == []


def _recompute_with_the_current_key(raw) -> None:
    """The strongest attacker with the disk: relink every row and re-MAC from the key on disk."""
    from kiosk.staff.audit import GENESIS, _evolve, _mac

    key = bytes.fromhex(raw.execute("SELECT value FROM meta WHERE key = 'audit.key'").fetchone()[0])
    rows = raw.execute("SELECT id, ts, staff, action, target, field, old, new, reason FROM staff_audit "
                       "ORDER BY id").fetchall()
    prev = GENESIS
    for n, (row_id, ts, staff, action, target, field, old, new, reason) in enumerate(rows):
        vmac = _mac(key, "v", n, old, new, reason)
        digest = _mac(key, "r", n, prev, ts, staff, action, target, field, vmac)
        raw.execute("UPDATE staff_audit SET prev_hash = ?, hash = ?, vmac = ? WHERE id = ?",
                    (prev, digest, vmac, row_id))
        prev = digest
        key = _evolve(key)
    raw.execute("UPDATE meta SET value = ? WHERE key = 'audit.key'", (key.hex(),))
    raw.execute("UPDATE meta SET value = ? WHERE key = 'audit.count'", (str(len(rows)),))


def test_deleting_the_newest_row_is_detected(kiosk, tmp_path):
    _five_rows(kiosk)
    raw = _raw(tmp_path)
    raw.execute("DELETE FROM staff_audit WHERE id = 5")
    assert kiosk.mode.audit.verify() == [5] and kiosk.mode.audit.verify(kiosk.store.keyring) == [5]
    # ... even when the count beside the key is lowered too: the key on disk is one step ahead.
    raw.execute("UPDATE meta SET value = '4' WHERE key = 'audit.count'")
    raw.close()
    assert kiosk.mode.audit.verify() == []                          # links alone cannot tell
    assert kiosk.mode.audit.verify(kiosk.store.keyring) == [5]


def test_deleting_a_middle_row_and_recomputing_is_detected(kiosk, tmp_path):
    _five_rows(kiosk)
    raw = _raw(tmp_path)
    raw.execute("DELETE FROM staff_audit WHERE id = 3")
    assert kiosk.mode.audit.verify() == [4]                         # naive deletion: the link breaks
    _recompute_with_the_current_key(raw)
    raw.close()
    assert kiosk.mode.audit.verify() == []                          # links and count now agree...
    assert kiosk.mode.audit.verify(kiosk.store.keyring) == [1, 2, 4, 5]   # ...but no row's HMAC does


def test_rewriting_a_row_is_detected(kiosk, tmp_path):
    _five_rows(kiosk)
    raw = _raw(tmp_path)
    raw.execute("UPDATE staff_audit SET new = '139****0000' WHERE id = 2")
    raw.close()
    assert kiosk.mode.audit.verify(kiosk.store.keyring) == [2]
    raw = _raw(tmp_path)
    raw.execute("UPDATE staff_audit SET staff = 'S99' WHERE id = 4")
    raw.close()
    assert kiosk.mode.audit.verify(kiosk.store.keyring) == [2, 4]


def test_an_anchor_kept_by_the_central_catches_a_rewritten_history(kiosk, tmp_path):
    _five_rows(kiosk)
    head = kiosk.mode.audit.head()
    assert head.count == 5 and head.id == 5 and len(head.hash) == 64
    raw = _raw(tmp_path)
    raw.execute("DELETE FROM staff_audit WHERE id >= 4")
    _recompute_with_the_current_key(raw)
    raw.close()
    assert kiosk.mode.audit.verify() == []
    assert kiosk.mode.audit.verify(anchor=head) == [5]


def test_retention_blanks_values_and_the_chain_still_proves(kiosk, tmp_path):
    import datetime as dt

    _five_rows(kiosk)
    kiosk.clock.advance(400 * 86400)
    kiosk.mode.audit.record("S01", "login")
    assert kiosk.mode.audit.purge_values(kiosk.clock.now - dt.timedelta(days=365)) == 5
    assert [e.new for e in kiosk.mode.audit.entries()][:5] == [""] * 5
    assert kiosk.mode.audit.verify(kiosk.store.keyring) == []
    raw = sqlite3.connect(tmp_path / "kiosk.db")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        raw.execute("UPDATE staff_audit SET new = 'x' WHERE id = 1")   # purged once, never rewritten
    raw.close()


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
