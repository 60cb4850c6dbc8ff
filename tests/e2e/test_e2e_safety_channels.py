"""Issue 11's safety observations end to end on the citizen's real channels: SMS (the signed MO
webhook on the Rasa server, replies read from the fake operator) and web chat (the socket.io
endpoint with a signed chat link). The REST versions are tests/e2e/test_e2e_safety.py.

For each: the citizen's reply names a person to turn to (112, Livslinien, the coordinator), the
alert with the right rule and severity is in the service's API for the citizen's coordinator, and
the coordinator's notification (an SMS to their own phone) says nothing about health."""
from __future__ import annotations

import itertools
import re
import time
from dataclasses import dataclass

import pytest

from bot.core.alert_catalogue import SEVERITY_LABELS
from bot.core.texts import CRISIS_REPLY, HOPELESSNESS_REPLY
from tests.webchat_client import WebchatClient, chat_token

pytestmark = pytest.mark.e2e

CHANNELS = ["sms", "webchat"]
# A number suffix per person of this module, far from Stack.new_citizen's (which counts up from
# 100001), under prefixes no other test uses: the citizen's phone is their Rasa sender id and the
# coordinator's is where their notifications arrive, so neither may be shared with another test.
_numbers = itertools.count(900_001)
# Words a notification must never contain (docs/privacy.md: no health content in notifications).
HEALTH_WORDS = ("selvmord", "krise", "håb", "livslinie", "112", "pille", "overdosis", "rød", "helbred",
                "selvskade", "orker", "gider", "død", "angst")


@dataclass
class Person:
    coordinator: dict  # with its API token and its own phone
    citizen: dict

    @property
    def token(self) -> str:
        return self.coordinator["token"]


def new_person(stack) -> Person:
    n = next(_numbers)
    coordinator = stack.api("POST", "/api/coordinators", json={"name": "Mette", "phone": f"+4529{n:06d}"})
    assert coordinator.status_code == 201, coordinator.text
    coordinator = coordinator.json()
    citizen = stack.api("POST", "/api/citizens", json={"name": "Bente", "phone": f"+4553{n:06d}",
                                                       "coordinator_id": coordinator["id"]})
    assert citizen.status_code == 201, citizen.text
    return Person(coordinator, citizen.json())


def user_turns(stack, sender: str) -> int:
    return sum(e["event"] == "user" for e in stack.tracker_events(sender))


