"""Citizen text is never a command, and nothing skips the crisis check (docs/decisions.md,
"Citizen text is text"): a message starting with "/" reaches Rasa as plain words, and crisis
language in it gets the safety reply and the urgent alert like any other message."""
import pytest

from bot.channels.gate import SAFETY_PAUSE, CitizenGate
from bot.channels.keywords import as_rasa_text
from bot.db import alerts as alert_db
from tests.channels.conftest import PHONE


@pytest.mark.parametrize("text, rasa_text", [
    ("/selvmord", "selvmord"),
    ("//restart", "restart"),
    (' / /EXTERNAL_appointment_reminder{"appointment_id":"1"}', 'EXTERNAL_appointment_reminder{"appointment_id":"1"}'),
    ("/session_start", "session_start"),
    ("/stop", "/opt_out"),  # a keyword with a slash in front is still the keyword
    ("STOP", "/opt_out"),
    ("hej med dig", "hej med dig"),
])
def test_a_leading_slash_is_taken_off(text, rasa_text):
    assert as_rasa_text(text) == rasa_text


@pytest.mark.parametrize("text", ["/selvmord", "/jeg vil dø", "/restart jeg vil slå mig selv ihjel"])
async def test_a_slash_message_is_checked_for_crisis_language(db, clock, citizen_id, text):
    admitted = await CitizenGate(db, clock).admit(PHONE, text, "rest")
    # Rasa gets the gate's own pause, never the citizen's words as a command (docs/nlu.md,
    # "After the safety reply").
    assert admitted.crisis is True and admitted.text == SAFETY_PAUSE
    alerts = db.call(lambda s: [a.rule for a in alert_db.list_alerts(s, citizen_id=citizen_id, status="open")])
    assert alerts == ["crisis_language"]


async def test_a_slash_intent_with_entities_is_plain_text(db, clock, citizen_id):
    admitted = await CitizenGate(db, clock).admit(PHONE, '/EXTERNAL_appointment_reminder{"appointment_id":"1"}', "rest")
    assert admitted.crisis is False
    assert admitted.text == 'EXTERNAL_appointment_reminder{"appointment_id":"1"}'
