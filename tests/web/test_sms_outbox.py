"""Outbox, dispatcher, fake operator and delivery reports, in-process against a real database and
the fake gateway speaking GatewayAPI's wire format over real HTTP."""
from datetime import timedelta

import aiohttp
import jwt
import pytest

from bot.db import outbox as outbox_db
from bot.db.citizens import create_citizen, set_status
from bot.db.coordinators import create_coordinator
from bot.sms.dispatcher import Dispatcher
from bot.sms.gateway import GatewayApiClient
from bot.sms.outbox import queue_sms
from tests.service import service_app

PHONE = "+4512345678"
SECRET = "test-sms-secret-long-enough-for-hs256"


@pytest.fixture
async def service(aiohttp_server, db, clock):
    server = await aiohttp_server(service_app(db, clock, SMS_GATEWAY="fake", SMS_WEBHOOK_SECRET=SECRET,
                                              SMS_DISPATCH_INTERVAL="0"))
    db.call(lambda s: create_citizen(s, name="Bente", phone=PHONE,
                                     coordinator_id=create_coordinator(s, "Mette")[0].id))
    return server


def dispatcher_for(server, db, clock) -> Dispatcher:
    base = str(server.make_url("/fake-sms"))
    gateway = GatewayApiClient(base, "fake-gateway-token", "1204", callback_url=str(server.make_url("/sms/delivery-report")))
    return Dispatcher(db, gateway, clock)


async def fake_inbox(http, server) -> list[str]:
    async with http.get(server.make_url("/fake-sms/messages"), params={"msisdn": "4512345678"}) as resp:
        return [m["message"] for m in await resp.json() if m["direction"] == "mt"]


async def test_gateway_failing_twice_then_ok_delivers_each_message_once_in_order(service, db, clock):
    for text in ("første", "anden", "tredje"):
        db.call(lambda s, t=text: queue_sms(s, PHONE, t, purpose="reply", now=clock.now()))
    service.app["fake_operator"].fail_next = 2
    dispatcher = dispatcher_for(service, db, clock)
    async with aiohttp.ClientSession() as http:
        assert await dispatcher.dispatch_once(http) == {"sent": 0, "retry": 1, "failed": 0}
        assert await dispatcher.dispatch_once(http) == {"sent": 0, "retry": 0, "failed": 0}  # backoff: not due
        clock.advance(timedelta(seconds=2))
        assert (await dispatcher.dispatch_once(http))["retry"] == 1
        clock.advance(timedelta(seconds=4))  # second backoff: 4 s
        assert await dispatcher.dispatch_once(http) == {"sent": 3, "retry": 0, "failed": 0}
        assert await dispatcher.dispatch_once(http) == {"sent": 0, "retry": 0, "failed": 0}
        assert await fake_inbox(http, service) == ["første", "anden", "tredje"]
    rows = db.call(outbox_db.list_for_msisdn, PHONE)
    assert [r.attempts for r in rows] == [3, 1, 1]
    assert all(r.status in ("sent", "delivered") for r in rows)  # the fake also reports delivery
    assert all(r.provider_id for r in rows)


async def test_gives_up_after_max_attempts_and_keeps_the_error(service, db, clock):
    db.call(lambda s: queue_sms(s, PHONE, "hej", purpose="reply", now=clock.now()))
    service.app["fake_operator"].fail_next = 100
    dispatcher = dispatcher_for(service, db, clock)
    dispatcher.max_attempts = 3
    async with aiohttp.ClientSession() as http:
        for _ in range(3):
            await dispatcher.dispatch_once(http)
            clock.advance(timedelta(minutes=1))
    [row] = db.call(outbox_db.list_for_msisdn, PHONE)
    assert row.status == "failed" and row.attempts == 3 and "500" in row.last_error


