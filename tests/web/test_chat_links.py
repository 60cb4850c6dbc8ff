"""Personal web-chat links: minted by the API with the citizen's link id, checked by the chat page
(401 expired, 403 forged or revoked), revoked by the coordinator, STOP, a new phone number and
erasure (docs/privacy.md, "Access that can be taken back")."""
from datetime import timedelta

import jwt
import pytest
import sqlalchemy as sa

from bot.citizens import chat_links
from bot.citizens.chat_links import (
    ExpiredChatToken,
    InvalidChatToken,
    RevokedChatToken,
    chat_link,
    citizen_for_token,
    mint_token,
    new_link_id,
    verify_token,
)
from bot.citizens.course import opt_out
from bot.db.citizens import get_citizen
from bot.db.models import AccessLog
from tests.conftest import T0
from tests.dashboard import ADMIN, csrf_token, logged_in, make_citizen, make_coordinator, quiet_app

SECRET = "test-webchat-secret-0123456789abcdef"
LINK_ID = "AbCdEfGhIjKlMn-_"


def test_token_round_trip_and_its_failures():
    token = mint_token(SECRET, LINK_ID, T0, timedelta(days=14))
    assert verify_token(SECRET, token, T0 + timedelta(days=13)) == (LINK_ID, T0 + timedelta(days=14))
    assert "4512345678" not in jwt.decode(token, options={"verify_signature": False})["sub"]
    with pytest.raises(ExpiredChatToken):
        verify_token(SECRET, token, T0 + timedelta(days=14))
    with pytest.raises(InvalidChatToken):
        verify_token("another-secret-0123456789abcdefghij", token, T0)
    header, payload, signature = token.split(".")
    with pytest.raises(InvalidChatToken):
        verify_token(SECRET, f"{header}.{payload}x.{signature}", T0)
    none_alg = jwt.encode({"sub": LINK_ID, "aud": "chat", "exp": 9999999999}, None, algorithm="none")
    for bad in [None, "", "abc", none_alg,
                jwt.encode({"sub": LINK_ID, "exp": 9999999999}, SECRET, algorithm="HS256"),  # no audience
                # a link from before links could be revoked: it named the phone number
                jwt.encode({"sub": "+4512345678", "aud": "chat", "exp": 9999999999}, SECRET, algorithm="HS256")]:
        with pytest.raises(InvalidChatToken):
            verify_token(SECRET, bad, T0)


def test_link_is_short_enough_for_an_sms():
    link = chat_link("https://borger.kommune.dk", SECRET, new_link_id(), T0, timedelta(days=30))
    assert link.url.startswith("https://borger.kommune.dk/chat?token=") and len(link.url) < 180


async def _client(aiohttp_client, db, clock, **env):
    def make(session):
        mette = make_coordinator(session, "Mette", "mette@kommune.dk", token="mette-token")
        ole = make_coordinator(session, "Ole", "ole@kommune.dk")
        return (make_citizen(session, mette, "Bente", "+4512345678").id,
                make_citizen(session, ole, "Otto", "+4512345679").id)

    # Quiet: the app's own SMS dispatcher would race the outbox assertions.
    client = await aiohttp_client(quiet_app(db, clock, WEBCHAT_JWT_SECRET=SECRET,
                                                RASA_SOCKET_URL="https://chat.kommune.dk", **env))
    client.ids = db.call(make)
    return client


@pytest.fixture
async def client(aiohttp_client, db, clock):
    return await _client(aiohttp_client, db, clock, PUBLIC_URL="https://borger.kommune.dk")


@pytest.fixture
async def dashboard(aiohttp_client, db, clock):
    """On http://, so the test client keeps the session cookie (Secure on https://)."""
    return await _client(aiohttp_client, db, clock)


MINE = {"Authorization": "Bearer mette-token"}


async def mint(client, citizen_id, **body) -> str:
    resp = await client.post(f"/api/citizens/{citizen_id}/chat-link", json=body, headers=MINE)
    assert resp.status == 201, await resp.text()
    return (await resp.json())["url"].split("token=")[1]


