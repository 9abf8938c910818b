"""Central service against a real PostgreSQL: status page, staff console, audit, API checks, CLI."""
from __future__ import annotations

import re
import subprocess
import sys

import httpx
import psycopg
import pytest
from central_support import (
    FAST_KDF,
    FORMS,
    PERSONAL_STRINGS,
    SECRET,
    STAFF_PASSWORD,
    STAFF_USER,
    ServerThread,
    SetClock,
    central_app,
    cluster,
    free_port,
    kiosk_store,
    rows,
    submit_allowance,
    today_local,
)

from kiosk.central.schema import MIGRATIONS, migrate
from kiosk.central.store import CentralError, CentralStore
from kiosk.staff.audit import masked
from kiosk.sync.client import SyncClient
from kiosk.voices import say

ENCRYPTED = say("central_console_encrypted")


@pytest.fixture
def central(tmp_path):
    """A fresh database and server, a staff login, and kiosk K01 with two synced submissions."""
    dsn = cluster().new_database()
    server = ServerThread(central_app(dsn)).start()
    store = CentralStore(dsn, kdf=FAST_KDF)
    store.set_password(STAFF_USER, STAFF_PASSWORD)
    token = store.add_kiosk("K01")
    kiosk = kiosk_store(tmp_path)
    subs = [submit_allowance(kiosk), submit_allowance(kiosk)]
    with SyncClient(kiosk, server.url, token, "K01") as client:
        assert client.sync_once().sent == 2
    yield dsn, server, subs
    server.stop()
    kiosk.close()


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf" value="([^"]+)"', html).group(1)


def logged_in(server, password: str = STAFF_PASSWORD) -> httpx.Client:
    """A browser-like client with a console session."""
    client = httpx.Client(base_url=server.url, follow_redirects=True)
    page = client.get("/console/login")
    answer = client.post("/console/login", data={"username": STAFF_USER, "password": password,
                                                 "csrf": csrf_of(page.text)})
    assert answer.status_code == 200
    return client


# --- status page ------------------------------------------------------------------------------
def test_status_page_shows_service_and_status_and_no_personal_data(central):
    dsn, server, subs = central
    sub = subs[0]
    page = httpx.get(f"{server.url}/r/{sub.receipt_no}", params={"c": sub.check_code})
    assert page.status_code == 200
    html = page.text
    form = FORMS["elderly_allowance"]
    assert form.title in html and form.department in html and form.opening_hours in html
    assert say("central_status_received") in html and sub.receipt_no in html
    for value in PERSONAL_STRINGS:
        assert value not in html
    assert page.headers["referrer-policy"] == "no-referrer" and "no-store" in page.headers["cache-control"]


def test_status_page_follows_status_changes_and_accepts_typed_codes(central):
    dsn, server, subs = central
    sub = subs[1]
    CentralStore(dsn).set_status(sub.uuid, "done", "wang")
    typed = sub.check_code.lower().replace("0", "o").replace("1", "l")   # how people copy codes
    html = httpx.get(f"{server.url}/r/{sub.receipt_no}", params={"c": typed}).text
    assert say("central_status_done") in html and say("central_status_received") not in html


@pytest.mark.parametrize("how", ["wrong code", "no code", "unknown receipt"])
def test_wrong_check_code_is_a_kind_404(central, how):
    dsn, server, subs = central
    sub = subs[0]
    receipt = "20991231-K01-0001" if how == "unknown receipt" else sub.receipt_no
    code = "" if how == "no code" else ("ZZZZZZ" if how == "wrong code" else sub.check_code)
    page = httpx.get(f"{server.url}/r/{receipt}", params={"c": code} if code else None)
    assert page.status_code == 404
    assert say("central_missing_title") in page.text
    assert FORMS["elderly_allowance"].title not in page.text and sub.receipt_no not in page.text


# --- console ------------------------------------------------------------------------------------
def test_console_needs_login(central):
    _, server, _ = central
    answer = httpx.get(f"{server.url}/console", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/login"


def _login(client: httpx.Client, password: str) -> httpx.Response:
    page = client.get("/console/login")
    return client.post("/console/login", data={"username": STAFF_USER, "password": password,
                                                "csrf": csrf_of(page.text)})


def test_wrong_passwords_make_that_source_wait_not_staff_elsewhere(tmp_path):
    dsn = cluster().new_database()
    clock = SetClock()
    server = ServerThread(central_app(dsn, clock=clock)).start()
    CentralStore(dsn, kdf=FAST_KDF).set_password(STAFF_USER, STAFF_PASSWORD)
    outsider = httpx.Client(base_url=server.url, follow_redirects=True,
                            transport=httpx.HTTPTransport(local_address="127.0.0.2"))
    try:
        for _ in range(5):
            _login(outsider, "wrong password!")
        answer = _login(outsider, STAFF_PASSWORD)        # even the right password waits now
        wait = int(answer.headers["retry-after"])
        assert answer.status_code == 429 and 1 <= wait <= 4
        assert say("central_console_login_locked", seconds=wait) in answer.text
        assert "kiosk_console" not in outsider.cookies
        # staff at their own desk are not locked out by it
        staff = httpx.Client(base_url=server.url, follow_redirects=True)
        assert _login(staff, STAFF_PASSWORD).status_code == 200 and "kiosk_console" in staff.cookies
        # each further failure doubles the outsider's wait; once it has passed, a try is checked again
        clock.advance(seconds=wait)
        assert _login(outsider, "wrong again!").status_code == 200
        answer = _login(outsider, STAFF_PASSWORD)
        assert answer.status_code == 429 and int(answer.headers["retry-after"]) == 2 * wait
        clock.advance(seconds=2 * wait)
        assert _login(outsider, STAFF_PASSWORD).status_code == 200 and "kiosk_console" in outsider.cookies
    finally:
        server.stop()
    stored = rows(dsn, "SELECT pw_hash FROM staff_accounts")[0][0]
    assert STAFF_PASSWORD not in stored and '"kdf": "scrypt"' in stored
    assert rows(dsn, "SELECT count(*) FROM login_failures") == [(0,)]     # a success clears its source


def test_login_without_csrf_is_refused(central):
    _, server, _ = central
    answer = httpx.post(f"{server.url}/console/login", data={"username": STAFF_USER, "password": STAFF_PASSWORD})
    assert answer.status_code == 403


def test_list_shows_encrypted_until_unlock_then_masked(central):
    dsn, server, subs = central
    client = logged_in(server)
    page = client.get("/console")
    for sub in subs:
        assert sub.receipt_no in page.text
    assert page.text.count(ENCRYPTED) == 2
    assert "张*英" not in page.text
    # a wrong secret leaves everything sealed
    page = client.post("/console/unlock", data={"kiosk_id": "K01", "secret": "guess", "csrf": csrf_of(page.text)})
    assert say("central_console_secret_wrong") in page.text and page.text.count(ENCRYPTED) == 2
    page = client.post("/console/unlock", data={"kiosk_id": "K01", "secret": SECRET, "csrf": csrf_of(page.text)})
    assert ENCRYPTED not in page.text
    fields = {f.id: f for f in FORMS["elderly_allowance"].fields}
    assert masked(fields["name"], "张秀英") == "张*英"
    for field_id, value in (("name", "张秀英"), ("phone", "13812345678"), ("id_number", "11010119500305123X")):
        assert page.text.count(masked(fields[field_id], value)) == 2
    for value in PERSONAL_STRINGS:
        assert value not in page.text
    # another staff session has not unlocked anything
    assert logged_in(server).get("/console").text.count(ENCRYPTED) == 2
    # lock forgets the keys
    page = client.post("/console/lock", data={"csrf": csrf_of(page.text)})
    assert page.text.count(ENCRYPTED) == 2
    actions = [r[0] for r in rows(dsn, "SELECT action FROM central_audit WHERE actor = %s ORDER BY id", STAFF_USER)]
    assert actions.count("keys.unlock_failed") == 1 and actions.count("keys.unlock") == 1 and "keys.lock" in actions
    assert not any(SECRET in str(r) for r in rows(dsn, "SELECT * FROM central_audit"))


def test_status_change_is_audited_and_csrf_protected(central):
    dsn, server, subs = central
    sub = subs[0]
    client = logged_in(server)
    page = client.get(f"/console/s/{sub.uuid}")
    assert page.status_code == 200 and sub.receipt_no in page.text
    assert page.text.count(ENCRYPTED) == 1 and FORMS["elderly_allowance"].title in page.text
    assert client.post(f"/console/s/{sub.uuid}/status", data={"status": "done"}).status_code == 403
    assert client.post(f"/console/s/{sub.uuid}/status",
                       data={"status": "done", "csrf": "x" * 43}).status_code == 403
    page = client.post(f"/console/s/{sub.uuid}/status", data={"status": "in_progress", "csrf": csrf_of(page.text)})
    assert page.status_code == 200 and say("central_status_in_progress") in page.text
    client.post(f"/console/s/{sub.uuid}/status", data={"status": "done", "csrf": csrf_of(page.text)})
    assert rows(dsn, "SELECT status FROM submissions WHERE uuid = %s", sub.uuid) == [("done",)]
    audit = rows(dsn, "SELECT actor, action, target, old, new FROM central_audit "
                      "WHERE action = 'submission.status' ORDER BY id")
    assert audit == [(STAFF_USER, "submission.status", sub.receipt_no, "received", "in_progress"),
                     (STAFF_USER, "submission.status", sub.receipt_no, "in_progress", "done")]
    assert rows(dsn, "SELECT status FROM submissions WHERE uuid = %s", subs[1].uuid) == [("received",)]


def test_audit_table_is_append_only(central):
    dsn, _, subs = central
    CentralStore(dsn).set_status(subs[0].uuid, "done", "wang")
    for sql in ("UPDATE central_audit SET actor = 'someone else'", "DELETE FROM central_audit"):
        with pytest.raises(psycopg.errors.RaiseException):
            rows(dsn, sql)
    assert rows(dsn, "SELECT count(*) FROM central_audit WHERE actor = 'wang'") == [(1,)]


def test_day_summary_per_service(central):
    dsn, server, subs = central
    CentralStore(dsn).set_status(subs[0].uuid, "done", "wang")
    client = logged_in(server)
    page = client.get("/console/summary", params={"day": today_local().isoformat()})
    row = re.search(r'<tr data-form="elderly_allowance">(.*?)</tr>', page.text, re.S).group(1)
    assert re.findall(r"<td>([^<]*)</td>", row) == [FORMS["elderly_allowance"].title, "2", "1", "0", "1"]
    empty = client.get("/console/summary", params={"day": "2001-01-01"})
    assert 'data-form=' not in empty.text


def test_list_filters_by_status_and_kiosk(central):
    dsn, server, subs = central
    CentralStore(dsn).set_status(subs[0].uuid, "done", "wang")
    client = logged_in(server)
    done = client.get("/console", params={"status": "done"}).text
    assert subs[0].receipt_no in done and subs[1].receipt_no not in done
    assert subs[0].receipt_no not in client.get("/console", params={"kiosk": "K02"}).text


def test_logout_ends_the_session(central):
    _, server, _ = central
    client = logged_in(server)
    page = client.get("/console")
    client.post("/console/logout", data={"csrf": csrf_of(page.text)})
    assert client.get("/console", follow_redirects=False).status_code == 303


# --- API -----------------------------------------------------------------------------------------
def test_api_refuses_bad_items_and_keeps_good_ones(central):
    dsn, server, subs = central
    token = CentralStore(dsn).add_kiosk("K09")
    good = {"v": 1, "uuid": "a" * 32, "receipt_no": "20261123-K09-0001", "kiosk_id": "K09", "form_id": "complaint",
            "created_at": "2026-11-23T09:30:00+08:00", "check_code": "ABC123", "key_id": "0" * 16,
            "answers": {}, "sealed": {}, "personal": []}
    items = [good, {**good, "uuid": "b" * 32, "v": 2}, {**good, "uuid": "c" * 32, "kiosk_id": "K01"},
             {**good, "uuid": "d" * 32, "created_at": "2026-11-23T09:30:00"}, {**good, "uuid": subs[0].uuid}, "junk"]
    answer = httpx.post(f"{server.url}/api/v1/submissions", headers={"Authorization": f"Bearer {token}"},
                        json={"v": 1, "kiosk_id": "K09", "items": items})
    assert answer.status_code == 200
    body = answer.json()
    assert body["accepted"] == ["a" * 32]
    assert [r["reason"] for r in body["rejected"]] == ["newer_payload", "wrong_kiosk", "bad_time", "uuid_taken",
                                                       "not_object"]
    assert rows(dsn, "SELECT kiosk_id FROM submissions WHERE uuid = %s", subs[0].uuid) == [("K01",)]


def test_api_needs_a_token(central):
    _, server, _ = central
    answer = httpx.post(f"{server.url}/api/v1/submissions", json={"v": 1, "kiosk_id": "K01", "items": []})
    assert answer.status_code == 401
    assert httpx.get(f"{server.url}/api/v1/health").json() == {"ok": True, "schema": len(MIGRATIONS)}


def test_register_refuses_a_key_id_that_is_not_the_fingerprint(central, tmp_path):
    dsn, server, _ = central
    token = CentralStore(dsn).add_kiosk("K03")
    ring = kiosk_store(tmp_path, "K03").keyring
    body = SyncClient.registration(type("S", (), {"store": type("X", (), {"keyring": ring})()})())
    answer = httpx.put(f"{server.url}/api/v1/kiosks/K03", headers={"Authorization": f"Bearer {token}"},
                       json={**body, "key_id": "f" * 16})
    assert answer.status_code == 422


# --- schema and CLI --------------------------------------------------------------------------------
def test_migrations_are_recorded_once_and_newer_schema_is_refused():
    dsn = cluster().new_database()
    assert migrate(dsn) == len(MIGRATIONS) and migrate(dsn) == len(MIGRATIONS)
    assert rows(dsn, "SELECT version FROM central_schema") == [(v,) for v in range(1, len(MIGRATIONS) + 1)]
    rows(dsn, "INSERT INTO central_schema (version) VALUES (%s)", len(MIGRATIONS) + 1)
    with pytest.raises(Exception, match="newer"):
        migrate(dsn)


def test_store_refuses_weak_passwords_and_bad_ids():
    store = CentralStore(cluster().new_database())
    store.migrate()
    with pytest.raises(CentralError, match="weak_password"):
        store.set_password("li", "short")
    with pytest.raises(CentralError, match="bad_kiosk_id"):
        store.add_kiosk("K 01; DROP")


def test_cli_add_kiosk_set_password_and_migrate(tmp_path):
    dsn = cluster().new_database()
    env_cmd = [sys.executable, "-m", "kiosk.cli"]
    done = subprocess.run([*env_cmd, "central", "add-kiosk", "K05", "--dsn", dsn], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    token = done.stdout.strip()
    assert len(token) >= 40 and CentralStore(dsn).kiosk_for_token(token) == "K05"
    assert token not in str(rows(dsn, "SELECT * FROM kiosks"))          # only its hash is kept
    done = subprocess.run([*env_cmd, "central", "set-password", "--user", "zhao", "--password-stdin", "--dsn", dsn],
                          input="a long enough password\n", capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert CentralStore(dsn).check_password("zhao", "a long enough password")
    done = subprocess.run([*env_cmd, "central", "migrate", "--dsn", dsn], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path)
    assert done.returncode == 0 and f"schema v{len(MIGRATIONS)}" in done.stdout


def test_answers_are_escaped_in_the_console(central, tmp_path):
    dsn, server, _ = central
    kiosk = kiosk_store(tmp_path, "K07")
    token = CentralStore(dsn).add_kiosk("K07")
    sub = submit_allowance(kiosk, payout="<script>alert(1)</script>")
    with SyncClient(kiosk, server.url, token, "K07") as client:
        assert client.sync_once().sent == 1
    page = logged_in(server).get(f"/console/s/{sub.uuid}")
    assert "<script>alert(1)</script>" not in page.text and "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "default-src 'none'" in page.headers["content-security-policy"]


def test_cli_says_the_database_is_unreachable_in_one_line(tmp_path):
    dsn = f"host=127.0.0.1 port={free_port()} user=postgres dbname=nowhere connect_timeout=5"
    for cmd in (["-m", "kiosk.cli", "central", "migrate"], ["-c", "import sys; from kiosk.central.commands import main; "
                                                           "sys.exit(main(sys.argv[1:]))", "serve"]):
        done = subprocess.run([sys.executable, *cmd, "--dsn", dsn], capture_output=True, text=True, timeout=120,
                              cwd=tmp_path)
        assert done.returncode == 1 and "[database]" in done.stderr and "Traceback" not in done.stderr
