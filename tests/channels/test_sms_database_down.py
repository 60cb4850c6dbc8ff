"""The SMS webhook while the coordination database is briefly down (docs/deployment.md: nothing is lost): the MO
is refused with 503 so GatewayAPI retries it, and the retry after the outage is one turn. The real
channel is mounted as Rasa mounts it (rasa.core.channels.channel.register) on an in-process Sanic
server; only Rasa's agent is replaced by a recorder of the turns it would run."""
from __future__ import annotations

import asyncio
import logging
import uuid

import aiohttp
import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage, register
from sanic import Sanic

from bot.channels.gate import CitizenGate
from bot.channels.sms import SmsInput
from bot.core.config import Settings
from bot.core.texts import CRISIS_REPLY, DATABASE_DOWN
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from bot.db.messages import list_inbound
from bot.db.migrate import upgrade
from bot.db.outbox import list_for_citizen
from bot.sms.gateway import sign_webhook
from tests.outage import PostgresOutage, SqliteOutage
from tests.ports import free_port

PHONE = "+4512345678"
TEXT = "gul, jeg sover skidt"


class RecordingAgent:
    """Stands in for Rasa's agent: records the turns the channel hands over."""

    def __init__(self):
        self.turns = []

    async def handle_message(self, message) -> None:
        self.turns.append(message)


@pytest.fixture
async def outage(db_url):
    upgrade(db_url)
    direct = Database(db_url)  # set-up and checks go around the outage

    def make(session):
        coordinator, _ = create_coordinator(session, "Mette")
        return create_citizen(session, name="Bente", phone=PHONE, coordinator_id=coordinator.id).id

    citizen_id = direct.call(make)
    outage = SqliteOutage(db_url) if db_url.startswith("sqlite") else PostgresOutage(db_url)
    await outage.up()
    outage.citizen_id, outage.direct = citizen_id, direct
    yield outage
    await outage.close()
    direct.dispose()


@pytest.fixture
async def webhook(outage, clock, monkeypatch):
    """POST a signed MO to the channel; returns (post, agent)."""
    monkeypatch.setattr(Sanic, "test_mode", True)  # what sanic-testing does: several apps per process
    database = Database(outage.url)
    settings = Settings.from_env()
    channel = SmsInput(CitizenGate(database, clock), settings)
    app = Sanic(f"sms_down_{uuid.uuid4().hex}", configure_logging=False)
    app.ctx.agent = RecordingAgent()
    register([channel], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()

    async def post(mo_id: str, text: str = TEXT) -> aiohttp.ClientResponse:
        payload = {"id": mo_id, "msisdn": int(PHONE.lstrip("+")), "receiver": 1204, "message": text,
                   "senttime": int(clock.now().timestamp())}
        async with aiohttp.ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{port}/webhooks/sms/webhook", json=payload,
                                 headers=sign_webhook(payload, settings.sms_webhook_secret)) as resp:
                await resp.read()
                return resp

    yield post, app.ctx.agent
    await server.before_stop()
    await server.close()
    await server.after_stop()
    database.dispose()


async def settle() -> None:
    """The channel hands the turn to a background task: give it a moment to start."""
    await asyncio.sleep(0.5)


async def test_mo_while_database_down_gets_503_and_the_retry_is_one_turn(outage, webhook, caplog):
    post, agent = webhook
    # A message before the outage: on PostgreSQL the pool then holds a connection the outage cuts.
    assert (await (await post("mo-before", "hej")).json())["status"] == "accepted"
    await outage.down()
    with caplog.at_level(logging.INFO):
        refused = await post("mo-outage-1")
    assert refused.status == 503
    assert await refused.json() == {"error": "temporarily unavailable"}
    assert int(refused.headers["Retry-After"]) > 0
    await settle()
    assert [t.message_id for t in agent.turns] == ["mo-before"]

    warnings = [r for r in caplog.records if r.name == "bot.channels.sms" and r.levelno == logging.WARNING]
    assert warnings, "a database outage must be logged"
    assert "mo-outage-1" in caplog.text
    # No message text and no phone number in the log, not even in a traceback.
    assert TEXT not in caplog.text and "12345678" not in caplog.text

    await outage.up()
    retried = await post("mo-outage-1")
    assert retried.status == 200 and (await retried.json())["status"] == "accepted"
    again = await post("mo-outage-1")
    assert again.status == 200 and (await again.json())["status"] == "duplicate"
    await settle()
    assert [(t.text, t.sender_id, t.message_id) for t in agent.turns[1:]] == [(TEXT, PHONE, "mo-outage-1")]
    stored = outage.direct.call(list_inbound, outage.citizen_id)
    assert [(m.text, m.provider_id) for m in stored] == [("hej", "mo-before"), (TEXT, "mo-outage-1")]


async def test_web_chat_message_while_database_down_is_answered_not_dropped(outage, clock, caplog):
    """REST and web chat answer in the same connection and have no retry: the citizen is told."""
    turns = []

    async def on_new_message(message):
        turns.append(message)

    database = Database(outage.url)
    gated = CitizenGate(database, clock).wrap(on_new_message)
    await outage.down()
    output = CollectingOutputChannel()
    with caplog.at_level(logging.INFO):
        await gated(UserMessage(TEXT, output, PHONE, input_channel="socketio"))
    assert turns == []
    assert [m["text"] for m in output.messages] == [DATABASE_DOWN]
    assert any(r.name == "bot.channels.gate" and r.levelno == logging.WARNING for r in caplog.records)
    assert TEXT not in caplog.text and "12345678" not in caplog.text

    await outage.up()
    await gated(UserMessage(TEXT, CollectingOutputChannel(), PHONE, input_channel="socketio"))
    assert [t.text for t in turns] == [TEXT]
    database.dispose()


async def test_a_crisis_mo_refused_during_an_outage_gets_its_safety_reply_once_retried(outage, webhook):
    """Nothing is queued while the MO cannot be stored; the retry stores it with exactly one safety
    reply (queued in the same transaction), before the turn."""
    post, agent = webhook
    crisis = "jeg vil ikke leve mere"
    await outage.down()
    assert (await post("mo-crisis", crisis)).status == 503
    await outage.up()
    assert outage.direct.call(list_for_citizen, outage.citizen_id) == []
    assert (await (await post("mo-crisis", crisis)).json())["status"] == "accepted"
    await settle()
    assert [m.text for m in outage.direct.call(list_for_citizen, outage.citizen_id)] == [CRISIS_REPLY]
    assert [t.message_id for t in agent.turns] == ["mo-crisis"]