async def test_coordinator_mints_a_link_for_own_citizen_only(client, db):
    mine, others = client.ids
    resp = await client.post(f"/api/citizens/{mine}/chat-link", headers=MINE)
    body = await resp.json()
    assert resp.status == 201 and body["url"].startswith("https://borger.kommune.dk/chat?token=")
    assert body["expires_at"] == (T0 + timedelta(days=14)).isoformat()
    token = body["url"].split("token=")[1]
    citizen, _ = db.call(citizen_for_token, SECRET, token, T0)
    assert citizen.id == mine and citizen.chat_link_id == verify_token(SECRET, token, T0)[0]
    assert (await client.post(f"/api/citizens/{others}/chat-link", headers=MINE)).status == 404
    for days in (0, 31, 90):  # at most 30 days (docs/privacy.md)
        resp = await client.post(f"/api/citizens/{mine}/chat-link", json={"days": days}, headers=ADMIN)
        assert resp.status == 422
    resp = await client.post(f"/api/citizens/{mine}/chat-link", json={"days": 2}, headers=ADMIN)
    assert (await resp.json())["expires_at"] == (T0 + timedelta(days=2)).isoformat()
    # Both links carry the same link id: one revocation closes them all.
    assert verify_token(SECRET, (await resp.json())["url"].split("token=")[1], T0)[0] == citizen.chat_link_id
    with db.session() as s:  # every mint is in the access log, none for the other coordinator's citizen
        rows = s.execute(sa.select(AccessLog.action, AccessLog.citizen_id)).all()
    assert rows and set(rows) == {("chat_link", mine)}


async def test_chat_page_serves_the_widget_for_a_valid_link(client):
    token = await mint(client, client.ids[0], days=1)
    resp = await client.get(f"/chat?token={token}")
    html = await resp.text()
    assert resp.status == 200 and resp.headers["Cache-Control"] == "no-store"
    assert 'data-socket-url="https://chat.kommune.dk"' in html and f'data-token="{token}"' in html
    assert "/vendor/rasa-webchat/index.js" in html and "Bente" not in html
    assert "connect-src 'self' https://chat.kommune.dk wss://chat.kommune.dk" in resp.headers["Content-Security-Policy"]
    widget = await client.get("/vendor/rasa-webchat/index.js")
    assert widget.status == 200 and "WebChat" in (await widget.text())[:500]
    # Where the page moves itself after load: the widget without any token in the page or the URL.
    reopened = await client.get("/chat/open")
    assert reopened.status == 200 and 'data-token=""' in await reopened.text()


@pytest.mark.parametrize("case, status, words", [
    ("expired", 401, "Linket er udløbet"),
    ("missing", 401, "Linket er udløbet"),
    ("forged", 403, "Linket virker ikke"),
    ("unknown link id", 403, "Linket virker ikke"),
    ("revoked", 403, "Linket virker ikke"),
])
async def test_chat_page_refuses_bad_links_in_danish(client, db, case, status, words):
    valid = await mint(client, client.ids[0], days=1)
    link_id = verify_token(SECRET, valid, T0)[0]
    tokens = {
        "expired": mint_token(SECRET, link_id, T0 - timedelta(days=2), timedelta(days=1)),
        "missing": "",
        "forged": mint_token("not-the-secret-0123456789abcdefghij", link_id, T0, timedelta(days=1)),
        "unknown link id": mint_token(SECRET, new_link_id(), T0, timedelta(days=1)),
        "revoked": valid,
    }
    if case == "revoked":
        assert (await client.post(f"/api/citizens/{client.ids[0]}/chat-link/revoke", headers=MINE)).status == 200
    resp = await client.get(f"/chat?token={tokens[case]}")
    html = await resp.text()
    assert resp.status == status and words in html and "SMS" in html
    assert "rasa-webchat" not in html


async def test_revoking_closes_every_link_and_the_next_one_is_new(client, db):
    mine, others = client.ids
    first, second = await mint(client, mine), await mint(client, mine, days=3)
    resp = await client.post(f"/api/citizens/{mine}/chat-link/revoke", headers=MINE)
    body = await resp.json()
    assert resp.status == 200 and body["revoked_at"] == T0.isoformat() and body["revoked_because"] == "coordinator"
    for old in (first, second):
        with pytest.raises(RevokedChatToken):
            db.call(citizen_for_token, SECRET, old, T0)
    third = await mint(client, mine)
    assert db.call(citizen_for_token, SECRET, third, T0)[0].id == mine
    assert verify_token(SECRET, third, T0)[0] != verify_token(SECRET, first, T0)[0]
    assert (await client.post(f"/api/citizens/{others}/chat-link/revoke", headers=MINE)).status == 404
    assert (await client.post(f"/api/citizens/{others}/chat-link/revoke", headers=ADMIN)).status == 200
    with db.session() as s:
        actions = s.execute(sa.select(AccessLog.action).where(AccessLog.citizen_id == mine)).scalars().all()
    assert actions == ["chat_link", "chat_link", "revoke_chat_links", "chat_link"]


