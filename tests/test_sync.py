"""Sync client against the real central service (uvicorn + a throwaway PostgreSQL cluster).

Exactly-once delivery with a lost acknowledgement, network down and back, 5xx and timeouts,
wrong token, the background worker, the CLI, and no personal data in requests or logs.
"""
from __future__ import annotations

import json
import logging
import time

import httpx
import pytest
from central_support import (
    PERSONAL_STRINGS,
    ServerThread,
    central_app,
    cluster,
    free_port,
    kiosk_store,
    rows,
    submit_allowance,
)

from kiosk.central.store import CentralStore
from kiosk.cli import main as cli_main
from kiosk.config import load_settings
from kiosk.store.sqlite import SqliteStore
from kiosk.sync.client import REGISTERED_META, SyncClient, SyncError
from kiosk.sync.worker import SyncWorker, backoff_s, start_sync


@pytest.fixture
def central():
    """A fresh database, a running server and a token for kiosk K01."""
    dsn = cluster().new_database()
    server = ServerThread(central_app(dsn)).start()
    token = CentralStore(dsn).add_kiosk("K01")
    yield dsn, server, token
    server.stop()


class Recorder(httpx.BaseTransport):
    """A real HTTP transport that keeps every request body and can lose the next answer(s)."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.bodies: list[bytes] = []
        self.drop_answers = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = request.read()
        self.bodies.append(body)
        response = self.inner.handle_request(request)
        response.read()
        if self.drop_answers and request.url.path.endswith("/submissions"):
            self.drop_answers -= 1
            raise httpx.ReadError("connection reset after the server committed", request=request)
        return response


def count(dsn: str) -> int:
    return rows(dsn, "SELECT count(*) FROM submissions")[0][0]


def test_outbox_reaches_postgresql_once_and_is_marked_sent(tmp_path, central):
    dsn, server, token = central
    store = kiosk_store(tmp_path)
    subs = [submit_allowance(store) for _ in range(3)]
    with SyncClient(store, server.url, token, "K01", batch_size=2) as client:
        report = client.sync_once()
        assert (report.sent, report.failed, report.pending, report.ok) == (3, 0, 0, True)
        assert client.sync_once().sent == 0           # nothing left, nothing re-sent
    got = rows(dsn, "SELECT uuid, receipt_no, kiosk_id, form_id, status, payload->>'v' FROM submissions "
                    "ORDER BY receipt_no")
    assert got == [(s.uuid, s.receipt_no, "K01", "elderly_allowance", "received", "1") for s in subs]
    assert store.outbox.count_pending() == 0
    # the key is registered once, with the wrapped private key and the fingerprint
    keys = rows(dsn, "SELECT kiosk_id, key_id, keyring->>'wrapped' IS NOT NULL FROM kiosk_keys")
    assert keys == [("K01", store.keyring.key_id, True)]
    assert store.db.get_meta(REGISTERED_META)


def test_lost_acknowledgement_then_retry_keeps_one_copy(tmp_path, central):
    dsn, server, token = central
    store = kiosk_store(tmp_path)
    subs = [submit_allowance(store) for _ in range(2)]
    transport = Recorder()
    transport.drop_answers = 1
    with SyncClient(store, server.url, token, "K01", transport=transport) as client:
        lost = client.sync_once()
        assert lost.error == "network" and lost.sent == 0 and lost.pending == 2
        assert count(dsn) == 2                         # the server did commit the batch
        assert store.outbox.count_pending() == 2       # but the kiosk never heard so: keeps them
        retry = client.sync_once()
    assert (retry.sent, retry.pending, retry.ok) == (2, 0, True)
    assert sorted(r[0] for r in rows(dsn, "SELECT uuid FROM submissions")) == sorted(s.uuid for s in subs)
    assert count(dsn) == 2


def test_server_down_keeps_outbox_and_later_round_sends(tmp_path, central):
    dsn, server, token = central
    store = kiosk_store(tmp_path)
    with SyncClient(store, server.url, token, "K01", timeout_s=3) as client:
        assert client.sync_once().ok                   # registers while the server is up
        server.stop()
        first = submit_allowance(store)
        down = client.sync_once()
        assert down.error == "network" and down.pending == 1 and down.sent == 0
        second = submit_allowance(store)               # the kiosk keeps working offline
        assert client.sync_once().pending == 2
        server.start()                                 # same port: the network is back
        back = client.sync_once()
    assert (back.sent, back.pending, back.ok) == (2, 0, True)
    assert {r[0] for r in rows(dsn, "SELECT receipt_no FROM submissions")} == {first.receipt_no, second.receipt_no}


@pytest.mark.parametrize("failure", ["http500", "http503", "timeout", "garbage"])
def test_server_errors_and_timeouts_lose_nothing(tmp_path, failure):
    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return httpx.Response(200, json={"ok": True})
        if failure == "timeout":
            raise httpx.ReadTimeout("slow", request=request)
        if failure == "garbage":
            return httpx.Response(200, text="<html>proxy login</html>")
        return httpx.Response(int(failure[4:]), json={"detail": "down"})

    store = kiosk_store(tmp_path)
    submit_allowance(store)
    with SyncClient(store, "https://central.invalid", "t", "K01", transport=httpx.MockTransport(handler)) as client:
        report = client.sync_once()
    assert not report.ok and report.sent == 0 and report.pending == 1
    assert report.error == {"http500": "server", "http503": "server", "timeout": "timeout",
                            "garbage": "server"}[failure]
    assert store.outbox.count_pending() == 1


def test_only_listed_uuids_are_marked_sent(tmp_path):
    store = kiosk_store(tmp_path)
    kept, acked = submit_allowance(store), submit_allowance(store)

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return httpx.Response(200, json={"ok": True})
        return httpx.Response(200, json={"accepted": [acked.uuid, "f" * 32],
                                         "rejected": [{"uuid": kept.uuid, "reason": "newer_payload"}]})

    with SyncClient(store, "https://central.invalid", "t", "K01", transport=httpx.MockTransport(handler)) as client:
        report = client.sync_once()
    assert (report.sent, report.failed, report.pending, report.error) == (1, 1, 1, "refused")
    assert [i.submission_uuid for i in store.outbox.pending()] == [kept.uuid]


def test_wrong_token_is_refused_and_nothing_marked(tmp_path, central):
    dsn, server, _ = central
    store = kiosk_store(tmp_path)
    submit_allowance(store)
    with SyncClient(store, server.url, "not-a-token", "K01") as client:
        report = client.sync_once()
    assert report.error == "auth" and report.pending == 1
    assert count(dsn) == 0


def test_token_of_another_kiosk_cannot_post_for_it(tmp_path, central):
    dsn, server, _ = central
    other = CentralStore(dsn).add_kiosk("K02")
    store = kiosk_store(tmp_path)      # a K01 store
    submit_allowance(store)
    with SyncClient(store, server.url, other, "K01") as client:
        assert client.sync_once().error == "auth"     # PUT /kiosks/K01 with K02's token: 403
    assert count(dsn) == 0


def test_no_personal_data_on_the_wire_or_in_logs(tmp_path, central, caplog):
    dsn, server, token = central
    caplog.set_level(logging.DEBUG)
    store = kiosk_store(tmp_path)
    submit_allowance(store)
    transport = Recorder()
    with SyncClient(store, server.url, token, "K01", transport=transport) as client:
        assert client.sync_once().sent == 1
    wire = b"".join(transport.bodies).decode("utf-8")
    stored = json.dumps([r[0] for r in rows(dsn, "SELECT payload FROM submissions")], ensure_ascii=False)
    for value in PERSONAL_STRINGS:
        assert value not in wire and value not in stored and value not in caplog.text
    assert "sealed" in wire and "bank_card" in wire          # plain answers travel as they are


def test_reregisters_after_the_secret_changes(tmp_path, central):
    dsn, server, token = central
    store = kiosk_store(tmp_path)
    with SyncClient(store, server.url, token, "K01") as client:
        assert client.register() is True
        assert client.register() is False                    # once
        before = rows(dsn, "SELECT keyring->>'wrapped' FROM kiosk_keys")[0][0]
        store.change_secret("a new staff secret, long enough")
        assert client.register() is True                     # the re-wrapped key replaces the old one
    after = rows(dsn, "SELECT key_id, keyring->>'wrapped' FROM kiosk_keys")
    assert len(after) == 1 and after[0][0] == store.keyring.key_id and after[0][1] != before


def test_worker_sends_in_the_background_and_stops(tmp_path, central):
    dsn, server, token = central
    store = kiosk_store(tmp_path)
    worker = SyncWorker(SyncClient(store, server.url, token, "K01"), interval_s=60)
    worker.start()
    try:
        sub = submit_allowance(store)
        worker.wake()
        deadline = time.monotonic() + 20
        while store.outbox.count_pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.outbox.count_pending() == 0
    finally:
        worker.stop()
    assert rows(dsn, "SELECT receipt_no FROM submissions") == [(sub.receipt_no,)]
    assert worker.failures == 0


def test_backoff_grows_and_is_capped():
    assert backoff_s(0, 30) == 30
    assert 48 <= backoff_s(1, 30) <= 60
    assert 96 <= backoff_s(2, 30) <= 120
    assert 240 <= backoff_s(50, 30, cap_s=300) <= 300


def test_start_sync_needs_a_url(tmp_path):
    from kiosk.config import load_settings
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path)})
    assert settings.sync.url == "" and start_sync(settings, None) is None


def test_cli_sync_now_and_status(tmp_path, central, monkeypatch, capsys):
    dsn, server, token = central
    store = kiosk_store(tmp_path)
    submit_allowance(store)
    store.close()
    for key, value in {"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_STORE__DB_FILE": "K01.db",
                       "KIOSK_STAFF_SECRET": "central-test-staff-secret",
                       "KIOSK_SYNC__URL": server.url, "KIOSK_SYNC__TOKEN": token}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("KIOSK_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert cli_main(["sync", "status"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["pending"] == 1 and status["registered"] is False and status["url"] == server.url
    assert cli_main(["sync", "now"]) == 0
    assert "sent 1" in capsys.readouterr().out
    assert count(dsn) == 1
    assert cli_main(["sync", "status"]) == 0
    status = json.loads(capsys.readouterr().out)
    assert status["pending"] == 0 and status["registered"] is True


def test_kiosk_app_starts_sync_and_wakes_it_on_each_submission(tmp_path, central):
    from types import SimpleNamespace

    from kiosk.app import KioskApp
    from kiosk.config import load_settings
    from kiosk.dialogue.events import Submitted

    dsn, server, token = central
    settings = load_settings(environ={"KIOSK_DATA_DIR": str(tmp_path), "KIOSK_SYNC__URL": server.url,
                                      "KIOSK_SYNC__TOKEN": token, "KIOSK_SYNC__INTERVAL_S": "3600"})
    store = kiosk_store(tmp_path)
    app = SimpleNamespace(settings=settings, runtime=SimpleNamespace(store=store),
                          controller=SimpleNamespace(core_listeners=[]), sync_worker=None, guard=None)
    KioskApp._start_sync(app)
    try:
        assert app.sync_worker is not None and len(app.controller.core_listeners) == 1
        sub = submit_allowance(store)
        for listener in app.controller.core_listeners:     # what the controller does on SUBMITTED
            listener(Submitted(receipt_no=sub.receipt_no, uuid=sub.uuid, form_id=sub.form_id, documents=[],
                               department="", opening_hours="", text="", speech=""))
        deadline = time.monotonic() + 20
        while store.outbox.count_pending() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert store.outbox.count_pending() == 0       # sent long before the hourly round
    finally:
        KioskApp.on_stop(app)
    assert rows(dsn, "SELECT receipt_no FROM submissions") == [(sub.receipt_no,)]


@pytest.mark.parametrize(("url", "allow", "refused"), [
    ("http://central.lan:8400", False, True),         # token and wrapped key in the clear on the LAN
    ("http://192.168.1.20:8400", False, True),
    ("http://central.lan:8400", True, False),         # sync.allow_insecure = true: the operator's choice
    ("https://central.lan:8400", False, False),
    ("http://127.0.0.1:8400", False, False),          # never leaves this machine
    ("http://[::1]:8400", False, False),
    ("http://localhost:8400", False, False),
    ("ftp://central.lan", True, True),
])
def test_plain_http_to_another_host_is_refused_unless_allowed(tmp_path, url, allow, refused):
    store = kiosk_store(tmp_path)
    if refused:
        with pytest.raises(SyncError) as err:
            SyncClient(store, url, "t", "K01", allow_insecure=allow)
        assert err.value.code in ("insecure", "bad_url")
    else:
        SyncClient(store, url, "t", "K01", allow_insecure=allow).close()
    store.close()


def test_worker_is_not_started_for_an_insecure_url(tmp_path):
    env = {"KIOSK_SYNC__URL": "http://central.lan:8400", "KIOSK_SYNC__TOKEN": "t",
           "KIOSK_DATA_DIR": str(tmp_path)}
    (tmp_path / "kiosk.toml").write_text("")
    store = kiosk_store(tmp_path)
    with pytest.raises(SyncError, match="insecure"):
        start_sync(load_settings(tmp_path / "kiosk.toml", environ=env), store)
    worker = start_sync(load_settings(tmp_path / "kiosk.toml", environ={**env, "KIOSK_SYNC__ALLOW_INSECURE": "true"}),
                        store)
    assert worker is not None
    worker.stop()
    store.close()


def test_a_central_without_audit_anchors_still_receives_the_outbox(tmp_path):
    """A kiosk updated before its central: GET .../audit is 404 there, and sync goes on."""
    store = kiosk_store(tmp_path)
    sub = submit_allowance(store)
    posted = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method == "PUT":
            return httpx.Response(200, json={"ok": True})
        if request.method == "GET":
            return httpx.Response(404, json={"detail": "Not Found"})
        posted.append(json.loads(request.content))
        return httpx.Response(200, json={"accepted": [i["uuid"] for i in posted[-1]["items"]], "rejected": []})

    with SyncClient(store, "https://central.invalid", "t", "K01", transport=httpx.MockTransport(handler)) as client:
        report = client.sync_once()
    assert report.ok and report.sent == 1 and report.audit == ""
    assert [i["uuid"] for i in posted[0]["items"]] == [sub.uuid] and "head" in posted[0]["audit"]
    store.close()


def test_items_refused_for_good_do_not_hold_up_the_rest(tmp_path):
    store = kiosk_store(tmp_path)
    poison = [submit_allowance(store) for _ in range(3)]      # e.g. refused as bad_text by the central
    good = [submit_allowance(store) for _ in range(3)]
    bad = {s.uuid for s in poison}
    posts = []

    def handler(request: httpx.Request) -> httpx.Response:
        if request.method != "POST":
            return httpx.Response(200, json={"ok": True, "id": 0, "hash": "", "count": 0})
        uuids = [i["uuid"] for i in json.loads(request.content)["items"]]
        posts.append(uuids)
        return httpx.Response(200, json={"accepted": [u for u in uuids if u not in bad],
                                         "rejected": [{"uuid": u, "reason": "bad_text"} for u in uuids if u in bad]})

    with SyncClient(store, "https://central.invalid", "t", "K01", batch_size=2,
                    transport=httpx.MockTransport(handler)) as client:
        report = client.sync_once()
        assert (report.sent, report.refused, report.failed, report.pending, report.error) == (3, 3, 0, 0, "")
        assert {s.uuid for s in good} == {u for batch in posts for u in batch} - bad
    # Set aside in the file, not in the process: a restarted kiosk (new client, store reopened)
    # does not post them either, and they are still there for staff.
    store.close()
    store = SqliteStore(tmp_path / "K01.db", "K01")
    before = len(posts)
    with SyncClient(store, "https://central.invalid", "t", "K01", batch_size=2,
                    transport=httpx.MockTransport(handler)) as client:
        again = client.sync_once()
    assert (again.sent, again.refused, again.pending) == (0, 0, 0) and posts[before:] == []
    refused = store.outbox.refused()
    assert [r.receipt_no for r in refused] == [s.receipt_no for s in poison]
    assert {r.reason for r in refused} == {"bad_text"} and store.outbox.count_refused() == 3
    assert (store.health()["outbox_refused"], store.health()["outbox_pending"]) == (3, 0)   # kiosk store check
    # staff send one back by hand: it is posted again (and refused again here)
    assert store.outbox.resend([poison[1].receipt_no]) == 1 and store.outbox.count_pending() == 1
    with SyncClient(store, "https://central.invalid", "t", "K01", transport=httpx.MockTransport(handler)) as client:
        third = client.sync_once()
    assert posts[-1] == [poison[1].uuid] and third.refused == 1 and store.outbox.count_refused() == 3
    store.close()


def test_doctor_sync_line(tmp_path, central):
    from kiosk.doctor import check_sync

    dsn, server, token = central
    (tmp_path / "kiosk.toml").write_text("")

    def line(**env):
        return check_sync(load_settings(tmp_path / "kiosk.toml", environ={f"KIOSK_SYNC__{k.upper()}": v
                                                                           for k, v in env.items()}))

    assert line().status == "OK" and "alone" in line().detail
    assert line(url=server.url, token=token).status == "OK"
    assert line(url="http://central.lan:8400", token="t").status == "FAIL"
    assert line(url=server.url).status == "FAIL"                       # no token
    down = line(url=f"http://127.0.0.1:{free_port()}", token="t")          # nobody listens there
    assert down.status == "WARN" and "does not answer" in down.detail and "outbox" in down.detail
