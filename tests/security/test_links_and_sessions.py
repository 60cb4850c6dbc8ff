"""Links and sessions that can be taken back (issue 12, point 6), attacked through real HTTP against
real processes (docs/privacy.md, "Access that can be taken back"; docs/deployment.md, "Behind a
reverse proxy"):
- a web-chat link stops working, at the page and at Rasa's socket, after erasure (also when the
  number is given to someone else), STOP, a new phone number and the coordinator's revocation, and
  an open chat stops at its next message; the token is in no URL after the page has loaded;
- a deactivated coordinator's dashboard session and API token are refused at once, and a replaced
  API token too;
- login throttling counts the client behind a trusted proxy, not the proxy, ignores X-Forwarded-For
  from anyone else, and slows down guessing one account from many addresses;
- argon2 runs off the event loop and outside any transaction.

The dashboard, API and throttling tests run against a coordination service process of their own
(`service`, on PostgreSQL when it runs here), with TRUSTED_PROXIES naming 127.0.0.2: requests sent
from 127.0.0.2 come "through the proxy", requests from 127.0.0.1 from an untrusted peer. The link
tests use the shared stack (tests/conftest.py) for Rasa's socket."""
from __future__ import annotations

import itertools
import json
import re
import statistics
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
import sqlalchemy as sa
from requests_toolbelt.adapters.source import SourceAddressAdapter

from bot.core.passwords import hash_password, verify_password
from bot.core.texts import WEBCHAT_LINK_CLOSED
from tests.chromium import chromium_page, requires_chromium
from tests.conftest import POSTGRES, _pg_admin
from tests.stack import Stack
from tests.webchat_client import WebchatClient, chat_token

pytestmark = pytest.mark.e2e

PROXY = "127.0.0.2"  # TRUSTED_PROXIES of the `service` process
PASSWORD = "korrekt-hest-batteri"
_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')
_names = itertools.count(1)


# --- a coordination service process with a trusted proxy -------------------------------------------

@pytest.fixture(scope="module")
def service(tmp_path_factory):
    from bot.db.migrate import upgrade

    name = f"links_{uuid.uuid4().hex[:12]}"
    if POSTGRES:
        _pg_admin(f'CREATE DATABASE "{name}"')
        url = f"postgresql://root@127.0.0.1:5432/{name}"
    else:
        url = None  # the Stack's SQLite file
    running = Stack(tmp_path_factory.mktemp("links-service"), database_url=url,
                    extra_env={"TRUSTED_PROXIES": f"{PROXY}/32", "SMS_DISPATCH_INTERVAL": "0"})
    try:
        upgrade(running.database_url)
        running.start_process("service")
        running.wait_ready(timeout=120)
        yield running
    finally:
        running.stop()
        if POSTGRES:
            _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def browser(source: str | None = None) -> requests.Session:
    """A browser-like client; `source` binds its connections to that local address."""
    session = requests.Session()
    if source:
        adapter = SourceAddressAdapter(source)
        session.mount("http://", adapter)
    return session


def coordinator(service, **fields) -> dict:
    n = next(_names)
    body = {"name": f"Koordinator {n}", "email": f"k{n}-{uuid.uuid4().hex[:6]}@kommune.dk", "password": PASSWORD,
            **fields}
    resp = service.api("POST", "/api/coordinators", json=body)
    assert resp.status_code == 201, resp.text
    return resp.json()


def citizen_of(service, coordinator_id: int) -> dict:
    phone = f"+4540{next(service._phone_numbers):06d}"
    resp = service.api("POST", "/api/citizens", json={"name": "Bente", "phone": phone, "coordinator_id": coordinator_id})
    assert resp.status_code == 201, resp.text
    return resp.json()


