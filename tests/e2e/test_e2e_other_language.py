"""A message in a language the assistant does not understand, end to end over signed SMS (issue 15:
"مرحبا كيف حالك" started a check-in and was taken as a colour): the multilingual reply, no check-in,
nothing in the conversation, a low other_language alert pointing to the stored message; Danish still
works after it, and DANSK / ENGLISH switch the language."""
import pytest

pytestmark = pytest.mark.e2e

ARABIC = "مرحبا كيف حالك"


@pytest.fixture
def citizen(stack):
    return stack.new_citizen()


def test_arabic_gets_the_multilingual_reply_and_an_alert_and_no_check_in(stack, citizen):
    phone, token = citizen["phone"], citizen["token"]
    danish_english, arabic = stack.text_and_wait(phone, ARABIC, replies=2)
    assert danish_english == ("Jeg kan kun læse dansk og engelsk. Din koordinator ringer til dig. Er du i fare, så ring 112.\n"
                              "I only understand Danish and English. Your coordinator will call you. "
                              "If you are in danger, call 112.")
    assert arabic == "أفهم الدنماركية والإنجليزية فقط. سيتصل بك منسقك. إذا كنت في خطر، اتصل بـ 112."  # UCS-2, kept
    assert stack.api("GET", f"/api/citizens/{citizen['id']}/checkins", token).json() == []
    assert [e for e in stack.tracker_events(phone) if e["event"] == "user"] == []  # Rasa never saw it
    [alert] = stack.api("GET", f"/api/alerts?citizen_id={citizen['id']}", token).json()
    assert (alert["rule"], alert["severity"]) == ("other_language", "high") and "arabisk" in alert["reason"]
    messages = stack.api("GET", f"/api/citizens/{citizen['id']}/messages", token).json()
    assert [m["text"] for m in messages if m["direction"] == "in"] == [ARABIC]  # stored like every MO
    assert [m["segments"] for m in messages if m["direction"] == "out"] == [2, 2]

    # Danish still works, and starts the check-in the Arabic did not.
    [question] = stack.text_and_wait(phone, "tjek ind")
    assert "GRØN" in question


def test_english_switches_the_language_and_dansk_back(stack, citizen):
    phone = citizen["phone"]
    [switched] = stack.text_and_wait(phone, "ENGLISH")
    assert switched.startswith("OK. Now I will write to you in English")
    assert stack.api("GET", f"/api/citizens/{citizen['id']}", citizen["token"]).json()["language"] == "en"
    [back] = stack.text_and_wait(phone, "dansk")
    assert back == "OK. Jeg skriver på dansk fra nu af."
    assert stack.api("GET", f"/api/citizens/{citizen['id']}", citizen["token"]).json()["language"] == "da"