def wait_for_the_turn(stack, sender: str, turns_before: int, timeout: float = 60) -> None:
    """Until Rasa has finished the citizen's turn (a new user event, then action_listen): alerts the
    dialogue raises (a red check-in) exist only then, and asserting before would race them."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        events = stack.tracker_events(sender)
        if (sum(e["event"] == "user" for e in events) > turns_before
                and events[-1]["event"] == "action" and events[-1]["name"] == "action_listen"):
            return
        time.sleep(0.2)
    raise AssertionError(f"Rasa did not finish the turn of {sender} in {timeout}s")


class Conversation:
    """The citizen on one channel. `say()` returns everything the turn sent back, in order: at
    least `replies` messages, and whatever else arrived until the turn was over and `SETTLE` seconds
    passed without another (the stack's SMS dispatcher sends every 0.2 s)."""

    SETTLE = 1.5
    channel = ""  # as the service logs the citizen's messages

    def __init__(self, stack, phone: str):
        self.stack, self.phone = stack, phone

    def received(self) -> list[str]:
        raise NotImplementedError

    def send(self, text: str, replies: int) -> None:
        """Send `text` and wait until `replies` new messages have arrived."""
        raise NotImplementedError

    def say(self, text: str, replies: int = 1) -> list[str]:
        before, turns = len(self.received()), user_turns(self.stack, self.phone)
        self.send(text, replies)
        wait_for_the_turn(self.stack, self.phone, turns)
        seen, quiet_since = len(self.received()), time.monotonic()
        while time.monotonic() - quiet_since < self.SETTLE:
            time.sleep(0.2)
            if len(self.received()) > seen:
                seen, quiet_since = len(self.received()), time.monotonic()
        return self.received()[before:]


class SmsPhone(Conversation):
    """The citizen's phone: texts go in through the gateway's signed webhook, replies are what the
    fake operator delivered to the phone."""

    channel = "sms"

    def received(self) -> list[str]:
        return self.stack.phone_inbox(self.phone)

    def send(self, text: str, replies: int) -> None:
        before = len(self.received())
        assert self.stack.sms_webhook(self.phone, text).status_code == 200
        self.stack.wait_for_sms(self.phone, before + replies)


class WebchatWindow(Conversation):
    """The citizen's chat page, at the socket level (tests/webchat_client.py)."""

    channel = "webchat"

    def __init__(self, stack, phone: str, client: WebchatClient):
        super().__init__(stack, phone)
        self.client = client

    def received(self) -> list[str]:
        return self.client.texts

    def send(self, text: str, replies: int) -> None:
        self.client.say(text, replies=replies)


@pytest.fixture
def person(stack) -> Person:
    return new_person(stack)


@pytest.fixture(params=CHANNELS)
def chat(request, stack, person):
    """The citizen on one channel, with a link minted by their coordinator for the web chat."""
    if request.param == "sms":
        yield SmsPhone(stack, person.citizen["phone"])
        return
    token = chat_token(stack, person.citizen, person.token)
    with WebchatClient(stack.rasa_url, token, origin=stack.service_url) as client:
        yield WebchatWindow(stack, person.citizen["phone"], client)


# --- what the coordinator sees ---
def open_alerts(stack, person: Person) -> list[dict]:
    resp = stack.api("GET", f"/api/alerts?status=open&citizen_id={person.citizen['id']}", person.token)
    assert resp.status_code == 200, resp.text
    return resp.json()


def inbound_channels(stack, person: Person) -> set[str]:
    messages = stack.api("GET", f"/api/citizens/{person.citizen['id']}/messages", person.token).json()
    return {m["channel"] for m in messages if m["direction"] == "in"}


def words_of(*texts: str) -> set[str]:
    return {w for text in texts for w in re.findall(r"\w{4,}", text.lower())}


def assert_told_without_health_content(stack, person: Person, severity: str, citizen_said: list[str]) -> None:
    """The scheduler's notification pass tells the coordinator (by SMS to their own phone) that there
    is an alert of `severity`, and nothing else: no health word, no rule, not the citizen, not their words."""
    stack.tick(stack.now(), [person.citizen])  # notifications run for every coordinator in the pass
    notifications = stack.wait_for_sms(person.coordinator["phone"], 1)
    assert all(a["notified_at"] for a in open_alerts(stack, person))
    label = SEVERITY_LABELS[severity]
    assert any(f"({label})" in n or f"højeste: {label}" in n for n in notifications), notifications
    for text in notifications:
        lowered = text.lower()
        assert "log ind" in lowered and "/alerts" in lowered
        assert not [w for w in HEALTH_WORDS if w in lowered], text
        assert person.citizen["name"].lower() not in lowered
        assert person.citizen["phone"][3:] not in text.replace(" ", "")
        assert not words_of(*citizen_said) & words_of(text), text
        for alert in open_alerts(stack, person):
            assert alert["rule"] not in lowered and alert["reason"].lower() not in lowered


def names_a_person(reply: str) -> bool:
    return "koordinator" in reply and "112" in reply and "Livslinien" in reply


# --- (a) giving up at the check-in ---
def test_giving_up_at_the_colour_question_is_answered_and_alerted(stack, person, chat):
    [question] = chat.say("tjek ind")
    assert "GRØN" in question
    said = "jeg orker ikke mere"
    replies = chat.say(said)
    # The kind answer, and nothing after it (docs/nlu.md, "After the safety reply"); before, the
    # form's pause was all the citizen got.
    assert replies == [HOPELESSNESS_REPLY] and names_a_person(replies[0])
    assert [(a["rule"], a["severity"]) for a in open_alerts(stack, person)] == [("hopelessness", "high")]
    assert inbound_channels(stack, person) == {chat.channel}
    assert_told_without_health_content(stack, person, "high", ["tjek ind", said])


def test_giving_up_after_red_is_more_than_a_red_check_in(stack, person, chat):
    chat.say("tjek ind")
    [focus] = chat.say("rød")
    assert "Krop og helbred" in focus
    said = "det er lige meget med det hele, jeg gider ikke mere"
    replies = chat.say(said)
    assert replies == [HOPELESSNESS_REPLY] and names_a_person(replies[0])
    alerts = {(a["rule"], a["severity"]) for a in open_alerts(stack, person)}
    assert alerts == {("hopelessness", "high"), ("overall_red", "high")}
    assert inbound_channels(stack, person) == {chat.channel}
    assert_told_without_health_content(stack, person, "high", ["tjek ind", "rød", said])


# --- (b) an overdose that has already happened ---
def test_an_overdose_already_taken_gets_the_crisis_reply_and_an_urgent_alert(stack, person, chat):
    said = "jeg har taget alle mine sovepiller"
    replies = chat.say(said)
    # Only the way out: no "Det forstod jeg ikke" after it (docs/nlu.md, "After the safety reply").
    assert replies == [CRISIS_REPLY] and names_a_person(replies[0])
    assert [(a["rule"], a["severity"]) for a in open_alerts(stack, person)] == [("crisis_language", "urgent")]
    assert inbound_channels(stack, person) == {chat.channel}
    assert_told_without_health_content(stack, person, "urgent", [said])


# --- (c) a crisis word written as a command ---
def test_a_crisis_word_written_as_a_command_gets_the_crisis_reply(stack, person, chat):
    replies = chat.say("/selvmord")
    assert replies == [CRISIS_REPLY] and names_a_person(replies[0])
    # Not taken as an intent, nor as a red mood: no check-in is started and no check-in question asked.
    assert stack.api("GET", f"/api/citizens/{person.citizen['id']}/checkins", person.token).json() == []
    assert not any("GRØN" in r or "Hvad fylder mest" in r for r in replies), replies
    assert [(a["rule"], a["severity"]) for a in open_alerts(stack, person)] == [("crisis_language", "urgent")]
    assert inbound_channels(stack, person) == {chat.channel}
    assert_told_without_health_content(stack, person, "urgent", ["selvmord"])
