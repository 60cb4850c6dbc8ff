"""An SMS to a citizen that never arrives is a high `unreachable` alert for their coordinator, raised in
the transaction that records it (docs/decisions.md, "Silence is a signal"): when the outbox gives up
on a message, or the operator's delivery report says undeliverable. Not for notifications to staff,
nor for suppressed messages; one open alert at a time. On SQLite and PostgreSQL, with the fake
operator over real HTTP, every step at a time stated with the FixedClock."""
from datetime import timedelta

import aiohttp
import jwt
import pytest

from bot.db import outbox as outbox_db
from bot.db.alerts import list_alerts
from bot.db.citizens import set_status
from bot.db.models import OutboxMessage
from bot.sms.dispatcher import Dispatcher
from bot.sms.gateway import GatewayApiClient
from bot.sms.outbox import UNREACHABLE_REASON, queue_sms, record_send_failure, record_undelivered
from tests.db.conftest import PHONE
from tests.service import service_app

STAFF_PHONE = "+4587654321"
SECRET = "test-sms-secret-long-enough-for-hs256"


@pytest.fixture
async def service(aiohttp_server, db, clock, citizen):
    return await aiohttp_server(service_app(db, clock, SMS_GATEWAY="fake", SMS_WEBHOOK_SECRET=SECRET,
                                            SMS_DISPATCH_INTERVAL="0"))


def dispatcher_for(server, db, clock, *, reports: bool) -> Dispatcher:
    callback = str(server.make_url("/sms/delivery-report")) if reports else None
    gateway = GatewayApiClient(str(server.make_url("/fake-sms")), "fake-gateway-token", "1204", callback_url=callback)
    return Dispatcher(db, gateway, clock, max_attempts=3)


def unreachable(db, citizen) -> list:
    return [(a.rule, a.severity, a.reason, a.created_at)
            for a in db.call(lambda s: list_alerts(s, citizen_id=citizen.id)) if a.rule == "unreachable"]


async def give_up(service, db, clock, text="Husk dit møde") -> None:
    """The gateway refuses every attempt; the dispatcher retries, then gives up (3 attempts)."""
    db.call(lambda s: queue_sms(s, PHONE, text, purpose="proactive", now=clock.now()))
    service.app["fake_operator"].fail_next = 100
    dispatcher = dispatcher_for(service, db, clock, reports=False)
    async with aiohttp.ClientSession() as http:
        for _ in range(3):
            await dispatcher.dispatch_once(http)
            clock.advance(timedelta(minutes=1))
    service.app["fake_operator"].fail_next = 0


async def report(http, service, row, status: str) -> None:
    body = {"id": int(row.provider_id), "msisdn": int(row.msisdn.lstrip("+")), "time": 1, "status": status,
            "userref": str(row.id)}
    headers = {"X-Gwapi-Signature": jwt.encode(body, SECRET, algorithm="HS256")}
    async with http.post(service.make_url("/sms/delivery-report"), json=body, headers=headers) as resp:
        assert resp.status == 200 and (await resp.json())["status"] == "ok"


async def sent_then_reported(service, db, clock, status: str, msisdn=PHONE, purpose="reply") -> None:
    db.call(lambda s: queue_sms(s, msisdn, "hej", purpose=purpose, now=clock.now()))
    async with aiohttp.ClientSession() as http:
        await dispatcher_for(service, db, clock, reports=False).dispatch_once(http)
        row = db.call(outbox_db.list_for_msisdn, msisdn)[-1]
        assert row.status == "sent"
        clock.advance(timedelta(minutes=2))
        await report(http, service, row, status)


async def test_the_dispatcher_giving_up_is_one_high_unreachable_alert(service, db, clock, citizen):
    started = clock.now()
    await give_up(service, db, clock)
    [row] = db.call(outbox_db.list_for_msisdn, PHONE)
    assert (row.status, row.attempts) == ("failed", 3)
    # Raised with the last attempt, not with the earlier ones that were only retried.
    assert unreachable(db, citizen) == [("unreachable", "high", UNREACHABLE_REASON, started + timedelta(minutes=2))]
    assert UNREACHABLE_REASON == ("Vi kan ikke nå borgeren på SMS (beskeden kunne ikke leveres). "
                                  "Ring eller tjek nummeret.")


async def test_a_second_failure_while_the_alert_is_open_is_still_one_alert(service, db, clock, citizen):
    await give_up(service, db, clock, "første")
    await give_up(service, db, clock, "anden")
    assert [r.status for r in db.call(outbox_db.list_for_msisdn, PHONE)] == ["failed", "failed"]
    await sent_then_reported(service, db, clock, "UNDELIVERED")
    assert len(unreachable(db, citizen)) == 1


@pytest.mark.parametrize("status, stored, alert", [
    ("UNDELIVERED", "undelivered", True),
    ("EXPIRED", "undelivered", True),
    ("REJECTED", "failed", True),
    ("DELIVERED", "delivered", False),
    ("ENROUTE", "sent", False),  # not final: nothing known yet
])
async def test_a_delivery_report_that_says_not_delivered_is_an_alert(service, db, clock, citizen, status, stored,
                                                                     alert):
    await sent_then_reported(service, db, clock, status)
    [row] = db.call(outbox_db.list_for_msisdn, PHONE)
    assert row.status == stored
    assert unreachable(db, citizen) == ([("unreachable", "high", UNREACHABLE_REASON, clock.now())] if alert else [])


async def test_no_alert_for_a_notification_to_staff(service, db, clock, citizen):
    await sent_then_reported(service, db, clock, "UNDELIVERED", msisdn=STAFF_PHONE, purpose="notification")
    [row] = db.call(outbox_db.list_for_msisdn, STAFF_PHONE)
    assert (row.status, row.citizen_id) == ("undelivered", None)
    assert db.call(lambda s: list_alerts(s)) == []


def test_no_alert_for_a_suppressed_message_or_a_retry(db, clock, citizen):
    db.call(set_status, citizen.id, "opted_out")
    suppressed = db.call(lambda s: queue_sms(s, PHONE, "Husk dit møde", purpose="proactive", now=clock.now()))
    assert suppressed.status == "suppressed"
    assert db.call(lambda s: record_undelivered(s, s.get(OutboxMessage, suppressed.id), clock.now())) is None
    reply = db.call(lambda s: queue_sms(s, PHONE, "Du er afmeldt", purpose="reply", now=clock.now()))
    [claimed] = db.call(outbox_db.claim_due, clock.now())
    assert claimed.id == reply.id
    db.call(record_send_failure, reply.id, "500", clock.now() + timedelta(seconds=2), clock.now())  # retried later
    assert unreachable(db, citizen) == []
    clock.advance(timedelta(seconds=2))
    db.call(outbox_db.claim_due, clock.now())
    db.call(record_send_failure, reply.id, "500", None, clock.now())  # given up
    assert unreachable(db, citizen) == [("unreachable", "high", UNREACHABLE_REASON, clock.now())]
    assert db.call(outbox_db.list_for_msisdn, PHONE)[0].status == "suppressed"
