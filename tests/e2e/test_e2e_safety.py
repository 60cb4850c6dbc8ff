"""The safety net end to end, through the real Rasa server, action server and service: a message of
giving up at the check-in's colour question, and a crisis message written as a command, each reach
a person (issue 11's observations, over REST and SMS)."""
import pytest

from bot.core.texts import CRISIS_REPLY, HOPELESSNESS_REPLY

pytestmark = pytest.mark.e2e


def open_alerts(stack, citizen):
    return stack.api("GET", f"/api/alerts?status=open&citizen_id={citizen['id']}", citizen["token"]).json()


def test_giving_up_at_the_colour_question_is_answered_and_alerted_over_rest(stack):
    citizen = stack.new_citizen(prefix="+4550")
    stack.say(citizen["phone"], "tjek ind")
    replies = stack.say(citizen["phone"], "jeg orker ikke mere")
    assert replies == [HOPELESSNESS_REPLY]  # the kind answer and nothing after it (docs/nlu.md)
    assert [(a["rule"], a["severity"]) for a in open_alerts(stack, citizen)] == [("hopelessness", "high")]


def test_giving_up_after_red_is_more_than_a_red_check_in_over_sms(stack):
    citizen = stack.new_citizen(prefix="+4551")
    phone = citizen["phone"]
    stack.text_and_wait(phone, "tjek ind")
    stack.text_and_wait(phone, "rød")
    replies = stack.text_and_wait(phone, "det er lige meget med det hele, jeg gider ikke mere", replies=1)
    assert "Livslinien" in replies[0] and "koordinator" in replies[0]
    rules = {a["rule"] for a in open_alerts(stack, citizen)}
    assert "hopelessness" in rules


def test_a_crisis_word_written_as_a_command_gets_the_safety_reply(stack):
    citizen = stack.new_citizen(prefix="+4552")
    replies = stack.say(citizen["phone"], "/selvmord")
    assert replies == [CRISIS_REPLY]  # no check-in question after it: the dialogue only pauses
    assert [(a["rule"], a["severity"]) for a in open_alerts(stack, citizen)] == [("crisis_language", "urgent")]
