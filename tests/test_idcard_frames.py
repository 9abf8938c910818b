"""GA 467 frames and the card's text block, without a port: exact bytes, and any bytes refused cleanly."""
from __future__ import annotations

import datetime as dt
import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from idcard_support import TODAY, expired, other_birth, raw_card, wrong_check_digit

from kiosk.idcard import frames
from kiosk.idcard.card import TEXT_LEN, CardRefused, encode_text, parse_text, split_text
from kiosk.idcard.frames import FrameError
from kiosk.idcard.reader import ReadFailed, format_sam_id, split_read
from kiosk.idcard.twin import TwinReader, demo_card


def feed(data: bytes):
    """A serial-like read(n) over fixed bytes, and a clock that ends the wait once they run out."""
    pos = 0
    ticks = itertools.count()

    def read(n: int) -> bytes:
        nonlocal pos
        out = data[pos:pos + n]
        pos += len(out)
        return out

    def clock() -> float:
        return 0.0 if pos < len(data) else float(next(ticks))

    return read, clock


def test_find_card_command_bytes_match_the_published_frame():
    # AA AA AA 96 69 00 03 20 01 22 is the find-card frame quoted in public descriptions
    assert frames.encode_command(frames.FIND_CARD) == bytes.fromhex("AAAAAA9669000320 0122".replace(" ", ""))
    assert frames.encode_command(frames.SAM_STATUS) == bytes.fromhex("AAAAAA96690003 11FF ED".replace(" ", ""))


def test_answer_round_trip_and_checksum():
    frame = frames.encode_answer(frames.SW3_FOUND, b"\x00\x00\x00\x00")
    assert frame == bytes.fromhex("AAAAAA9669" "0008" "00009F" "00000000" "97")
    answer = frames.decode_answer(frame)
    assert (answer.sw1, answer.sw2, answer.sw3, answer.data) == (0, 0, 0x9F, b"\x00" * 4)
    assert frames.xor(frame[5:-1]) == frame[-1]
    with pytest.raises(FrameError) as err:
        frames.decode_answer(frame[:-1] + bytes([frame[-1] ^ 1]))
    assert err.value.code == "bad_checksum"


def test_read_frame_skips_noise_then_refuses_garbage():
    good = frames.encode_answer(frames.SW3_OK)
    read, clock = feed(b"\x00\x13\xaa" + good)
    assert frames.read_frame(read, 10, clock=clock) == good
    read, clock = feed(bytes(range(0xA0)) * 4)
    with pytest.raises(FrameError) as err:
        frames.read_frame(read, 10, clock=clock)
    assert err.value.code == "garbage"


@pytest.mark.parametrize("length, code", [(b"\x00\x02", "bad_length"), (b"\xff\xff", "bad_length"),
                                          (b"\x00\x40", "truncated")])
def test_bad_lengths(length, code):
    read, clock = feed(frames.PREAMBLE + length + b"\x00\x00\x90\x90")
    with pytest.raises(FrameError) as err:
        frames.read_frame(read, 10, clock=clock)
    assert err.value.code == code


def test_text_block_round_trip():
    block = encode_text(raw_card())
    assert len(block) == TEXT_LEN
    assert split_text(block)["name"] == "张秀英"
    card = parse_text(block, TODAY)
    assert card.birth_date == dt.date(1955, 8, 10)
    assert card.masked()["id_number"].endswith(card.tail)
    assert "张秀英" not in repr(card) and card.id_number not in str(card)


@pytest.mark.parametrize("fields, code", [
    (wrong_check_digit(), "check_digit"),
    (other_birth(), "mismatch"),
    (expired(), "expired"),
    (raw_card(sex="1"), "mismatch"),
    (raw_card(sex="9"), "mismatch"),
    (raw_card(valid_from="20300101"), "mismatch"),
    (raw_card(valid_until="2030-1-1"), "mismatch"),
    (raw_card(name=""), "unreadable"),
    (raw_card(id_number="99010619550810024X"), "mismatch"),
])
def test_refused_cards(fields, code):
    with pytest.raises(CardRefused) as err:
        parse_text(encode_text(fields), TODAY)
    assert err.value.code == code


def test_expiry_is_judged_against_the_given_day():
    fields = expired()
    assert parse_text(encode_text(fields), dt.date(2026, 2, 1)).valid_until == dt.date(2026, 3, 1)


