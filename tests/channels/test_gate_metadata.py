"""The citizen's language reaches the actions with every message (issue 15 §2, docs/nlu.md "Answers
that are answers"): the gate puts the language from the database in the message's metadata on every
channel (REST and web chat through `wrap`, SMS through its webhook), and a `language` a client sends
is overridden; its other metadata keys pass as before. Real database, real gate."""
from __future__ import annotations

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.gate import CitizenGate
from bot.db.models import Citizen
from tests.channels.conftest import PHONE
from tests.channels.sms_webhook import sms_webhook


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
    async with sms_webhook(db, clock, monkeypatch) as (send, turns):
        await send("mo-language", "not good at all")
    assert turns == [("not good at all", {"language": "en"})]