async def test_the_coordinator_closes_the_links_on_the_citizens_page(dashboard, db):
    client = dashboard
    mine, _ = client.ids
    token = await mint(client, mine)
    csrf = await logged_in(client, "mette@kommune.dk")
    page = await client.get(f"/citizens/{mine}")
    assert "Luk links til webchatten" in await page.text()
    resp = await client.post(f"/citizens/{mine}/chat-link/revoke", data={"csrf_token": csrf}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == f"/citizens/{mine}#h-webchat"
    assert (await client.get(f"/chat?token={token}")).status == 403
    page = await (await client.get(f"/citizens/{mine}")).text()
    assert "Borgeren har ikke et link, der virker." in page and "Luk links til webchatten" not in page
    # Without the CSRF token nothing happens; another coordinator's citizen is not found.
    await mint(client, mine)
    refused = await client.post(f"/citizens/{mine}/chat-link/revoke", data={}, allow_redirects=False)
    assert refused.status == 403 and db.call(get_citizen, mine).chat_link_id is not None
    other = await client.post(f"/citizens/{client.ids[1]}/chat-link/revoke", data={"csrf_token": csrf_token(page)},
                              allow_redirects=False)
    assert other.status == 404


async def test_stop_and_a_new_phone_number_close_the_links(client, db):
    mine, _ = client.ids
    token = await mint(client, mine)
    db.call(lambda s: opt_out(s, get_citizen(s, mine), T0))
    with pytest.raises(RevokedChatToken):
        db.call(citizen_for_token, SECRET, token, T0)
    assert db.call(get_citizen, mine).chat_links_revoked_because == chat_links.OPT_OUT

    token = await mint(client, mine)
    resp = await client.patch(f"/api/citizens/{mine}", json={"phone": "22 33 44 55"}, headers=MINE)
    assert resp.status == 200 and (await resp.json())["phone"] == "+4522334455"
    assert (await client.get(f"/chat?token={token}")).status == 403
    assert db.call(get_citizen, mine).chat_links_revoked_because == chat_links.PHONE_CHANGE
    # The same number again changes nothing; someone else's number, or no number, is refused.
    token = await mint(client, mine)
    assert (await client.patch(f"/api/citizens/{mine}", json={"phone": "+4522334455"}, headers=MINE)).status == 200
    assert (await client.get(f"/chat?token={token}")).status == 200
    assert (await client.patch(f"/api/citizens/{mine}", json={"phone": "+4512345679"}, headers=ADMIN)).status == 409
    assert (await client.patch(f"/api/citizens/{mine}", json={"phone": "123"}, headers=MINE)).status == 422
    assert (await client.get(f"/chat?token={token}")).status == 200


async def test_a_new_number_takes_the_conversation_along(client, db):
    """The conversation in Rasa's tracker store is keyed by the number: it moves with the citizen,
    so their export and erasure still find it and the old number keeps nothing."""
    from tests.service import tracker_url
    from tests.web.test_privacy import talk, tracker_store

    mine, _ = client.ids
    await talk(tracker_store(tracker_url(db.url)), "+4512345678", "hej")
    resp = await client.patch(f"/api/citizens/{mine}", json={"phone": "22334455"}, headers=MINE)
    assert resp.status == 200
    events = client.app["tracker_events"]
    assert events.for_sender("+4512345678") == []
    assert [e.get("text") for e in events.for_sender("+4522334455") if e["event"] == "user"] == ["hej"]


async def test_erasure_closes_the_links_also_when_the_number_is_given_to_someone_else(client, db):
    mine, _ = client.ids
    token = await mint(client, mine)
    erased = await client.post(f"/api/citizens/{mine}/erase", json={"confirm_phone": "12345678"}, headers=MINE)
    assert erased.status == 200
    assert (await client.get(f"/chat?token={token}")).status == 403
    # The operator gives the number to a new citizen: the old link does not open their chat.
    new = await client.post("/api/citizens", json={"name": "Ny", "phone": "12345678"}, headers=MINE)
    assert new.status == 201
    assert (await client.get(f"/chat?token={token}")).status == 403


async def test_the_link_can_be_sent_to_the_citizen_by_sms(client, db):
    from bot.db import outbox as outbox_db
    from bot.sms.gsm import is_gsm7

    mine, _ = client.ids
    resp = await client.post(f"/api/citizens/{mine}/chat-link", json={"send_sms": True, "days": 30}, headers=MINE)
    body = await resp.json()
    assert resp.status == 201 and body["sent"] is True
    [sms] = db.call(outbox_db.list_for_msisdn, "+4512345678")
    assert sms.text.endswith(body["url"]) and sms.segments <= 2 and is_gsm7(sms.text)
    assert sms.purpose == "proactive" and sms.status == "queued"
    bad = await client.post(f"/api/citizens/{mine}/chat-link", json={"send_sms": "yes"}, headers=MINE)
    assert bad.status == 422