def csrf(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field in the page"
    return match.group(1)


def login(service, client: requests.Session, email: str, password: str = PASSWORD,
          forwarded_for: str | None = None) -> requests.Response:
    """The login form as a browser posts it: 303 logged in, 401 wrong, 429 throttled."""
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    page = client.get(f"{service.service_url}/login", headers=headers, timeout=30)
    return client.post(f"{service.service_url}/login", headers=headers, allow_redirects=False, timeout=60,
                       data={"csrf_token": csrf(page.text), "email": email, "password": password, "next": "/"})


def api(service, token: str, method: str = "GET", path: str = "/api/citizens", **kwargs) -> requests.Response:
    return requests.request(method, f"{service.service_url}{path}", headers={"Authorization": f"Bearer {token}"},
                            timeout=30, **kwargs)


# --- coordinators: deactivation and token rotation -------------------------------------------------

def test_a_deactivated_coordinator_is_shut_out_at_once(service):
    ole = coordinator(service)
    mette = coordinator(service)
    assert service.api("PATCH", f"/api/coordinators/{mette['id']}", json={"backup_coordinator_id": ole["id"]}).ok
    bente = citizen_of(service, mette["id"])
    desk = browser()
    assert login(service, desk, mette["email"]).status_code == 303
    home = desk.get(f"{service.service_url}/", allow_redirects=False, timeout=30)
    assert home.status_code == 200 and "Bente" in home.text
    assert [c["id"] for c in api(service, mette["token"]).json()] == [bente["id"]]

    resp = service.api("POST", f"/api/coordinators/{mette['id']}/deactivate")
    assert resp.status_code == 200, resp.text
    done = resp.json()
    assert done["active"] is False and done["citizens_moved_to"] == ole["id"]
    assert done["citizens_moved"] == [bente["id"]] and done["citizens_to_reassign"] == []

    # The open dashboard session, its CSRF-protected forms, the API token and the password: all refused.
    page = desk.get(f"{service.service_url}/citizens/{bente['id']}", allow_redirects=False, timeout=30)
    assert page.status_code == 303 and page.headers["Location"].startswith("/login")
    post = desk.post(f"{service.service_url}/citizens/{bente['id']}/chat-link/revoke",
                     data={"csrf_token": csrf(home.text)}, allow_redirects=False, timeout=30)
    assert post.status_code == 303 and post.headers["Location"] == "/login"
    assert api(service, mette["token"]).status_code == 401
    assert login(service, browser(), mette["email"]).status_code == 401
    assert api(service, mette["token"], "POST", f"/api/coordinators/{mette['id']}/token").status_code == 401
    # The citizen is the backup's now; nobody keeps a deactivated coordinator as backup.
    assert [c["id"] for c in api(service, ole["token"]).json()] == [bente["id"]]
    assert service.api("PATCH", f"/api/coordinators/{ole['id']}",
                       json={"backup_coordinator_id": mette["id"]}).status_code == 422


def test_without_a_backup_the_citizens_wait_for_reassignment(service):
    mette, karen = coordinator(service), coordinator(service)
    bente = citizen_of(service, mette["id"])
    done = service.api("POST", f"/api/coordinators/{mette['id']}/deactivate").json()
    assert done["citizens_moved"] == [] and done["citizens_to_reassign"] == [bente["id"]]
    assert api(service, mette["token"]).status_code == 401
    # Again with someone to take over: only the citizens move.
    for bad in ({"reassign_to": mette["id"]}, {"reassign_to": "2"}, {"reassign_to": 10**6}, {"other": 1}):
        assert service.api("POST", f"/api/coordinators/{mette['id']}/deactivate", json=bad).status_code == 422
    done = service.api("POST", f"/api/coordinators/{mette['id']}/deactivate", json={"reassign_to": karen["id"]}).json()
    assert done["citizens_moved"] == [bente["id"]] and done["citizens_to_reassign"] == []
    assert [c["id"] for c in api(service, karen["token"]).json()] == [bente["id"]]
    assert api(service, karen["token"], "POST", f"/api/coordinators/{karen['id']}/deactivate").status_code == 403
    assert service.api("POST", "/api/coordinators/999999/deactivate").status_code == 404
    # The address is free for a new account (someone coming back), which can log in.
    again = coordinator(service, email=mette["email"])
    assert login(service, browser(), again["email"]).status_code == 303


def test_a_replaced_api_token_is_dead_at_once(service):
    mette, ole = coordinator(service), coordinator(service)
    first = mette["token"]
    resp = api(service, first, "POST", f"/api/coordinators/{mette['id']}/token")
    assert resp.status_code == 201 and resp.headers["Cache-Control"] == "no-store"
    second = resp.json()["token"]
    assert second != first and api(service, first).status_code == 401 and api(service, second).status_code == 200
    # Not someone else's; the admin can replace anyone's.
    assert api(service, second, "POST", f"/api/coordinators/{ole['id']}/token").status_code == 403
    third = service.api("POST", f"/api/coordinators/{mette['id']}/token").json()["token"]
    assert api(service, second).status_code == 401 and api(service, third).status_code == 200
    # From the dashboard: shown once, the old one dead.
    desk = browser()
    assert login(service, desk, mette["email"]).status_code == 303
    account = desk.get(f"{service.service_url}/account", timeout=30)
    assert account.status_code == 200 and "Lav en ny API-nøgle" in account.text
    shown = desk.post(f"{service.service_url}/account/token", data={"csrf_token": csrf(account.text)}, timeout=60)
    assert shown.status_code == 200 and shown.headers["Cache-Control"] == "no-store"
    fourth = re.search(r'<code id="new-token">([^<]+)</code>', shown.text).group(1)
    assert api(service, third).status_code == 401 and api(service, fourth).status_code == 200
    assert "new-token" not in desk.get(f"{service.service_url}/account", timeout=30).text
    forged = desk.post(f"{service.service_url}/account/token", data={"csrf_token": "x"}, timeout=30)
    assert forged.status_code == 403 and api(service, fourth).status_code == 200


# --- login throttling behind a reverse proxy ---------------------------------------------------------

def test_behind_the_trusted_proxy_a_guesser_locks_out_only_himself(service):
    """Before: every request came from the proxy's address, so five wrong guesses for an account
    locked its coordinator out from everywhere."""
    mette = coordinator(service)
    proxy = browser(PROXY)
    for _ in range(5):
        assert login(service, proxy, mette["email"], "gæt-et-kodeord", forwarded_for="203.0.113.9").status_code == 401
    assert login(service, proxy, mette["email"], PASSWORD, forwarded_for="203.0.113.9").status_code == 429
    # A client's own X-Forwarded-For before the proxy's entry changes nothing: the proxy's is read.
    spoofed = login(service, proxy, mette["email"], PASSWORD, forwarded_for="198.51.100.20, 203.0.113.9")
    assert spoofed.status_code == 429
    # Mette at her own address, through the same proxy, gets in.
    assert login(service, browser(PROXY), mette["email"], forwarded_for="198.51.100.20").status_code == 303


def test_x_forwarded_for_from_an_untrusted_peer_is_ignored(service):
    """Anyone else who sends X-Forwarded-For cannot pick a fresh address for every guess."""
    ole = coordinator(service)
    direct = browser()  # 127.0.0.1: not a trusted proxy
    for n in range(5):
        assert login(service, direct, ole["email"], "gæt-et-kodeord", forwarded_for=f"192.0.2.{n}").status_code == 401
    assert login(service, direct, ole["email"], PASSWORD, forwarded_for="192.0.2.77").status_code == 429
    # The failures were counted against 127.0.0.1, not against Ole's real address behind the proxy.
    assert login(service, browser(PROXY), ole["email"], forwarded_for="198.51.100.30").status_code == 303


def test_guessing_one_account_from_many_addresses_is_slowed_down(service):
    karen = coordinator(service)
    proxy = browser(PROXY)
    for n in range(20):  # 20 addresses, one guess each: below every per-address limit
        assert login(service, proxy, karen["email"], "gæt-et-kodeord", forwarded_for=f"203.0.113.{100 + n}"
                     ).status_code == 401, n
    throttled = login(service, proxy, karen["email"], PASSWORD, forwarded_for="198.51.100.40")
    assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) > 0
    assert "For mange forkerte forsøg" in throttled.text


