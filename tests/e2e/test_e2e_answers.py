"""Issue 15's observations end to end, on SMS (the signed MO webhook) and web chat (the socket):
what is not an answer is never stored as one, and the citizen gets the question again with its
options (docs/nlu.md, "Answers that are answers").

- "مرحبا كيف حالك" with no conversation open started a check-in and was taken as a colour;
- two rainbow flags at "Skal din koordinator ringe til dig?" were taken as JA (a call request);
- a burst of meaningless SMS made two check-ins and a call request;
- "I feel terrible today" got a call arranged by accident.

A message in another language is answered by the channels' gate before Rasa (the language check,
bot/channels/gate.py): then no turn runs, which stores nothing either. Each `say` states which of
the two it expects, and the test checks that too."""
from __future__ import annotations

import time

import pytest

from tests.e2e.test_e2e_safety_channels import (
    CHANNELS,
    Person,
    SmsPhone,
    WebchatWindow,
    new_person,
    open_alerts,
    user_turns,
)
from tests.webchat_client import WebchatClient, chat_token

pytestmark = pytest.mark.e2e


@pytest.fixture
def person(stack) -> Person:
    return new_person(stack)


@pytest.fixture(params=CHANNELS)
def chat(request, stack, person):
    """The citizen on SMS or in the web chat (a link minted by their coordinator), as in
    tests/e2e/test_e2e_safety_channels.py."""
    if request.param == "sms":
        yield SmsPhone(stack, person.citizen["phone"])
        return
    with WebchatClient(stack.rasa_url, chat_token(stack, person.citizen, person.token),
                       origin=stack.service_url) as client:
        yield WebchatWindow(stack, person.citizen["phone"], client)

# What a check-in or a call request raises; a gate's "wrote in another language" alert is not one.
ANSWER_RULES = ("overall_", "area_", "contact_request", "checkin_")


def say(stack, chat, text: str, turn: bool = True) -> list[str]:
    """Everything the citizen gets back for `text` (Conversation.say: the turn over, then quiet).
    `turn=False`: the gate answers and Rasa never sees the message, which is asserted."""
    if turn:
        return chat.say(text)
    before, turns = len(chat.received()), user_turns(stack, chat.phone)
    chat.send(text, 1)
    time.sleep(chat.SETTLE)  # anything more than the gate's replies would come from a turn
    assert user_turns(stack, chat.phone) == turns, f"Rasa got {text!r}"
    return chat.received()[before:]


def checkins(stack, person) -> list[dict]:
    resp = stack.api("GET", f"/api/citizens/{person.citizen['id']}/checkins", person.token)
    assert resp.status_code == 200, resp.text
    return resp.json()


def answer_alerts(stack, person) -> list[str]:
    return [a["rule"] for a in open_alerts(stack, person) if a["rule"].startswith(ANSWER_RULES)]


def states_the_options(reply: str) -> bool:
    return ("GRØN" in reply and "RØD" in reply) or ("JA" in reply and "NEJ" in reply) or "RING" in reply


def test_arabic_with_no_conversation_open_is_no_colour(stack, person, chat):
    replies = say(stack, chat, "مرحبا كيف حالك", turn=False)
    assert replies and not any("Hvad fylder mest" in r for r in replies), replies
    assert checkins(stack, person) == [] and answer_alerts(stack, person) == []


def test_rainbow_flags_are_not_a_yes_to_a_call(stack, person, chat):
    [question] = say(stack, chat, "tjek ind")
    assert "GRØN" in question
    [focus] = say(stack, chat, "gul")
    assert "Hvad fylder mest" in focus
    [note] = say(stack, chat, "2")
    [call] = say(stack, chat, "nej")
    assert "ringe til dig" in call
    [again] = say(stack, chat, "🏳️‍🌈🏳️‍🌈")
    assert "ringe til dig" in again and "JA" in again and "NEJ" in again  # the question again, options spelled out
    way_out = say(stack, chat, "❤️")  # the second miss in a row: the way out, then the question
    assert len(way_out) == 2 and "RING" in way_out[0] and "PAUSE" in way_out[0] and "JA" in way_out[1], way_out
    [row] = checkins(stack, person)
    assert (row["overall"], row["wants_contact"], row["focus_areas"]) == ("yellow", None, ["humoer"])
    assert answer_alerts(stack, person) == []
    [done] = say(stack, chat, "nej")  # a real answer is still taken
    assert "Tak" in done and checkins(stack, person)[0]["wants_contact"] is False


def test_english_distress_is_a_red_checkin_not_an_accidental_call(stack, person, chat):
    # The issue saw "I feel terrible today" get "Jeg har bedt ... om at ringe til dig", kind but by
    # accident. Now the assistant reads English, and its red rules count for every citizen (a miss
    # is worse than a false alarm, docs/nlu.md): a red check-in the coordinator sees, asked on in
    # the citizen's language, and no call arranged that nobody asked for.
    replies = say(stack, chat, "I feel terrible today")
    assert not any("Jeg har bedt" in r for r in replies), replies
    assert any("Hvad fylder mest" in r for r in replies), replies
    [row] = checkins(stack, person)
    assert (row["overall"], row["wants_contact"]) == ("red", None)
    assert "overall_red" in answer_alerts(stack, person) and "contact_request" not in answer_alerts(stack, person)


def test_ring_after_the_way_out_reaches_the_coordinator(stack, person, chat):
    [question] = say(stack, chat, "tjek ind")
    assert "GRØN" in question
    [again] = say(stack, chat, "{{7*7}}")
    assert again.startswith("Det forstod jeg ikke helt.") and "GRØN" in again and "RØD" in again
    way_out = say(stack, chat, "😀😀")
    assert "RING" in way_out[0] and "PAUSE" in way_out[0], way_out
    [called] = say(stack, chat, "RING")
    assert "Mette" in called and "ringe til dig" in called
    assert checkins(stack, person) == [] and answer_alerts(stack, person) == ["contact_request"]


# Not "99": the crisis detector reads it as a typo of 999 and answers with the safety reply, which is
# the safety net doing its job (a miss is worse than a false alarm), not an answer being stored.
GARBAGE = ["a" * 5000, "🏳️‍🌈🏳️‍🌈", "\x01\x02\x03\x1b[31m", "{{7*7}}", "'; DROP TABLE citizens;--", "", "😀😀",
           "❤️❤️", "\u202e\u200b", "-1", "🙏", "👋", "%s%s%s%n"]


@pytest.mark.parametrize("chat", ["sms"], indirect=True)
def test_a_burst_of_garbage_stores_nothing(stack, person, chat):
    for text in GARBAGE:
        replies = say(stack, chat, text)
        assert replies, f"no reply to {text[:20]!r}"
        assert not any("Hvad fylder mest" in r or "Jeg har bedt" in r or "Tak for dit svar" in r for r in replies), replies
        assert all(states_the_options(r) for r in replies if "Jeg forstår" not in r), replies
    assert checkins(stack, person) == [] and answer_alerts(stack, person) == []
