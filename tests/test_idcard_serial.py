"""The real GA 467 serial reader against the protocol simulator on a socat pty pair."""
from __future__ import annotations

import contextlib
import datetime as dt
import logging
import shutil
import threading

import pytest
from idcard_support import TODAY, expired, helper_card, other_birth, raw_card, wrong_check_digit

from kiosk.idcard import frames
from kiosk.idcard.reader import Ga467Reader, ReadFailed
from kiosk.idcard.simulator import pty_pair, simulated_reader

pytestmark = pytest.mark.skipif(shutil.which("socat") is None, reason="Debian socat is not installed")


class FakeClock:
    """Card-wait clock: each poll's sleep advances it, so 15 s pass without waiting."""

    def __init__(self):
        self.now = 1000.0
        self.sleeps = 0

    def __call__(self) -> float:
        return self.now

    def sleep(self, s: float) -> None:
        self.sleeps += 1
        self.now += s


@pytest.fixture
def rig():
    """start(card, scenario, **kw) -> (reader, simulator, clock); everything stopped afterwards."""
    with contextlib.ExitStack() as stack:

        def start(card=None, scenario="valid", **kw):
            host, sim = stack.enter_context(simulated_reader(card, scenario, **kw))
            clock = FakeClock()
            reader = Ga467Reader(host, 115200, clock=clock, sleep=clock.sleep,
                                 command_timeout_s=0.6, read_timeout_s=0.6)
            stack.callback(reader.close)
            return reader, sim, clock

        yield start


def test_reads_a_valid_card_and_never_logs_it(rig, caplog):
    caplog.set_level(logging.DEBUG)
    reader, sim, _ = rig(raw_card(), find_misses=2)
    card = reader.read_card(today=TODAY)
    assert card.name == "张秀英"
    assert card.sex == "female"
    assert card.birth_date == dt.date(1955, 8, 10)
    assert card.address.endswith("5号楼2单元301室")
    assert card.id_number[6:14] == "19550810"
    assert card.valid_until is None
    assert sim.commands == [frames.FIND_CARD] * 3 + [frames.SELECT_CARD, frames.READ_TEXT_PHOTO]
    assert not hasattr(card, "photo")
    for secret in (card.name, card.id_number, card.address, card.id_number[-4:]):
        assert secret not in caplog.text
        assert secret not in repr(card)


def test_sam_status_and_id(rig):
    reader, _sim, _ = rig(raw_card())
    info = reader.sam()
    assert info.ok
    assert info.sam_id == "05.01-20260101-0000000001-0000000042"


def test_no_card_within_the_wait_is_no_card(rig):
    reader, sim, clock = rig(None, "no_card")
    with pytest.raises(ReadFailed) as err:
        reader.read_card(15, today=TODAY)
    assert err.value.code == "no_card"
    assert clock.now - 1000.0 >= 15
    assert set(sim.commands) == {frames.FIND_CARD}


def test_a_card_placed_late_is_still_read(rig):
    reader, _sim, clock = rig(raw_card(), find_misses=30)
    assert reader.read_card(15, today=TODAY).name == "张秀英"
    assert clock.sleeps == 30


@pytest.mark.parametrize("scenario, code", [
    ("removed", "removed"),
    ("silent_read", "removed"),
    ("bad_checksum", "unreadable"),
    ("garbage", "unreadable"),
    ("truncated", "unreadable"),
    ("wrong_length", "unreadable"),
    ("oversize", "unreadable"),
    ("sam_fault", "sam_fault"),
])
def test_faults_on_the_wire_are_refused_with_a_code(rig, scenario, code, caplog):
    caplog.set_level(logging.DEBUG)
    reader, _sim, _ = rig(raw_card(), scenario)
    with pytest.raises(ReadFailed) as err:
        reader.read_card(today=TODAY)
    assert err.value.code == code
    assert "张秀英" not in caplog.text


@pytest.mark.parametrize("card, code", [
    (wrong_check_digit(), "check_digit"),
    (other_birth(), "mismatch"),
    (expired(), "expired"),
    (raw_card(birth="19550231", id_number="33010619550231024X"), "mismatch"),
])
def test_cards_that_disagree_with_themselves_are_refused(rig, card, code):
    reader, _sim, _ = rig(card)
    with pytest.raises(ReadFailed) as err:
        reader.read_card(today=TODAY)
    assert err.value.code == code


def test_sam_fault_is_reported_by_sam(rig):
    reader, _sim, _ = rig(None, "sam_fault")
    info = reader.sam()
    assert not info.ok and info.code == "sam_fault"


def test_a_second_card_after_the_first(rig):
    reader, sim, _ = rig(raw_card())
    assert reader.read_card(today=TODAY).name == "张秀英"
    sim.card = helper_card()
    assert reader.read_card(today=TODAY).name == "李建国"


def test_cancel_stops_the_wait(rig):
    reader, _sim, _ = rig(None, "no_card")
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ReadFailed) as err:
        reader.read_card(15, cancel=cancel, today=TODAY)
    assert err.value.code == "cancelled"


def test_a_missing_port_is_no_reader():
    with pytest.raises(ReadFailed) as err:
        Ga467Reader("/dev/does-not-exist-idcard").read_card(today=TODAY)
    assert err.value.code == "no_reader"
    assert not Ga467Reader("/dev/does-not-exist-idcard").sam().ok


def test_a_silent_port_is_no_reader():
    with pty_pair() as (host, _device):     # nothing answers on the other end
        reader = Ga467Reader(host, command_timeout_s=0.3)
        with pytest.raises(ReadFailed) as err:
            reader.read_card(today=TODAY)
        assert err.value.code == "no_reader"
        assert reader.sam().code == "no_reader"
        reader.close()
