"""Personal answers never reach the disk in clear; only the staff secret opens them."""
from __future__ import annotations

import uuid

import pytest

from kiosk.store import Draft, Keyring, ScryptParams, SqliteStore, StoreError

FAST = ScryptParams(n=2 ** 10)
SECRET = "correct horse battery staple"

PEOPLE = [
    {"name": "张秀英", "id_number": "110101195003051234", "phone": "13812345678", "address": "3号楼2单元1502室"},
    {"name": "欧阳建华", "id_number": "33010619480712002X", "phone": "15967891234", "address": "7号楼1单元0301室"},
    {"name": "李桂兰", "id_number": "320102194511230087", "phone": "18655554321", "address": "12号楼3单元1804室"},
]
PERSONAL = {"name", "id_number", "phone", "address"}
PLAIN_MARKER = "居家养老上门服务"     # a non-personal answer: proves the byte search can find text


def _answers(person: dict) -> dict:
    return dict(person, service=PLAIN_MARKER, lives_alone=True)


def _files_bytes(db_path) -> dict[str, bytes]:
    out = {}
    for suffix in ("", "-wal", "-shm"):
        p = db_path.with_name(db_path.name + suffix)
        if p.exists():
            out[p.name] = p.read_bytes()
    return out


def _assert_no_personal(files: dict[str, bytes]) -> None:
    for name, data in files.items():
        for person in PEOPLE:
            for key, value in person.items():
                assert value.encode("utf-8") not in data, f"{key} found in clear in {name}"


@pytest.fixture
def filled(tmp_path):
    """A store with every person submitted, plus one left as a draft (still open)."""
    path = tmp_path / "kiosk.db"
    store = SqliteStore(path, "K01", secret=SECRET, kdf=FAST)
    receipts = []
    for person in PEOPLE:
        d = Draft(uuid.uuid4().hex, "elder_care", {}, set())
        for key, value in _answers(person).items():   # answered one field at a time, saved each time
            d.answers[key] = value
            d.personal = PERSONAL & set(d.answers)
            store.save_draft(d)
        receipts.append(store.submit(d).receipt_no)
    left = Draft(uuid.uuid4().hex, "elder_care", _answers(PEOPLE[0]), set(PERSONAL))
    store.save_draft(left)
    yield store, path, receipts, left
    store.close()


def test_raw_files_hold_no_personal_values(filled):
    store, path, _, _ = filled
    live = _files_bytes(path)
    assert path.name + "-wal" in live and len(live[path.name + "-wal"]) > 0   # the WAL is being searched
    assert any(PLAIN_MARKER.encode() in data for data in live.values())        # the search works
    _assert_no_personal(live)
    store.db.checkpoint()
    _assert_no_personal(_files_bytes(path))
    store.close()
    closed = _files_bytes(path)
    assert PLAIN_MARKER.encode() in closed[path.name]
    _assert_no_personal(closed)


def test_wrong_secret_cannot_read(filled):
    store, path, receipts, left = filled
    store.close()
    with pytest.raises(StoreError) as info:
        SqliteStore(path, "K01", secret="wrong secret")
    assert info.value.code == "wrong_secret"
    locked = SqliteStore(path, "K01")          # no secret: the kiosk can still write
    try:
        with pytest.raises(StoreError) as info:
            locked.unlock("Correct horse battery staple")
        assert info.value.code == "wrong_secret"
        for receipt in receipts:
            with pytest.raises(StoreError) as info:
                locked.get_submission(receipt)
            assert info.value.code == "locked"
            blind = locked.get_submission(receipt, reveal=False)
            assert set(blind.answers) == {"service", "lives_alone"} and blind.personal == PERSONAL
        with pytest.raises(StoreError):
            locked.load_draft(left.draft_id)
        extra = locked.submit(Draft(uuid.uuid4().hex, "elder_care", _answers(PEOPLE[1]), set(PERSONAL)))
        assert extra.receipt_no.endswith("-0004")
    finally:
        locked.close()


def test_right_secret_reads_everything(filled):
    store, path, receipts, left = filled
    store.close()
    opened = SqliteStore(path, "K01", secret=SECRET)
    try:
        for receipt, person in zip(receipts, PEOPLE, strict=True):
            sub = opened.get_submission(receipt)
            assert sub.answers == _answers(person) and sub.personal == PERSONAL
        assert opened.load_draft(left.draft_id).answers == _answers(PEOPLE[0])
    finally:
        opened.close()
    # Unlocking later (staff arrives) works too, and locking again forgets the key.
    later = SqliteStore(path, "K01")
    try:
        later.unlock(SECRET)
        assert later.get_submission(receipts[1]).answers["id_number"] == PEOPLE[1]["id_number"]
        later.lock()
        with pytest.raises(StoreError):
            later.get_submission(receipts[1])
    finally:
        later.close()


def test_sealed_value_is_bound_to_its_row_and_field():
    ring = Keyring.create(SECRET, FAST)
    sealed = ring.seal('"张秀英"', "row-1", "name")
    assert ring.open(sealed, "row-1", "name") == '"张秀英"'
    for row, field in (("row-2", "name"), ("row-1", "helper_name")):
        with pytest.raises(StoreError) as info:
            ring.open(sealed, row, field)
        assert info.value.code == "corrupt" and "张秀英" not in str(info.value)


def test_sealed_lengths_are_padded():
    ring = Keyring.create(SECRET, FAST)
    assert len(ring.seal('"李四"', "r", "f")) == len(ring.seal('"欧阳建华"', "r", "f"))


def test_keyring_record_holds_no_private_key_in_clear():
    ring = Keyring.create(SECRET, FAST)
    private = ring._private.private_bytes_raw()
    import base64
    import json

    record = json.loads(ring.to_json())
    blob = b"".join(base64.b64decode(record[k]) for k in ("public", "wrapped", "nonce"))
    assert private not in blob and SECRET not in ring.to_json()
    again = Keyring.from_json(ring.to_json())
    assert not again.unlocked
    again.unlock(SECRET)
    assert again._private.private_bytes_raw() == private


def test_reprs_hide_answers(filled):
    store, _, receipts, left = filled
    assert "张秀英" not in repr(left) and "张秀英" not in repr(store.get_submission(receipts[0]))
