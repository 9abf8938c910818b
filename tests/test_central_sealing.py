"""Free text is sealed like personal fields in sync payloads and at the central service.

Free text holds names and phones in the resident's own words. Checked where it could leak: the
outbox payload, the bytes that cross the network, the `payload` column as PostgreSQL returns it,
and the raw table files on disk (heap and TOAST, after a CHECKPOINT). A control value written in
clear (the receipt number) is found by the same raw search, so the search itself works.
"""
from __future__ import annotations

import json
import re
import uuid as uuidlib

import httpx
import psycopg
import pytest
from central_support import (
    FORMS,
    SECRET,
    STAFF_PASSWORD,
    STAFF_USER,
    ServerThread,
    central_app,
    cluster,
    kiosk_store,
    rows,
)

from kiosk.central.store import CentralStore
from kiosk.store.model import Draft, sealed_field_ids
from kiosk.sync.client import SyncClient

FREE_TEXT = "楼上邻居王秀兰家漏水，她电话13900001111"
MARKERS = ("王秀兰", "13900001111", "漏水")


class Recorder(httpx.BaseTransport):
    """A real HTTP transport that keeps every request body."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.bodies: list[bytes] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.bodies.append(request.read())
        return self.inner.handle_request(request)


def _raw_table_bytes(dsn: str, table: str) -> bytes:
    """The table's heap and TOAST files as PostgreSQL wrote them to disk."""
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CHECKPOINT")
        paths = [conn.execute("SELECT pg_relation_filepath(%s::regclass)", (table,)).fetchone()[0]]
        toast = conn.execute("SELECT reltoastrelid FROM pg_class WHERE relname = %s", (table,)).fetchone()[0]
        if toast:
            paths.append(conn.execute("SELECT pg_relation_filepath(%s::oid::regclass)", (toast,)).fetchone()[0])
    return b"".join((cluster().data / rel).read_bytes() for rel in paths if (cluster().data / rel).exists())


@pytest.fixture
def central(tmp_path):
    dsn = cluster().new_database()
    server = ServerThread(central_app(dsn)).start()
    store = CentralStore(dsn)
    store.set_password(STAFF_USER, STAFF_PASSWORD)
    yield dsn, server, store
    server.stop()


def _complaint(kiosk, content: str = FREE_TEXT):
    answers = {"kind": "suggestion", "topic": "other", "content": content, "wants_callback": False}
    form = FORMS["complaint"]
    answers = {k: v for k, v in answers.items() if k in {f.id for f in form.fields}}
    return kiosk.submit(Draft(uuidlib.uuid4().hex, "complaint", answers, sealed_field_ids(form.fields, answers)))


def test_free_text_is_sealed_on_the_wire_and_in_postgresql(central, tmp_path):
    dsn, server, store = central
    kiosk = kiosk_store(tmp_path)
    sub = _complaint(kiosk)
    payload = kiosk.outbox.pending(10)[0].payload
    assert "content" in payload["sealed"] and "content" not in payload["answers"]
    wire = Recorder()
    with SyncClient(kiosk, server.url, store.add_kiosk("K01"), "K01", transport=wire) as client:
        assert client.sync_once().sent == 1
    for marker in MARKERS:
        assert not any(marker.encode() in body or json.dumps(marker).encode() in body for body in wire.bodies)
    column = rows(dsn, "SELECT payload::text FROM submissions WHERE uuid = %s", sub.uuid)[0][0]
    assert not any(m in column for m in MARKERS) and '"content"' in column
    raw = _raw_table_bytes(dsn, "submissions")
    assert sub.receipt_no.encode() in raw                         # control: clear text is found this way
    for marker in MARKERS:
        assert marker.encode() not in raw


def test_plain_free_text_from_an_older_kiosk_is_sealed_by_the_central(central, tmp_path):
    dsn, server, store = central
    kiosk = kiosk_store(tmp_path)
    token = store.add_kiosk("K01")
    with SyncClient(kiosk, server.url, token, "K01") as client:
        client.register()
    item = {"v": 1, "uuid": "f" * 32, "receipt_no": "20270228-K01-0042", "kiosk_id": "K01", "form_id": "complaint",
            "created_at": "2027-02-28T09:30:00+08:00", "check_code": "ABC123", "key_id": kiosk.keyring.key_id,
            "answers": {"topic": "other", "content": FREE_TEXT, "extra_note": "王秀兰"}, "sealed": {},
            "personal": []}
    auth = {"Authorization": f"Bearer {token}"}
    answer = httpx.post(f"{server.url}/api/v1/submissions", headers=auth, json={"v": 1, "kiosk_id": "K01",
                                                                                "items": [item]})
    assert answer.json()["accepted"] == ["f" * 32]
    stored = rows(dsn, "SELECT payload FROM submissions WHERE uuid = %s", "f" * 32)[0][0]
    assert stored["answers"] == {"topic": "other"}                 # a known choice stays readable
    assert set(stored["sealed"]) == {"content", "extra_note"}      # free text and unknown fields sealed
    for marker in MARKERS:
        assert marker.encode() not in _raw_table_bytes(dsn, "submissions")
    # without the kiosk's key registered, the central cannot seal: the item waits (refused, retried)
    other = store.add_kiosk("K02")
    answer = httpx.post(f"{server.url}/api/v1/submissions", headers={"Authorization": f"Bearer {other}"},
                        json={"v": 1, "kiosk_id": "K02", "items": [{**item, "uuid": "e" * 32, "kiosk_id": "K02",
                                                                      "receipt_no": "20270228-K02-0001"}]})
    assert answer.json()["rejected"] == [{"uuid": "e" * 32, "reason": "unknown_key"}]
    # staff who unlocked K01 read the free text in full on the detail page, as its length in the list
    client = httpx.Client(base_url=server.url, follow_redirects=True)
    page = client.get("/console/login")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    page = client.post("/console/login", data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrf": csrf})
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text).group(1)
    listing = client.post("/console/unlock", data={"kiosk_id": "K01", "secret": SECRET, "csrf": csrf}).text
    assert f"[{len(FREE_TEXT)}字]" in listing and "王秀兰" not in listing
    detail = client.get(f"/console/s/{'f' * 32}").text
    assert FREE_TEXT in detail


def test_a_central_that_lost_the_kiosk_key_gets_it_again_in_the_same_round(central, tmp_path):
    dsn, server, store = central
    kiosk = kiosk_store(tmp_path)
    client = SyncClient(kiosk, server.url, store.add_kiosk("K01"), "K01")
    client.register()
    rows(dsn, "DELETE FROM kiosk_keys")                        # e.g. the central's database restored
    # a kiosk with a newer form: an answer the central does not know stays plain, so the central seals it
    form = FORMS["complaint"]
    answers = {"topic": "other", "content": FREE_TEXT, "new_question": "王秀兰的女儿"}
    sub = kiosk.submit(Draft(uuidlib.uuid4().hex, "complaint", answers, sealed_field_ids(form.fields, answers)))
    report = client.sync_once()
    assert report.sent == 1 and report.failed == 0
    stored = rows(dsn, "SELECT payload FROM submissions WHERE uuid = %s", sub.uuid)[0][0]
    assert set(stored["sealed"]) == {"content", "new_question"} and "王秀兰" not in json.dumps(stored, ensure_ascii=False)
    assert rows(dsn, "SELECT count(*) FROM kiosk_keys") == [(1,)]
    client.close()
