"""Languages at the citizen gate (issue 15, part 3), with a real database and the real detector: a
message in a language the assistant does not understand is stored, answered at the gate with the
multilingual reply and a high alert (one a day), and never reaches Rasa; the safety net runs first,
in any language its phrase lists know; DANSK / ENGLISH switch the citizen's language."""
from __future__ import annotations

from datetime import timedelta

import pytest
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.channels.gate import SAFETY_PAUSE, CitizenGate
from bot.channels.sms import _queue_gate_reply
from bot.citizens.language import not_understood_replies
from bot.core import texts
from bot.core.texts import CRISIS_REPLY
from bot.db import alerts as alert_db
from bot.db.messages import list_inbound
from bot.db.models import Citizen
from bot.db.outbox import list_for_citizen
from bot.sms.gsm import is_gsm7
from tests.channels.conftest import PHONE

ARABIC = "مرحبا كيف حالك"


def alerts(db, citizen_id, status=None) -> list:
    return db.call(lambda s: [(a.rule, a.severity, a.reason, a.inbound_message_id)
                              for a in alert_db.list_alerts(s, citizen_id=citizen_id, status=status)])


def language(db, citizen_id) -> str:
    return db.call(lambda s: s.get(Citizen, citizen_id).language)


async def test_arabic_is_answered_at_the_gate_with_a_high_alert_and_never_reaches_rasa(db, clock, citizen_id):
    replies = []
    admitted = await CitizenGate(db, clock).admit(
        PHONE, ARABIC, "sms", on_reply=lambda s, phone, reply, now: replies.append((phone, reply)))
    assert admitted.turn is False and admitted.replies == tuple(not_understood_replies())
    assert replies == [(PHONE, r) for r in not_understood_replies()]
    [stored] = db.call(list_inbound, citizen_id)  # nothing is lost
    assert stored.text == ARABIC and stored.answered_at == clock.now()  # answered: no apology later
    [(rule, severity, reason, inbound_id)] = alerts(db, citizen_id)
    assert (rule, severity, inbound_id) == ("other_language", "high", stored.id)
    assert "arabisk" in reason and ARABIC not in reason  # the language, never the words


async def test_one_alert_a_day_while_unresolved_but_a_reply_every_time(db, clock, citizen_id):
    gate = CitizenGate(db, clock)
    assert (await gate.admit(PHONE, ARABIC, "sms")).replies
    clock.advance(timedelta(hours=23))
    assert (await gate.admit(PHONE, "لا أستطيع الحضور غدا", "sms")).replies
    assert len(alerts(db, citizen_id)) == 1
    clock.advance(timedelta(hours=2))  # 25 hours after the first
    await gate.admit(PHONE, "Nie mogę jutro przyjść", "sms")
    rows = alerts(db, citizen_id)
    assert len(rows) == 2 and "polsk" in rows[0][2]
    # Resolved: the next message in another language is news again, within the day.
    db.call(lambda s: [alert_db.resolve_alert(s, a, None, "ringet med tolk", clock.now())
                       for a in alert_db.list_alerts(s, citizen_id=citizen_id)])
    await gate.admit(PHONE, ARABIC, "sms")
    assert len(alerts(db, citizen_id, status="open")) == 1


@pytest.mark.parametrize("text", ["I want to kill myself", "jeg vil slå mig selv ihjel"])
async def test_the_safety_net_runs_first_whatever_the_language(db, clock, citizen_id, text):
    admitted = await CitizenGate(db, clock).admit(PHONE, text, "sms")
    assert admitted.crisis is True and admitted.safety_reply == CRISIS_REPLY
    assert admitted.text == SAFETY_PAUSE and admitted.turn is True and admitted.replies == ()
    assert [r[0] for r in alerts(db, citizen_id)] == ["crisis_language"]


@pytest.mark.parametrize("language, text", [("en", "jeg vil slå mig selv ihjel"), ("da", "I want to kill myself")])
async def test_the_citizens_language_setting_never_switches_the_safety_net_off(db, clock, citizen_id, language, text):
    # The reverse of the test above: crisis language in a language other than the citizen's setting.
    db.call(lambda s: setattr(s.get(Citizen, citizen_id), "language", language))
    admitted = await CitizenGate(db, clock).admit(PHONE, text, "sms")
    assert admitted.crisis is True and admitted.safety_reply == texts.for_language("CRISIS_REPLY", language)
    assert [r[0] for r in alerts(db, citizen_id)] == ["crisis_language"]


@pytest.mark.parametrize("text", ["jeg har det godt i dag", "I feel terrible today", "tjek ind", "hvornår er mit møde",
                                  "ja", "2", "🏳️‍🌈🏳️‍🌈"])
