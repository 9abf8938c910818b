"""The central service under attack: body floods, guessing, foreign receipts, costly keyrings, bad text.

The flood test runs the service as `kiosk-central serve` in its own process, so the memory it
measures (VmHWM, the kernel's peak resident set, reset just before the flood) is the server's
alone. The bound asserted is memory, not time.
"""
from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from central_support import (
    FAST_KDF,
    SECRET,
    STAFF_PASSWORD,
    STAFF_USER,
    ServerThread,
    central_app,
    cluster,
    free_port,
    kiosk_store,
    rows,
    submit_allowance,
)

from kiosk.central.limits import Limits
from kiosk.central.store import CentralStore
from kiosk.sync.client import SyncClient

MB = 1024 * 1024
FLOOD = 1000
BODY = 10 * MB


def _status(pid: int, field: str) -> int:
    """A VmRSS/VmHWM figure of a process, in bytes."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) * 1024
    raise KeyError(field)


def _serve(dsn: str, tmp_path: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-c", "import sys; from kiosk.central.commands import main; "
                             "sys.exit(main(sys.argv[1:]))", "serve", "--dsn", dsn, "--port", str(port)],
                            cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}"
    end = time.monotonic() + 60
    while True:
        assert proc.poll() is None, proc.stderr.read()
        try:
            httpx.get(f"{url}/api/v1/health", timeout=5).raise_for_status()
            return proc, url
        except httpx.TransportError:
            assert time.monotonic() < end, "server did not start"
            time.sleep(0.1)


async def _one(port: int, kind: str, in_flight: list[int]) -> tuple[int, int]:
    """One unauthenticated 10 MB upload of `kind`; (HTTP status or 0, body bytes the socket took)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    path, extra = {"no_token": ("/api/v1/submissions", ""),
                   "bad_token": ("/api/v1/submissions", "Authorization: Bearer " + "x" * 43 + "\r\n"),
                   "login": ("/console/login", "Content-Type: application/x-www-form-urlencoded\r\n"),
                   "chunked": ("/api/v1/submissions", "Authorization: Bearer nope\r\n")}[kind]
    length = "Transfer-Encoding: chunked\r\n" if kind == "chunked" else f"Content-Length: {BODY}\r\n"
    writer.write(f"POST {path} HTTP/1.1\r\nHost: central\r\n{extra}{length}\r\n".encode())
    in_flight[0] += 1
    in_flight[1] += 1
    chunk = b"a" * (64 * 1024)
    if kind == "chunked":
        chunk = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    answer = asyncio.ensure_future(reader.readline())
    sent = 0
    try:
        while sent < BODY and not answer.done():
            writer.write(chunk)
            await writer.drain()
            sent += len(chunk)
    except (ConnectionError, OSError):
        pass
    try:
        line = await asyncio.wait_for(answer, 120)
    except (ConnectionError, OSError):
        line = b""
    in_flight[0] -= 1
    writer.close()
    return (int(line.split()[1]) if line.startswith(b"HTTP/") else 0), sent


async def _health_during(port: int, flood: asyncio.Future, in_flight: list[int]) -> list[tuple[int, int]]:
    """GET /health again and again while uploads are in flight: (status, uploads in flight when asked)."""
    seen = []
    while not flood.done() and in_flight[1] < FLOOD // 2:
        await asyncio.sleep(0)          # let half the uploads connect first
    while not flood.done() or not seen:
        busy = in_flight[0] if not flood.done() else 0
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        writer.write(b"GET /api/v1/health HTTP/1.1\r\nHost: central\r\nConnection: close\r\n\r\n")
        line = await asyncio.wait_for(reader.readline(), 60)
        seen.append((int(line.split()[1]), busy))
        writer.close()
    return seen


async def _flood(port: int) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    in_flight = [0, 0]      # uploads open now, uploads started
    kinds = ("no_token", "bad_token", "login", "chunked")
    flood = asyncio.gather(*(_one(port, kinds[i % 4], in_flight) for i in range(FLOOD)))
    health = await _health_during(port, flood, in_flight)
    return await flood, health


