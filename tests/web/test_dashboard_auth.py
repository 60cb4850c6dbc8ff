"""Dashboard login, sessions, CSRF and the slowing down of password guessing."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.db.coordinators import create_coordinator
from tests.dashboard import PASSWORD, csrf_token, dashboard_app, logged_in, login, make_coordinator


@pytest.fixture
async def client(aiohttp_client, db, clock):
    db.call(lambda s: make_coordinator(s, "Mette", "mette@kommune.dk"))
    return await aiohttp_client(dashboard_app(db, clock))


async def test_pages_need_a_login_and_come_back_after_it(client):
    resp = await client.get("/alerts", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/login?next=/alerts"
    page = await client.get("/login?next=%2Falerts")
    token = csrf_token(await page.text())
    resp = await client.post("/login", data={"csrf_token": token, "email": "Mette@Kommune.dk ",
                                             "password": PASSWORD, "next": "/alerts"}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/alerts"
    assert (await client.get("/alerts")).status == 200


async def test_session_cookie_is_signed_http_only_and_same_site(client, db):
    resp = await login(client, "mette@kommune.dk")
    cookie = resp.cookies["bic_session"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax" and cookie["path"] == "/"
    session_id = cookie.value.rpartition(".")[0]
    with db.session() as s:
        stored = s.execute(sa.text("SELECT id_hash FROM web_sessions")).scalar_one()
    assert session_id and session_id not in stored  # only a hash is stored
    client.session.cookie_jar.update_cookies({"bic_session": session_id + ".forged"})
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_wrong_password_or_unknown_email_gets_the_same_answer(client):
    for email, password in [("mette@kommune.dk", "forkert-kodeord"), ("ukendt@kommune.dk", PASSWORD)]:
        resp = await login(client, email, password)
        assert resp.status == 401
        assert "Forkert e-mail eller adgangskode" in await resp.text()


async def test_login_refuses_an_offsite_next(client):
    page = await client.get("/login")
    resp = await client.post("/login", data={"csrf_token": csrf_token(await page.text()), "email": "mette@kommune.dk",
                                             "password": PASSWORD, "next": "//evil.example/x"}, allow_redirects=False)
    assert resp.headers["Location"] == "/"


async def test_logout_ends_the_session_on_the_server(client):
    token = await logged_in(client, "mette@kommune.dk")
    cookie = client.session.cookie_jar.filter_cookies(client.make_url("/"))["bic_session"].value
    resp = await client.post("/logout", data={"csrf_token": token}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == "/login"
    # Replaying the old cookie does not work: the session is gone from the database.
    client.session.cookie_jar.update_cookies({"bic_session": cookie})
    assert (await client.get("/", allow_redirects=False)).status == 303


async def test_session_expires_after_a_working_day(client, clock):
    await logged_in(client, "mette@kommune.dk")
    clock.advance(timedelta(hours=8, minutes=1))
    resp = await client.get("/", allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/login")


async def test_posts_without_the_csrf_token_are_refused(client):
    token = await logged_in(client, "mette@kommune.dk")
    for path in ["/logout", "/alerts/1/acknowledge", "/citizens/new", "/citizens/1/stratification"]:
        for data in ({}, {"csrf_token": "wrong"}, {"csrf_token": token[:-1]}):
            resp = await client.post(path, data=data, allow_redirects=False)
            assert resp.status == 403, (path, data)
            assert "sikkerhedsnøgle" in await resp.text()
    # None of them went through: still logged in.
    assert (await client.get("/", allow_redirects=False)).status == 200


async def test_login_form_needs_its_csrf_token_too(client):
    await client.get("/login")
    resp = await client.post("/login", data={"email": "mette@kommune.dk", "password": PASSWORD},
                             allow_redirects=False)
    assert resp.status == 403


async def test_repeated_bad_logins_are_slowed_down_per_account_and_address(client, clock):
    for _ in range(5):
        assert (await login(client, "mette@kommune.dk", "forkert-kodeord")).status == 401
    # From now on even the right password has to wait: guessing is slowed to a crawl.
    resp = await login(client, "mette@kommune.dk")
    assert resp.status == 429 and int(resp.headers["Retry-After"]) == 30
    assert "For mange forkerte forsøg" in await resp.text()
    clock.advance(timedelta(seconds=31))
    assert (await login(client, "mette@kommune.dk", "forkert-igen")).status == 401
    resp = await login(client, "mette@kommune.dk")
    assert resp.status == 429 and int(resp.headers["Retry-After"]) == 60  # doubles
    # Another account from the same address is not affected.
    clock.advance(timedelta(seconds=61))
    assert (await login(client, "mette@kommune.dk")).status == 303


async def test_a_new_password_via_the_admin_api_logs_out_everywhere(client):
    await logged_in(client, "mette@kommune.dk")
    resp = await client.post("/api/coordinators/1/password", json={"password": "et-helt-nyt-kodeord"},
                             headers={"Authorization": "Bearer test-admin"})
    assert resp.status == 204
    assert (await client.get("/", allow_redirects=False)).status == 303
    assert (await login(client, "mette@kommune.dk")).status == 401
    assert (await login(client, "mette@kommune.dk", "et-helt-nyt-kodeord")).status == 303


async def test_password_api_validates(client):
    for body, message in [({"password": "kort"}, "10 to 200"), ({}, "password"), ({"password": 12345678901}, "password")]:
        resp = await client.post("/api/coordinators/1/password", json=body,
                                 headers={"Authorization": "Bearer test-admin"})
        assert resp.status == 422 and message in (await resp.json())["error"]


async def test_password_api_is_admin_only_and_404_for_unknown(client, db):
    token = db.call(lambda s: create_coordinator(s, "Ole")[1])
    resp = await client.post("/api/coordinators/1/password", json={"password": "x" * 12},
                             headers={"Authorization": f"Bearer {token}"})
    assert resp.status == 403
    resp = await client.post("/api/coordinators/99/password", json={"password": "x" * 12},
                             headers={"Authorization": "Bearer test-admin"})
    assert resp.status == 404


async def test_coordinator_can_be_created_with_a_password_and_shared_emails_are_refused(client):
    admin = {"Authorization": "Bearer test-admin"}
    resp = await client.post("/api/coordinators", json={"name": "Ole", "email": "Ole@Kommune.dk",
                                                        "password": "ole-har-et-kodeord"}, headers=admin)
    body = await resp.json()
    assert resp.status == 201 and body["has_password"] and body["email"] == "ole@kommune.dk"
    assert (await login(client, "ole@kommune.dk", "ole-har-et-kodeord")).status == 303
    resp = await client.post("/api/coordinators", json={"name": "X", "email": "OLE@kommune.dk"}, headers=admin)
    assert resp.status == 409


async def test_admin_sets_a_backup_coordinator(client, db):
    admin = {"Authorization": "Bearer test-admin"}
    ole = await (await client.post("/api/coordinators", json={"name": "Ole"}, headers=admin)).json()
    resp = await client.patch("/api/coordinators/1", json={"backup_coordinator_id": ole["id"]}, headers=admin)
    assert resp.status == 200 and (await resp.json())["backup_coordinator_id"] == ole["id"]
    for body, message in [({"backup_coordinator_id": 1}, "another coordinator"), ({"backup_coordinator_id": 99}, "99"),
                          ({"backup_coordinator_id": "2"}, "another coordinator"), ({"name": "x"}, "unknown field")]:
        resp = await client.patch("/api/coordinators/1", json=body, headers=admin)
        assert resp.status == 422 and message in (await resp.json())["error"], body
    resp = await client.patch("/api/coordinators/1", json={"backup_coordinator_id": None}, headers=admin)
    assert (await resp.json())["backup_coordinator_id"] is None
    resp = await client.patch("/api/coordinators/1", json={"backup_coordinator_id": None},
                              headers={"Authorization": f"Bearer {ole['token']}"})
    assert resp.status == 403
