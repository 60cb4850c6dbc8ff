"""Hopelessness at the citizen gate (docs/nlu.md, "Hopelessness"), with a real database: the message
is stored with a high `hopelessness` alert in the same transaction, and the kind reply goes out
before the turn, in any form and at any question. Crisis language still gets the urgent alert only;
"stop the form" words get nothing."""
from __future__ import annotations

from datetime import timedelta

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.gate import SAFETY_PAUSE, CitizenGate
from bot.core.texts import CRISIS_REPLY, HOPELESSNESS_REPLY
from bot.db import alerts as alert_db
from bot.db.messages import list_inbound
from bot.db.outbox import list_for_citizen
from tests.channels.conftest import PHONE
from tests.channels.sms_webhook import sms_webhook


def alerts(db, citizen_id) -> list[tuple[str, str, str]]:
    return db.call(lambda s: [(a.rule, a.severity, a.reason)
                              for a in alert_db.list_alerts(s, citizen_id=citizen_id, status="open")])


@pytest.mark.parametrize("text", [
    "jeg orker ikke mere",  # at the colour question: a stop word, and hopelessness
    "det er lige meget med det hele, jeg gider ikke mere",  # after "rød"
    "jeg giver op",
    "hvad er meningen",
])
async def test_hopelessness_stores_a_high_alert_and_gets_the_kind_reply(db, clock, citizen_id, text):
    admitted = await CitizenGate(db, clock).admit(PHONE, text, "sms")
    assert admitted.hopelessness is True and admitted.crisis is False
    assert admitted.safety_reply == HOPELESSNESS_REPLY
    [(rule, severity, reason)] = alerts(db, citizen_id)
    assert (rule, severity) == ("hopelessness", "high")
    assert "håbløshed" in reason and text not in reason  # Danish, and not the citizen's words
    assert [m.text for m in db.call(list_inbound, citizen_id)] == [text]


async def test_crisis_language_still_gets_the_urgent_alert_only(db, clock, citizen_id):
    admitted = await CitizenGate(db, clock).admit(PHONE, "jeg kan ikke mere, jeg vil ikke leve mere", "sms")
    assert admitted.crisis is True and admitted.hopelessness is False
    assert admitted.safety_reply == CRISIS_REPLY
    assert [(r, s) for r, s, _ in alerts(db, citizen_id)] == [("crisis_language", "urgent")]


@pytest.mark.parametrize("text", ["stop", "STOP", "ikke mere", "det er nok for i dag", "PAUSE", "slut"])
async def test_stop_words_give_nothing(db, clock, citizen_id, text):
    admitted = await CitizenGate(db, clock).admit(PHONE, text, "sms")
    assert admitted.crisis is False and admitted.hopelessness is False and admitted.safety_reply is None
    assert alerts(db, citizen_id) == []


async def test_one_alert_per_quiet_window_but_a_reply_every_time(db, clock, citizen_id):
    gate = CitizenGate(db, clock)
    assert (await gate.admit(PHONE, "jeg kan ikke mere", "sms")).safety_reply == HOPELESSNESS_REPLY
    clock.advance(timedelta(minutes=30))
    assert (await gate.admit(PHONE, "jeg giver op", "sms")).safety_reply == HOPELESSNESS_REPLY
    assert [r for r, _, _ in alerts(db, citizen_id)] == ["hopelessness"]
    clock.advance(timedelta(minutes=31))
    await gate.admit(PHONE, "intet giver mening", "sms")
    assert [r for r, _, _ in alerts(db, citizen_id)] == ["hopelessness", "hopelessness"]


async def test_crisis_is_raised_after_hopelessness_but_not_the_other_way_round(db, clock, citizen_id):
    gate = CitizenGate(db, clock)
    await gate.admit(PHONE, "jeg orker ikke mere", "sms")
    clock.advance(timedelta(minutes=5))
    await gate.admit(PHONE, "jeg vil ikke leve mere", "sms")
    clock.advance(timedelta(minutes=5))
    await gate.admit(PHONE, "jeg giver op", "sms")  # the coordinator is already calling
    assert sorted(r for r, _, _ in alerts(db, citizen_id)) == ["crisis_language", "hopelessness"]


async def test_the_reply_is_queued_in_the_storing_transaction(db, clock, citizen_id):
    replies = []
    await CitizenGate(db, clock).admit(PHONE, "jeg har opgivet", "sms",
                                       on_safety_reply=lambda s, phone, reply, now: replies.append((phone, reply)))
    await CitizenGate(db, clock).admit(PHONE, "stop", "sms",
                                       on_safety_reply=lambda s, phone, reply, now: replies.append((phone, reply)))
    assert replies == [(PHONE, HOPELESSNESS_REPLY)]


async def test_web_chat_and_rest_send_the_reply_before_the_turn(db, clock, citizen_id):
    output = CollectingOutputChannel()
    seen = []

    async def on_new_message(message):
        seen.append(([m["text"] for m in output.messages], message.text))

    gated = CitizenGate(db, clock).wrap(on_new_message)
    await gated(UserMessage("jeg magter ikke mere", output, PHONE, input_channel="socketio"))
    assert seen == [([HOPELESSNESS_REPLY], SAFETY_PAUSE)]  # the form pauses; the words are stored
    await gated(UserMessage("stop", output, PHONE, input_channel="socketio"))
    assert seen[1] == ([HOPELESSNESS_REPLY], "/opt_out")  # nothing more was sent


async def test_sms_hopelessness_reply_is_in_the_outbox(db, clock, citizen_id, monkeypatch):
    async with sms_webhook(db, clock, monkeypatch) as (send, turns):
        await send("mo-hope", "jeg orker ikke mere")
    assert [m.text for m in db.call(list_for_citizen, citizen_id)] == [HOPELESSNESS_REPLY]
    assert [text for text, _ in turns] == [SAFETY_PAUSE]
    assert [r for r, _, _ in alerts(db, citizen_id)] == ["hopelessness"]