async def test_delivery_report_updates_status(service, db, clock):
    db.call(lambda s: queue_sms(s, PHONE, "hej", purpose="reply", now=clock.now()))
    dispatcher = dispatcher_for(service, db, clock)
    dispatcher.gateway.callback_url = None  # only this test's report arrives
    async with aiohttp.ClientSession() as http:
        await dispatcher.dispatch_once(http)
        [row] = db.call(outbox_db.list_for_msisdn, PHONE)
        assert row.status == "sent"
        report = {"id": int(row.provider_id), "msisdn": 4512345678, "time": 1, "status": "UNDELIVERED",
                  "userref": str(row.id)}
        headers = {"X-Gwapi-Signature": jwt.encode(report, SECRET, algorithm="HS256")}
        async with http.post(service.make_url("/sms/delivery-report"), json=report, headers=headers) as resp:
            assert resp.status == 200
    [row] = db.call(outbox_db.list_for_msisdn, PHONE)
    assert row.status == "undelivered"


@pytest.mark.parametrize("signature", [None, "not-a-jwt", jwt.encode({"id": 1, "status": "DELIVERED"}, "wrong",
                                                                     algorithm="HS256")])
async def test_delivery_report_without_valid_signature_is_refused(service, signature):
    headers = {"X-Gwapi-Signature": signature} if signature else {}
    async with aiohttp.ClientSession() as http:
        async with http.post(service.make_url("/sms/delivery-report"), json={"id": 1, "status": "DELIVERED"},
                             headers=headers) as resp:
            assert resp.status == 401


async def test_fake_operator_sends_a_signed_delivery_report_itself(service, db, clock):
    db.call(lambda s: queue_sms(s, PHONE, "hej", purpose="reply", now=clock.now()))
    async with aiohttp.ClientSession() as http:
        await dispatcher_for(service, db, clock).dispatch_once(http)
    import asyncio

    for _ in range(50):
        if db.call(outbox_db.list_for_msisdn, PHONE)[0].status == "delivered":
            break
        await asyncio.sleep(0.05)
    assert db.call(outbox_db.list_for_msisdn, PHONE)[0].status == "delivered"


async def test_fake_operator_refuses_a_bad_token_and_bad_json(service):
    async with aiohttp.ClientSession() as http:
        url = service.make_url("/fake-sms/rest/mtsms")
        async with http.post(url, json={}, headers={"Authorization": "Token nope"}) as resp:
            assert resp.status == 401
        async with http.post(url, json={"message": "x"}, headers={"Authorization": "Token fake-gateway-token"}) as resp:
            assert resp.status == 400


def test_after_stop_a_proactive_message_is_suppressed_but_replies_go(db, clock):
    citizen = db.call(lambda s: create_citizen(s, name="B", phone=PHONE,
                                               coordinator_id=create_coordinator(s, "M")[0].id))
    db.call(set_status, citizen.id, "opted_out")
    proactive = db.call(lambda s: queue_sms(s, PHONE, "Husk dit møde", purpose="proactive", now=clock.now()))
    reply = db.call(lambda s: queue_sms(s, PHONE, "Du er afmeldt", purpose="reply", now=clock.now()))
    assert proactive.status == "suppressed" and reply.status == "queued"
    assert [m.id for m in db.call(outbox_db.claim_due, clock.now())] == [reply.id]


def test_text_is_normalised_to_gsm7_and_segments_counted(db, clock):
    row = db.call(lambda s: queue_sms(s, PHONE, "Mødet – på rådhuset ’i morgen’ 🙂 " + "æøå" * 60,
                                      purpose="reply", now=clock.now()))
    assert row.text.startswith("Mødet - på rådhuset 'i morgen' :) æøå")
    assert row.segments == 2 and row.citizen_id is None


def test_two_dispatchers_never_claim_the_same_message(db, clock):
    for i in range(10):
        db.call(lambda s, i=i: queue_sms(s, f"+45200000{i:02d}", "x", purpose="reply", now=clock.now()))
    with db.session() as first, db.session() as second:
        a = outbox_db.claim_due(first, clock.now(), limit=5)
        if db.engine.dialect.name == "postgresql":
            b = outbox_db.claim_due(second, clock.now(), limit=10)  # skips the rows `first` holds
            assert {m.id for m in a}.isdisjoint(m.id for m in b) and len(a) + len(b) == 10
    assert len(a) == 5