def test_a_thousand_unauthenticated_10mb_bodies_stay_under_200mb(tmp_path):
    dsn = cluster().new_database()
    proc, url = _serve(dsn, tmp_path)
    try:
        for _ in range(20):    # warm: imports, the pool, templates
            assert httpx.post(f"{url}/api/v1/submissions", json={}).status_code == 401
        before = _status(proc.pid, "VmRSS")
        Path(f"/proc/{proc.pid}/clear_refs").write_text("5")   # VmHWM := VmRSS: the peak from here on
        started = time.monotonic()
        results, health = asyncio.run(_flood(int(url.rsplit(":", 1)[1])))
        took = time.monotonic() - started
        peak = _status(proc.pid, "VmHWM")
        assert httpx.get(f"{url}/api/v1/health").status_code == 200
    finally:
        proc.terminate()
        proc.wait(30)
    statuses = sorted({s for s, _ in results})
    print(f"\nflood: {FLOOD} x {BODY // MB} MB in {took:.1f} s; server RSS {before / MB:.0f} MB -> peak "
          f"{peak / MB:.0f} MB (+{(peak - before) / MB:.0f} MB); statuses {statuses} "
          f"({sum(1 for s, _ in results if s)} answers read before the close); "
          f"health {len(health)}x all 200 with up to {max(b for _, b in health)} uploads in flight")
    # 0: the server answered and closed at once; the reset can reach the client before the answer
    assert set(statuses) <= {0, 401, 413} and set(statuses) & {401, 413}
    assert all(status == 200 for status, _ in health) and max(b for _, b in health) > 0
    assert peak - before < 200 * MB


# --- auth before body, limits per route ------------------------------------------------------------
@pytest.fixture
def central(tmp_path):
    dsn = cluster().new_database()
    clock = [0.0]
    server = ServerThread(central_app(dsn, limits=Limits(clock=lambda: clock[0]))).start()
    store = CentralStore(dsn, kdf=FAST_KDF)
    store.set_password(STAFF_USER, STAFF_PASSWORD)
    yield dsn, server, store, clock
    server.stop()


