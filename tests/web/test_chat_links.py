"""Personal web-chat links: minted by the API, checked by the chat page (401 expired, 403 forged)."""
from datetime import timedelta

import jwt
import pytest
import sqlalchemy as sa

from bot.citizens.chat_links import ExpiredChatToken, InvalidChatToken, chat_link, mint_token, verify_token
from bot.db.models import AccessLog
from tests.conftest import T0
from tests.dashboard import ADMIN, dashboard_app, make_citizen, make_coordinator

SECRET = "test-webchat-secret-0123456789abcdef"


def test_token_round_trip_and_its_failures():
    token = mint_token(SECRET, "+4512345678", T0, timedelta(days=14))
    assert verify_token(SECRET, token, T0 + timedelta(days=13)) == ("+4512345678", T0 + timedelta(days=14))
    with pytest.raises(ExpiredChatToken):
        verify_token(SECRET, token, T0 + timedelta(days=14))
    with pytest.raises(InvalidChatToken):
        verify_token("another-secret-0123456789abcdefghij", token, T0)
    header, payload, signature = token.split(".")
    with pytest.raises(InvalidChatToken):
        verify_token(SECRET, f"{header}.{payload}x.{signature}", T0)
    none_alg = jwt.encode({"sub": "+4512345678", "aud": "chat", "exp": 9999999999}, None, algorithm="none")
    for bad in [None, "", "abc", none_alg,
                jwt.encode({"sub": "+4512345678", "exp": 9999999999}, SECRET, algorithm="HS256"),  # no audience
                jwt.encode({"sub": "12345678", "aud": "chat", "exp": 9999999999}, SECRET, algorithm="HS256")]:
        with pytest.raises(InvalidChatToken):
            verify_token(SECRET, bad, T0)


def test_link_is_short_enough_for_an_sms():
    link = chat_link("https://borger.kommune.dk", SECRET, "+4512345678", T0, timedelta(days=14))
    assert link.url.startswith("https://borger.kommune.dk/chat?token=") and len(link.url) < 180


@pytest.fixture
async def client(aiohttp_client, db, clock):
    def make(session):
        mette = make_coordinator(session, "Mette", "mette@kommune.dk", token="mette-token")
        ole = make_coordinator(session, "Ole", "ole@kommune.dk")
        return (make_citizen(session, mette, "Bente", "+4512345678").id,
                make_citizen(session, ole, "Otto", "+4512345679").id)

    client = await aiohttp_client(dashboard_app(db, clock, WEBCHAT_JWT_SECRET=SECRET,
                                                PUBLIC_URL="https://borger.kommune.dk",
                                                RASA_SOCKET_URL="https://chat.kommune.dk"))
    client.ids = db.call(make)
    return client


async def test_coordinator_mints_a_link_for_own_citizen_only(client, db):
    mine, others = client.ids
    auth = {"Authorization": "Bearer mette-token"}
    resp = await client.post(f"/api/citizens/{mine}/chat-link", headers=auth)
    body = await resp.json()
    assert resp.status == 201 and body["url"].startswith("https://borger.kommune.dk/chat?token=")
    assert body["expires_at"] == (T0 + timedelta(days=14)).isoformat()
    token = body["url"].split("token=")[1]
    assert verify_token(SECRET, token, T0)[0] == "+4512345678"
    assert (await client.post(f"/api/citizens/{others}/chat-link", headers=auth)).status == 404
    resp = await client.post(f"/api/citizens/{mine}/chat-link", json={"days": 0}, headers=ADMIN)
    assert resp.status == 422
    resp = await client.post(f"/api/citizens/{mine}/chat-link", json={"days": 2}, headers=ADMIN)
    assert (await resp.json())["expires_at"] == (T0 + timedelta(days=2)).isoformat()
    with db.session() as s:
        assert s.execute(sa.select(AccessLog.action)).scalars().all() == ["chat_link"]


async def test_chat_page_serves_the_widget_for_a_valid_link(client):
    token = mint_token(SECRET, "+4512345678", T0, timedelta(days=1))
    resp = await client.get(f"/chat?token={token}")
    html = await resp.text()
    assert resp.status == 200
    assert 'data-socket-url="https://chat.kommune.dk"' in html and f'data-token="{token}"' in html
    assert "/vendor/rasa-webchat/index.js" in html and "Bente" not in html
    assert "connect-src 'self' https://chat.kommune.dk wss://chat.kommune.dk" in resp.headers["Content-Security-Policy"]
    widget = await client.get("/vendor/rasa-webchat/index.js")
    assert widget.status == 200 and "WebChat" in (await widget.text())[:500]


@pytest.mark.parametrize("case, status, words", [
    ("expired", 401, "Linket er udløbet"),
    ("missing", 401, "Linket er udløbet"),
    ("forged", 403, "Linket virker ikke"),
    ("unknown citizen", 403, "Linket virker ikke"),
])
async def test_chat_page_refuses_bad_links_in_danish(client, clock, case, status, words):
    tokens = {
        "expired": mint_token(SECRET, "+4512345678", T0 - timedelta(days=2), timedelta(days=1)),
        "missing": "",
        "forged": mint_token("not-the-secret-0123456789abcdefghij", "+4512345678", T0, timedelta(days=1)),
        "unknown citizen": mint_token(SECRET, "+4599999999", T0, timedelta(days=1)),
    }
    resp = await client.get(f"/chat?token={tokens[case]}")
    html = await resp.text()
    assert resp.status == status and words in html and "SMS" in html
    assert "rasa-webchat" not in html


async def test_the_link_can_be_sent_to_the_citizen_by_sms(client, db):
    from bot.db import outbox as outbox_db
    from bot.sms.gsm import is_gsm7

    mine, _ = client.ids
    auth = {"Authorization": "Bearer mette-token"}
    resp = await client.post(f"/api/citizens/{mine}/chat-link", json={"send_sms": True}, headers=auth)
    body = await resp.json()
    assert resp.status == 201 and body["sent"] is True
    [sms] = db.call(outbox_db.list_for_msisdn, "+4512345678")
    assert sms.text.endswith(body["url"]) and sms.segments <= 2 and is_gsm7(sms.text)
    assert sms.purpose == "proactive" and sms.status == "queued"
    bad = await client.post(f"/api/citizens/{mine}/chat-link", json={"send_sms": "yes"}, headers=auth)
    assert bad.status == 422