def test_one_address_guessing_across_accounts_is_slowed_down(service):
    lars = coordinator(service)
    proxy = browser(PROXY)
    for n in range(20):
        assert login(service, proxy, f"ukendt{n}@kommune.dk", "gæt-et-kodeord", forwarded_for="203.0.113.250"
                     ).status_code == 401, n
    assert login(service, proxy, lars["email"], PASSWORD, forwarded_for="203.0.113.250").status_code == 429
    assert login(service, proxy, lars["email"], PASSWORD, forwarded_for="198.51.100.50").status_code == 303


# --- argon2: off the event loop, outside transactions -----------------------------------------------

def test_password_checks_neither_block_the_service_nor_hold_a_transaction(service):
    """Eight logins at once (each an argon2 verification): /healthz keeps answering, and no
    transaction of the service stays open while a password is verified (PostgreSQL's own view)."""
    reference = hash_password(PASSWORD)
    started = time.perf_counter()
    verify_password(reference, "forkert")
    one_verification = time.perf_counter() - started

    oldest_transaction, healthz, done = [0.0], [], threading.Event()
    engine = sa.create_engine(service.database_url) if POSTGRES else None
    database = sa.engine.make_url(service.database_url).database

    def watch() -> None:
        while not done.is_set():
            if engine is not None:
                with engine.connect() as conn:
                    age = conn.execute(sa.text(
                        "SELECT COALESCE(MAX(EXTRACT(EPOCH FROM clock_timestamp() - xact_start)), 0) "
                        "FROM pg_stat_activity WHERE datname = :db AND pid <> pg_backend_pid() "
                        "AND xact_start IS NOT NULL"), {"db": database}).scalar()
                oldest_transaction[0] = max(oldest_transaction[0], float(age))
            t = time.perf_counter()
            assert requests.get(f"{service.service_url}/healthz", timeout=30).status_code == 200
            healthz.append(time.perf_counter() - t)
            time.sleep(0.02)

    watcher = threading.Thread(target=watch)
    watcher.start()
    try:
        with ThreadPoolExecutor(8) as pool:
            t = time.perf_counter()
            answers = list(pool.map(
                lambda n: login(service, browser(PROXY), f"argon{n}@kommune.dk", "gæt-et-kodeord",
                                forwarded_for=f"198.18.0.{n}").status_code, range(8)))
            burst = time.perf_counter() - t
    finally:
        done.set()
        watcher.join()
        if engine is not None:
            engine.dispose()
    assert answers == [401] * 8
    print(f"\nargon2 verification here: {one_verification:.3f} s; 8 logins at once: {burst:.2f} s; "
          f"/healthz meanwhile: median {statistics.median(healthz):.3f} s, max {max(healthz):.3f} s "
          f"({len(healthz)} calls); oldest open transaction seen: {oldest_transaction[0]:.3f} s")
    # On the event loop, every /healthz would wait for the verification running (and those queued).
    assert len(healthz) >= 3 and statistics.median(healthz) < one_verification / 3
    if engine is not None:
        assert oldest_transaction[0] < one_verification / 2