def _raw(port: int, head: str, body: bytes = b"") -> str:
    """Send a request head (and maybe some body) and read the status line; the body is never finished."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(head.encode() + body)
        return sock.makefile("rb").readline().decode()


def test_answers_before_reading_a_body_it_will_not_take(central):
    dsn, server, store, _ = central
    token = store.add_kiosk("K01")
    # No token: 401 at once, although the declared 10 MB never arrive (the server would wait for them).
    assert " 401 " in _raw(server.port, f"POST /api/v1/submissions HTTP/1.1\r\nHost: c\r\nContent-Length: {BODY}\r\n\r\n")
    # A kiosk's own token but over the route's limit: 413 at once, per route.
    auth = f"Authorization: Bearer {token}\r\n"
    assert " 413 " in _raw(server.port, f"POST /api/v1/submissions HTTP/1.1\r\nHost: c\r\n{auth}"
                                        f"Content-Length: {5 * MB}\r\n\r\n")
    assert " 413 " in _raw(server.port, f"PUT /api/v1/kiosks/K01 HTTP/1.1\r\nHost: c\r\n{auth}"
                                        f"Content-Length: {100 * 1024}\r\n\r\n")
    assert " 413 " in _raw(server.port, f"POST /console/login HTTP/1.1\r\nHost: c\r\nContent-Length: {100 * 1024}\r\n\r\n")
    # Console POSTs other than login need a session before their body is read.
    assert " 303 " in _raw(server.port, f"POST /console/unlock HTTP/1.1\r\nHost: c\r\nContent-Length: {BODY}\r\n\r\n")
    # A chunked body (no length announced) is cut off at the limit.
    def chunks():
        for _ in range(80):
            yield b"[" * (64 * 1024)
    answer = httpx.post(f"{server.url}/api/v1/submissions", headers={"Authorization": f"Bearer {token}"},
                        content=chunks())
    assert answer.status_code == 413
    assert rows(dsn, "SELECT count(*) FROM submissions") == [(0,)]


def test_status_page_rate_limited_per_address_and_per_receipt(central, tmp_path):
    dsn, server, store, clock = central
    kiosk = kiosk_store(tmp_path)
    sub = submit_allowance(kiosk)
    with SyncClient(kiosk, server.url, store.add_kiosk("K01"), "K01") as client:
        assert client.sync_once().sent == 1
    me = httpx.Client(base_url=server.url)
    assert me.get(f"/r/{sub.receipt_no}", params={"c": sub.check_code}).status_code == 200
    answers = [me.get(f"/r/2027010{i % 9 + 1}-K01-0001", params={"c": "ZZZZZZ"}) for i in range(29)]
    assert {a.status_code for a in answers} == {404}
    busy = me.get(f"/r/{sub.receipt_no}", params={"c": sub.check_code})      # the 31st look from one address
    assert busy.status_code == 429 and int(busy.headers["retry-after"]) == 60
    assert "查询太频繁" in busy.text and "Too Many" not in busy.text
    clock[0] += 60
    assert me.get(f"/r/{sub.receipt_no}", params={"c": sub.check_code}).status_code == 200
    # one receipt guessed from many addresses: 20 looks an hour, then 429 for everyone
    for i in range(18):
        peer = httpx.Client(base_url=server.url, transport=httpx.HTTPTransport(local_address=f"127.0.1.{i + 1}"))
        assert peer.get(f"/r/{sub.receipt_no}", params={"c": f"GUESS{i}"}).status_code == 404
    other = httpx.Client(base_url=server.url, transport=httpx.HTTPTransport(local_address="127.0.2.1"))
    answer = other.get(f"/r/{sub.receipt_no}", params={"c": sub.check_code})
    assert answer.status_code == 429 and int(answer.headers["retry-after"]) > 3000


def test_unlock_is_rate_limited_per_staff_account(central, tmp_path):
    dsn, server, store, clock = central
    kiosk = kiosk_store(tmp_path)
    submit_allowance(kiosk)
    with SyncClient(kiosk, server.url, store.add_kiosk("K01"), "K01") as client:
        client.sync_once()
    client = httpx.Client(base_url=server.url, follow_redirects=True)
    page = client.get("/console/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    page = client.post("/console/login", data={"username": STAFF_USER, "password": STAFF_PASSWORD, "csrf": csrf})
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    for _ in range(5):
        assert client.post("/console/unlock", data={"kiosk_id": "K01", "secret": "a guess", "csrf": csrf}
                           ).status_code == 200
    answer = client.post("/console/unlock", data={"kiosk_id": "K01", "secret": SECRET, "csrf": csrf})
    assert answer.status_code == 429 and int(answer.headers["retry-after"]) == 300
    assert "解锁尝试太多" in answer.text
    clock[0] += 300
    answer = client.post("/console/unlock", data={"kiosk_id": "K01", "secret": SECRET, "csrf": csrf})
    assert answer.status_code == 200 and "K01" in answer.text.split('id="unlocked"')[1][:40]
    actions = [r[0] for r in rows(dsn, "SELECT action FROM central_audit WHERE action LIKE 'keys.%%' ORDER BY id")]
    assert actions == ["keys.unlock_failed"] * 5 + ["keys.unlock_limited", "keys.unlock"]


# --- what a kiosk token may do ------------------------------------------------------------------------
def _item(uuid: str, kiosk: str, receipt: str, **extra) -> dict:
    return {"v": 1, "uuid": uuid, "receipt_no": receipt, "kiosk_id": kiosk, "form_id": "complaint",
            "created_at": "2027-02-28T09:30:00+08:00", "check_code": "ABC123", "key_id": "0" * 16,
            "answers": {}, "sealed": {}, "personal": [], **extra}


def test_a_token_publishes_only_its_own_kiosks_receipts(central):
    dsn, server, store, _ = central
    token = store.add_kiosk("K09")
    items = [_item("a" * 32, "K09", "20270228-K09-0001"), _item("b" * 32, "K09", "20270228-K01-0001"),
             _item("c" * 32, "K09", "20270228-K0-0001"), _item("d" * 32, "K09", "K09")]
    answer = httpx.post(f"{server.url}/api/v1/submissions", headers={"Authorization": f"Bearer {token}"},
                        json={"v": 1, "kiosk_id": "K09", "items": items}).json()
    assert answer["accepted"] == ["a" * 32]
    assert [r["reason"] for r in answer["rejected"]] == ["wrong_receipt_kiosk"] * 3
    assert rows(dsn, "SELECT receipt_no FROM submissions") == [("20270228-K09-0001",)]


def test_nul_and_broken_text_refuse_the_item_not_the_batch(central):
    dsn, server, store, _ = central
    token = store.add_kiosk("K09")
    good = [_item(c * 32, "K09", f"20270228-K09-000{i}") for i, c in enumerate("abc", 1)]
    nul = _item("d" * 32, "K09", "20270228-K09-0004", answers={"note": "a\u0000b"})
    # JSON may carry a lone surrogate escape; PostgreSQL cannot store it (this would 500 a whole batch).
    body = json.dumps({"v": 1, "kiosk_id": "K09", "items": [good[0], nul, good[1], "SURROGATE", good[2]]})
    body = body.replace('"SURROGATE"', json.dumps(_item("e" * 32, "K09", "20270228-K09-0005",
                                                         answers={"note": "x"})).replace('"x"', '"\\ud800"'))
    answer = httpx.post(f"{server.url}/api/v1/submissions", content=body,
                        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    assert answer.status_code == 200
    assert answer.json()["accepted"] == ["a" * 32, "b" * 32, "c" * 32]
    assert answer.json()["rejected"] == [{"uuid": "d" * 32, "reason": "bad_text"}, {"uuid": "e" * 32, "reason": "bad_text"}]
    assert rows(dsn, "SELECT count(*) FROM submissions") == [(3,)]


def test_only_standard_scrypt_costs_are_accepted_in_keyrings(central, tmp_path):
    dsn, server, store, _ = central
    token = store.add_kiosk("K03")
    ring = json.loads(kiosk_store(tmp_path, "K03").keyring.to_json())
    auth = {"Authorization": f"Bearer {token}"}
    key_id = kiosk_store(tmp_path, "K03").keyring.key_id
    for n, r in ((2 ** 24, 8), (2 ** 15, 64), (2 ** 15, 8.0)):     # 16 GiB, 256 MiB x r, a float
        huge = {**ring, "kdf": {**ring["kdf"], "n": n, "r": r}}
        answer = httpx.put(f"{server.url}/api/v1/kiosks/K03", headers=auth, json={"v": 1, "key_id": key_id,
                                                                                  "keyring": huge})
        assert answer.status_code == 422
    assert rows(dsn, "SELECT count(*) FROM kiosk_keys") == [(0,)]
    # a record already stored with a huge cost (written before this check) is never unlocked
    rows(dsn, "INSERT INTO kiosk_keys (kiosk_id, key_id, keyring) VALUES ('K03', %s, %s)", key_id,
         json.dumps({**ring, "kdf": {**ring["kdf"], "n": 2 ** 24}}))
    assert CentralStore(dsn).keyrings("K03") == []
    assert httpx.put(f"{server.url}/api/v1/kiosks/K03", headers=auth,
                     json={"v": 1, "key_id": key_id, "keyring": ring}).status_code == 200


def _login(client: httpx.Client, username: str, password: str) -> httpx.Response:
    page = client.get("/console/login")
    csrf = page.text.split('name="csrf" value="')[1].split('"')[0]
    return client.post("/console/login", data={"username": username, "password": password, "csrf": csrf})


def _from(server, address: str) -> httpx.Client:
    return httpx.Client(base_url=server.url, follow_redirects=True,
                        transport=httpx.HTTPTransport(local_address=address))


def test_login_limits_per_address_and_per_account_spare_the_staff_browser(central):
    dsn, server, store, clock = central
    staff = _from(server, "127.0.0.1")
    assert _login(staff, STAFF_USER, STAFF_PASSWORD).status_code == 200
    assert "kiosk_console" in staff.cookies and "kiosk_device" in staff.cookies
    # one address trying many accounts: 20 a minute, then 429 until the minute has passed
    spray = _from(server, "127.0.4.1")
    assert {_login(spray, f"user{i}", "wrong password!").status_code for i in range(20)} == {200}
    answer = _login(spray, "user20", "wrong password!")
    assert answer.status_code == 429 and answer.headers["retry-after"] == "60"
    clock[0] += 60
    assert _login(spray, "user21", "wrong password!").status_code == 200
    # many addresses trying one account: 30 a minute for the account (the staff login's minute is over)
    answers = [_login(_from(server, f"127.0.5.{i}"), STAFF_USER, "wrong password!").status_code
               for i in range(1, 32)]
    assert answers == [200] * 30 + [429]
    assert _login(_from(server, "127.0.6.1"), STAFF_USER, STAFF_PASSWORD).status_code == 429
    # the browser that logged in as this account before is not held by the per-account limit
    staff.cookies.delete("kiosk_console")
    answer = _login(staff, STAFF_USER, STAFF_PASSWORD)
    assert answer.status_code == 200 and "kiosk_console" in staff.cookies
    assert rows(dsn, "SELECT count(*) FROM staff_devices") == [(1,)]