async def test_danish_english_answers_and_noise_go_on_to_rasa(db, clock, citizen_id, text):
    admitted = await CitizenGate(db, clock).admit(PHONE, text, "sms")
    assert admitted.turn is True and admitted.text == text and alerts(db, citizen_id) == []


async def test_a_keyword_is_never_another_language(db, clock, citizen_id):
    admitted = await CitizenGate(db, clock).admit(PHONE, "STOP", "sms")
    assert admitted.turn is True and admitted.text == "/opt_out"


async def test_the_citizen_switches_language_by_writing_its_name(db, clock, citizen_id):
    gate = CitizenGate(db, clock)
    assert language(db, citizen_id) == "da"
    admitted = await gate.admit(PHONE, "ENGLISH", "sms")
    assert admitted.turn is False and admitted.replies == (texts.for_language("LANGUAGE_SWITCHED", "en"),)
    assert language(db, citizen_id) == "en"
    # Writing Danish or English is understood whatever the setting.
    assert (await gate.admit(PHONE, "jeg har det skidt", "sms")).turn is True
    assert (await gate.admit(PHONE, "Dansk!", "sms")).replies == (texts.LANGUAGE_SWITCHED,)
    assert language(db, citizen_id) == "da"
    await gate.admit(PHONE, "engelsk", "sms")
    assert language(db, citizen_id) == "en"
    # Arabic has a catalogue (bot/i18n/ar.yml): its switch word is a switch, not another language.
    admitted = await gate.admit(PHONE, "العربية", "sms")
    assert language(db, citizen_id) == "ar" and admitted.replies == (texts.for_language("LANGUAGE_SWITCHED", "ar"),)
    # Still understood only in Danish and English: Arabic gets the multilingual reply.
    assert (await gate.admit(PHONE, ARABIC, "sms")).replies == tuple(not_understood_replies())
    assert alerts(db, citizen_id)[0][0] == "other_language"


@pytest.mark.parametrize("language", ["en", "ar"])
async def test_the_safety_reply_comes_in_the_citizens_language_with_the_same_numbers(db, clock, citizen_id, language):
    db.call(lambda s: setattr(s.get(Citizen, citizen_id), "language", language))
    admitted = await CitizenGate(db, clock).admit(PHONE, "I want to kill myself", "sms")
    reply = admitted.safety_reply
    assert admitted.crisis is True and reply == texts.for_language("CRISIS_REPLY", language) and reply != CRISIS_REPLY
    assert "112" in reply and "70 201 201" in reply


async def test_sms_replies_keep_their_script_in_the_outbox(db, clock, citizen_id):
    await CitizenGate(db, clock).admit(PHONE, ARABIC, "sms", provider_id="mo-ar-1", on_reply=_queue_gate_reply)
    danish_english, arabic = reversed(db.call(list_for_citizen, citizen_id))  # newest first
    assert is_gsm7(danish_english.text) and danish_english.segments == 2 and "ring 112" in danish_english.text
    assert arabic.text == texts.for_language("LANGUAGE_NOT_UNDERSTOOD", "ar") and arabic.segments == 2 and "112" in arabic.text
    assert {m.purpose for m in (danish_english, arabic)} == {"reply"}


async def test_the_arabic_safety_reply_keeps_its_letters_in_the_outbox(db, clock, citizen_id):
    """The SMS channel queues the safety reply as it queues the gate's other replies: the outbox
    keeps a text in another script as written (UCS-2) instead of deleting its letters."""
    db.call(lambda s: setattr(s.get(Citizen, citizen_id), "language", "ar"))
    await CitizenGate(db, clock).admit(PHONE, "I want to kill myself", "sms", provider_id="mo-ar-2",
                                       on_safety_reply=_queue_gate_reply)
    [queued] = db.call(list_for_citizen, citizen_id)
    assert queued.text == texts.for_language("CRISIS_REPLY", "ar") and not is_gsm7(queued.text)
    assert "112" in queued.text and "70 201 201" in queued.text and queued.purpose == "reply"
    assert queued.segments == 2


async def test_web_chat_and_rest_send_the_gate_s_replies_and_run_no_turn(db, clock, citizen_id):
    output = CollectingOutputChannel()
    seen = []

    async def on_new_message(message):
        seen.append(message.text)

    gated = CitizenGate(db, clock).wrap(on_new_message)
    await gated(UserMessage(ARABIC, output, PHONE, input_channel="webchat"))
    assert [m["text"] for m in output.messages] == not_understood_replies() and seen == []
    await gated(UserMessage("tjek ind", output, PHONE, input_channel="webchat"))
    assert seen == ["tjek ind"]
