"""Staff PIN: slow salted hash, never stored plain, lockout after 5 wrong, idle logout."""
from __future__ import annotations

import json

import pytest
from staff_support import FAST_KDF, OTHER_PIN, PIN, Kiosk

from kiosk.config import StaffSettings
from kiosk.staff.errors import LoggedOut, NoPinSet, PinLocked, StaffError, WrongPin
from kiosk.staff.pin import PinKdf, PinVault, hash_pin, pin_matches


@pytest.fixture
def kiosk(tmp_path):
    k = Kiosk(tmp_path)
    yield k
    k.close()


def test_default_pin_hash_is_scrypt_with_a_real_cost_and_a_salt():
    record = json.loads(hash_pin(PIN))
    assert record["kdf"] == "scrypt" and record["n"] >= 2 ** 15 and record["r"] >= 8
    assert len(record["salt"]) >= 20                      # 16 random bytes, base64
    assert pin_matches(PIN, hash_pin(PIN)) and not pin_matches(OTHER_PIN, hash_pin(PIN))
    assert PinVault.__init__.__kwdefaults__["kdf"] == PinKdf() and PinKdf().n >= 2 ** 15


def test_same_pin_twice_gives_different_hashes():
    a, b = json.loads(hash_pin(PIN, FAST_KDF)), json.loads(hash_pin(PIN, FAST_KDF))
    assert a["salt"] != b["salt"] and a["hash"] != b["hash"]


def test_the_pin_is_never_in_the_database_file(kiosk, tmp_path):
    kiosk.mode.login(PIN)
    kiosk.store.db.checkpoint()
    raw = b"".join(p.read_bytes() for p in tmp_path.iterdir() if p.name.startswith("kiosk.db"))
    assert PIN.encode() not in raw and PIN.encode("utf-16-le") not in raw


@pytest.mark.parametrize("pin,key", [("1234", "staff.pin_rules"), ("12a456", "staff.pin_rules"),
                                     ("111111", "staff.pin_weak"), ("345678", "staff.pin_weak"),
                                     ("987654", "staff.pin_weak")])
def test_weak_or_malformed_pins_are_refused(kiosk, pin, key):
    with pytest.raises(StaffError) as err:
        kiosk.mode.pins.set_pin("S02", pin)
    assert err.value.key == key and err.value.message()


def test_two_staff_cannot_share_a_pin_and_each_logs_in_as_themselves(kiosk):
    with pytest.raises(StaffError, match="staff.pin_taken"):
        kiosk.mode.pins.set_pin("S02", PIN)
    kiosk.mode.pins.set_pin("S02", OTHER_PIN)
    assert kiosk.mode.login(OTHER_PIN).staff_id == "S02"
    assert kiosk.mode.login(PIN).staff_id == "S01"


def test_no_pin_set_says_how_to_set_one(tmp_path):
    from kiosk.store.db import Database
    vault = PinVault(Database(tmp_path / "x.db"), kdf=FAST_KDF)
    with pytest.raises(NoPinSet) as err:
        vault.verify(PIN)
    assert "kiosk staff set-pin" in err.value.message()


def test_five_wrong_pins_lock_entry_even_for_the_right_pin_then_it_opens(kiosk):
    mode = kiosk.mode
    for left in (4, 3, 2, 1):
        with pytest.raises(WrongPin) as err:
            mode.login("000111")
        assert err.value.params["attempts_left"] == left
    with pytest.raises(PinLocked) as err:
        mode.login("000111")
    assert err.value.params["minutes"] == 5 and "5 分钟" in err.value.message()
    kiosk.clock.advance(299)
    with pytest.raises(PinLocked):
        mode.login(PIN)                                   # right PIN, still locked
    kiosk.clock.advance(2)
    assert mode.login(PIN).staff_id == "S01"
    actions = [e.action for e in mode.audit.entries()]
    assert actions.count("pin_lockout") == 1 and actions[-1] == "login"


def test_the_lock_survives_a_restart(kiosk, tmp_path):
    for _ in range(5):
        with pytest.raises((WrongPin, PinLocked)):
            kiosk.mode.login("000111")
    again = PinVault(kiosk.store.db, clock=kiosk.clock, kdf=FAST_KDF)
    with pytest.raises(PinLocked):
        again.verify(PIN)


def test_a_right_pin_resets_the_failure_count(kiosk):
    for _ in range(4):
        with pytest.raises(WrongPin):
            kiosk.mode.login("000111")
    kiosk.mode.login(PIN)
    with pytest.raises(WrongPin) as err:
        kiosk.mode.login("000111")
    assert err.value.params["attempts_left"] == 4


def test_lockout_follows_settings(tmp_path):
    k = Kiosk(tmp_path, settings=StaffSettings(max_pin_attempts=2, lockout_s=60))
    with pytest.raises(WrongPin):
        k.mode.login("000111")
    with pytest.raises(PinLocked):
        k.mode.login("000111")
    k.clock.advance(61)
    assert k.mode.login(PIN)
    k.close()


def test_idle_staff_are_logged_out_and_must_unlock_again(kiosk):
    staff = kiosk.mode.login(PIN)
    kiosk.clock.advance(179)
    assert staff.tickets() == [] and staff.tick()         # an action resets the idle timer
    kiosk.clock.advance(179)
    assert staff.tick()
    kiosk.clock.advance(2)
    assert not staff.tick() and staff.ended == "idle"
    with pytest.raises(LoggedOut) as err:
        staff.tickets()
    assert err.value.message()
    logouts = [e for e in kiosk.mode.audit.entries() if e.action == "logout"]
    assert [e.reason for e in logouts] == ["idle"]


def test_an_action_after_the_idle_limit_is_refused_even_without_a_tick(kiosk):
    staff = kiosk.mode.login(PIN)
    kiosk.clock.advance(181)
    with pytest.raises(LoggedOut):
        staff.drafts()
    assert kiosk.mode.current is None


def test_idle_limit_follows_settings(tmp_path):
    k = Kiosk(tmp_path, settings=StaffSettings(idle_logout_s=30))
    staff = k.mode.login(PIN)
    k.clock.advance(31)
    assert not staff.tick()
    k.close()