def test_read_answer_blocks():
    text = encode_text(raw_card())
    data = (256).to_bytes(2, "big") + (1024).to_bytes(2, "big") + text + bytes(1024)
    assert split_read(data) == (text, 1024)
    for broken in (data[:-1], (255).to_bytes(2, "big") + data[2:], data[:3]):
        with pytest.raises(ReadFailed):
            split_read(broken)


def test_sam_id_format():
    raw = bytes([5, 0, 1, 0]) + (20101010).to_bytes(4, "little") + (12345678).to_bytes(4, "little") \
        + (1234567890).to_bytes(4, "little")
    assert format_sam_id(raw) == "05.01-20101010-0012345678-1234567890"


def test_twin_applies_the_same_checks():
    reader = TwinReader([demo_card(), "removed", demo_card(valid_until=dt.date(2020, 1, 1))])
    assert reader.read_card(today=TODAY).name == "张秀英"
    for code in ("removed", "expired"):
        with pytest.raises(ReadFailed) as err:
            reader.read_card(today=TODAY)
        assert err.value.code == code


def _whole_read(data: bytes) -> None:
    """Everything the host does with the bytes of one read answer."""
    read, clock = feed(data)
    answer = frames.decode_answer(frames.read_frame(read, 10, clock=clock))
    text, _ = split_read(answer.data)
    parse_text(text, TODAY)


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=2000))
def test_any_byte_stream_is_refused_cleanly(data):
    try:
        _whole_read(data)
    except (FrameError, ReadFailed, CardRefused):
        pass


@settings(max_examples=200, deadline=None)
@given(st.binary(min_size=TEXT_LEN, max_size=TEXT_LEN))
def test_any_text_block_is_parsed_or_refused(block):
    try:
        parse_text(block, TODAY)
    except CardRefused as err:
        assert err.code in ("unreadable", "check_digit", "mismatch", "expired")


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=1400), st.integers(0, 0xFFFF))
def test_well_framed_random_payloads_are_refused_cleanly(payload, text_len):
    data = text_len.to_bytes(2, "big") + payload
    frame = frames.encode_answer(frames.SW3_OK, data)
    try:
        _whole_read(frame)
    except (FrameError, ReadFailed, CardRefused):
        pass


class BytesPort:
    """A serial port whose reader sends exactly `data`, then nothing (serial_factory for Ga467Reader)."""

    def __init__(self, data: bytes):
        self.data = data
        self.written = bytearray()

    def __call__(self, *_args, **_kwargs) -> "BytesPort":
        return self

    def reset_input_buffer(self) -> None:
        pass

    def write(self, b: bytes) -> int:
        self.written += b
        return len(b)

    def flush(self) -> None:
        pass

    def read(self, n: int) -> bytes:
        out, self.data = self.data[:n], self.data[n:]
        return out

    def close(self) -> None:
        pass


@settings(max_examples=150, deadline=None)
@given(st.lists(st.binary(max_size=1400), min_size=1, max_size=4))
def test_the_reader_refuses_any_answers_with_a_code(answers):
    from kiosk.idcard.reader import FAIL_CODES, Ga467Reader

    port = BytesPort(b"".join(answers))
    reader = Ga467Reader("/dev/null", serial_factory=port, command_timeout_s=0.005, read_timeout_s=0.005,
                         sleep=lambda _s: None)
    try:
        reader.read_card(0, today=TODAY)
    except ReadFailed as err:
        assert err.code in FAIL_CODES
    assert reader.sam().code in ("", *FAIL_CODES)


@settings(max_examples=100, deadline=None)
@given(st.sampled_from([frames.SW3_FOUND, frames.SW3_OK, frames.SW3_NO_CARD, 0x41, 0x60, 0x24, 0x33]),
       st.binary(max_size=1300))
def test_well_framed_answers_in_any_order_never_crash_the_reader(sw3, data):
    from kiosk.idcard.reader import FAIL_CODES, Ga467Reader

    stream = frames.encode_answer(frames.SW3_FOUND) + frames.encode_answer(sw3, data[:8]) \
        + frames.encode_answer(sw3, data)
    reader = Ga467Reader("/dev/null", serial_factory=BytesPort(stream), command_timeout_s=0.005,
                         read_timeout_s=0.005, sleep=lambda _s: None)
    try:
        reader.read_card(0, today=TODAY)
    except ReadFailed as err:
        assert err.code in FAIL_CODES
