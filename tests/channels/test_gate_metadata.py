"""The citizen's language reaches the actions with every message (issue 15 §2, docs/nlu.md "Answers
that are answers"): the gate puts the language from the database in the message's metadata on every
channel (REST and web chat through `wrap`, SMS through its webhook), and a `language` a client sends
is overridden; its other metadata keys pass as before. Real database, real gate."""
from __future__ import annotations

import asyncio
import uuid

import aiohttp
import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage, register
from sanic import Sanic

from bot.channels.gate import CitizenGate
from bot.channels.sms import SmsInput
from bot.core.config import Settings
from bot.db.models import Citizen
from bot.sms.gateway import sign_webhook
from tests.channels.conftest import PHONE
from tests.ports import free_port


def set_language(db, citizen_id, language):
    db.call(lambda s: setattr(s.get(Citizen, citizen_id), "language", language))


async def through_wrap(db, clock, text, metadata=None, channel="webchat"):
    seen = []

    async def on_new_message(message):
        seen.append(message)

    gated = CitizenGate(db, clock).wrap(on_new_message)
    await gated(UserMessage(text, CollectingOutputChannel(), PHONE, input_channel=channel, metadata=metadata))
    return seen


@pytest.mark.parametrize("language", ["da", "en", "ar"])
async def test_the_message_carries_the_citizens_language(db, clock, citizen_id, language):
    set_language(db, citizen_id, language)
    [message] = await through_wrap(db, clock, "not good at all")
    assert message.metadata == {"language": language} and message.text == "not good at all"


@pytest.mark.parametrize("channel", ["rest", "webchat"])
async def test_a_client_sent_language_is_overridden_and_other_keys_kept(db, clock, citizen_id, channel):
    [message] = await through_wrap(db, clock, "ja", {"language": "en", "client": "app 2.1"}, channel)
    assert message.metadata == {"language": "da", "client": "app 2.1"}
    set_language(db, citizen_id, "en")
    [message] = await through_wrap(db, clock, "yes", {"language": "da"}, channel)
    assert message.metadata == {"language": "en"}


async def test_the_language_is_the_one_after_a_switch(db, clock, citizen_id):
    gate = CitizenGate(db, clock)
    assert (await gate.admit(PHONE, "ENGLISH", "sms")).turn is False  # answered at the gate, no turn
    admitted = await gate.admit(PHONE, "not good at all", "sms")
    assert admitted.metadata() == {"language": "en"}


async def test_an_sms_carries_the_citizens_language(db, clock, citizen_id, monkeypatch):
    set_language(db, citizen_id, "en")
    monkeypatch.setattr(Sanic, "test_mode", True)
    settings = Settings.from_env()
    app = Sanic(f"sms_language_{uuid.uuid4().hex}", configure_logging=False)
    turns = []

    class Agent:
        async def handle_message(self, message):
            turns.append((message.text, message.metadata))

    app.ctx.agent = Agent()
    register([SmsInput(CitizenGate(db, clock), settings)], app, route="/webhooks/")
    port = free_port()
    server = await app.create_server(host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False)
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        payload = {"id": "mo-language", "msisdn": int(PHONE.lstrip("+")), "receiver": 1204,
                   "message": "not good at all", "senttime": int(clock.now().timestamp())}
        async with aiohttp.ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{port}/webhooks/sms/webhook", json=payload,
                                 headers=sign_webhook(payload, settings.sms_webhook_secret)) as resp:
                assert (await resp.json())["status"] == "accepted"
        for _ in range(50):  # the turn runs in the background
            if turns:
                break
            await asyncio.sleep(0.05)
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
    assert turns == [("not good at all", {"language": "en"})]