# --- web-chat links, at Rasa's socket (the shared stack) ---------------------------------------------

def socket_answer(stack, token: str, *, in_query: bool = False) -> str:
    """Engine.IO 4 polling by hand: open, send the Socket.IO CONNECT with the token in its auth
    payload (or, `in_query`, only in the URL as before), read the answer: '40' accepted, '44' refused."""
    base = f"{stack.rasa_url}/socket.io/?EIO=4&transport=polling" + (f"&token={token}" if in_query else "")
    sid = json.loads(requests.get(base, timeout=10).text[1:])["sid"]
    packet = "40" if in_query else "40" + json.dumps({"token": token})
    assert requests.post(f"{base}&sid={sid}", data=packet, timeout=10).status_code == 200
    return requests.get(f"{base}&sid={sid}", timeout=10).text


def accepted(stack, token: str) -> bool:
    answer = socket_answer(stack, token)
    assert answer.startswith(("40", "44")), answer
    return answer.startswith("40")


def page_status(stack, token: str) -> int:
    return requests.get(f"{stack.service_url}/chat", params={"token": token}, timeout=30).status_code


def test_the_socket_takes_the_token_only_in_the_auth_payload(stack):
    bente = stack.new_citizen()
    token = chat_token(stack, bente)
    assert accepted(stack, token)
    assert socket_answer(stack, token, in_query=True).startswith("44")  # proxy logs never see it


