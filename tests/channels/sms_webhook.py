"""The SMS channel on a real Sanic server, as Rasa mounts it, for the gate's tests: POST a signed
GatewayAPI MO to it and see what the turn hands to Rasa's agent (the message's text and metadata,
in `turns`). The agent is the one stand-in: these tests are about what reaches Rasa, not Rasa."""
from __future__ import annotations

import asyncio
import uuid
from contextlib import asynccontextmanager

import aiohttp
from rasa.core.channels.channel import register
from sanic import Sanic

from bot.channels.gate import CitizenGate
from bot.channels.sms import SmsInput
from bot.core.config import Settings
from bot.sms.gateway import sign_webhook
from tests.channels.conftest import PHONE
from tests.ports import free_port


@asynccontextmanager
async def sms_webhook(db, clock, monkeypatch):
    """Yields `send(provider_id, text)`, which posts the MO and waits until its turn reached the
    agent, and the list of turns as (text, metadata)."""
    monkeypatch.setattr(Sanic, "test_mode", True)
    settings = Settings.from_env()
    app = Sanic(f"sms_{uuid.uuid4().hex}", configure_logging=False)
    turns: list[tuple[str, dict | None]] = []

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

    async def send(provider_id: str, text: str) -> None:
        payload = {"id": provider_id, "msisdn": int(PHONE.lstrip("+")), "receiver": 1204, "message": text,
                   "senttime": int(clock.now().timestamp())}
        before = len(turns)
        async with aiohttp.ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{port}/webhooks/sms/webhook", json=payload,
                                 headers=sign_webhook(payload, settings.sms_webhook_secret)) as resp:
                assert (await resp.json())["status"] == "accepted"
        for _ in range(100):  # the turn runs in the background
            if len(turns) > before:
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"no turn reached Rasa's agent for {provider_id}")

    try:
        yield send, turns
    finally:
        await server.before_stop()
        await server.close()
        await server.after_stop()