def test_revoked_links_are_refused_by_page_and_socket(stack):
    bente = stack.new_citizen()
    token = chat_token(stack, bente, bente["token"])
    assert accepted(stack, token) and page_status(stack, token) == 200
    resp = stack.api("POST", f"/api/citizens/{bente['id']}/chat-link/revoke", bente["token"])
    assert resp.status_code == 200 and resp.json()["revoked_because"] == "coordinator"
    assert not accepted(stack, token) and page_status(stack, token) == 403
    fresh = chat_token(stack, bente)
    assert accepted(stack, fresh) and not accepted(stack, token)


def test_stop_by_sms_closes_the_links(stack):
    bente = stack.new_citizen()
    token = chat_token(stack, bente)
    assert accepted(stack, token)
    stack.text_and_wait(bente["phone"], "STOP")
    assert stack.api("GET", f"/api/citizens/{bente['id']}").json()["opted_out"] is True
    assert not accepted(stack, token) and page_status(stack, token) == 403


def test_a_new_phone_number_closes_the_links(stack):
    bente = stack.new_citizen()
    token = chat_token(stack, bente)
    new_phone = f"+4531{next(stack._phone_numbers):06d}"
    resp = stack.api("PATCH", f"/api/citizens/{bente['id']}", bente["token"], json={"phone": new_phone})
    assert resp.status_code == 200 and resp.json()["phone"] == new_phone
    assert not accepted(stack, token) and page_status(stack, token) == 403


def test_erasure_closes_the_links_also_when_the_number_is_given_to_someone_else(stack):
    bente = stack.new_citizen()
    token = chat_token(stack, bente)
    erased = stack.api("POST", f"/api/citizens/{bente['id']}/erase", json={"confirm_phone": bente["phone"]})
    assert erased.status_code == 200 and not accepted(stack, token)
    newcomer = stack.api("POST", "/api/citizens", json={"name": "Ny", "phone": bente["phone"],
                                                        "coordinator_id": bente["coordinator_id"]})
    assert newcomer.status_code == 201
    # Before: the link named the number, so it opened the newcomer's conversation.
    assert not accepted(stack, token) and page_status(stack, token) == 403


def test_an_open_chat_stops_at_the_next_message_after_revocation(stack):
    bente = stack.new_citizen()
    with WebchatClient(stack.rasa_url, chat_token(stack, bente)) as chat:
        assert chat.say("hvem er min koordinator?")
        assert stack.api("POST", f"/api/citizens/{bente['id']}/chat-link/revoke").status_code == 200
        assert chat.say("kan min koordinator ringe til mig?") == [WEBCHAT_LINK_CLOSED]
    alerts = stack.api("GET", "/api/alerts?status=open", bente["token"]).json()
    assert not [a for a in alerts if a["citizen_id"] == bente["id"] and a["rule"] == "contact_request"]


@pytest.mark.browser
@requires_chromium
async def test_the_token_is_in_no_url_after_the_page_has_loaded(stack):
    bente = stack.new_citizen()
    token = chat_token(stack, bente)
    requested: list[str] = []
    async with chromium_page() as page:
        page.on("request", lambda request: requested.append(request.url))
        await page.goto(f"{stack.service_url}/chat?token={token}")
        await page.locator(".rw-new-message").wait_for()
        box = page.locator(".rw-new-message")
        await box.fill("hvem er min koordinator?")
        await box.press("Enter")
        await page.wait_for_function("n => document.querySelectorAll('.rw-response .rw-message-text').length >= n",
                                     arg=1, timeout=60_000)
        assert page.url == f"{stack.service_url}/chat/open"
        assert await page.evaluate("t => document.documentElement.outerHTML.includes(t)", token) is False
        # A reload comes back to the chat (the tab keeps the token), still without it in any URL.
        await page.reload()
        await page.locator(".rw-new-message").wait_for()
        await page.locator(".rw-new-message").fill("tak")
        await page.locator(".rw-new-message").press("Enter")
        await page.wait_for_function("n => document.querySelectorAll('.rw-response .rw-message-text').length >= n",
                                     arg=2, timeout=60_000)
    with_token = [url for url in requested if token in url]
    assert with_token == [f"{stack.service_url}/chat?token={token}"], with_token
    assert any("/socket.io/" in url for url in requested)
