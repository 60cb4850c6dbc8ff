"""A citizen registered in English gets every message in English over SMS, proactive ones included,
through the real Rasa server and its NLG (bot/channels/nlg.py; docs/languages.md); a Danish citizen
beside them is unchanged."""
from __future__ import annotations

from datetime import datetime

import pytest

pytestmark = pytest.mark.e2e


def test_an_english_citizen_checks_in_over_sms_in_english(stack):
    citizen = stack.new_citizen(prefix="+4533", language="en")
    phone = citizen["phone"]
    [question] = stack.text_and_wait(phone, "tjek ind")  # the Danish words work for everyone
    assert question == ("How are you right now? GREEN is good, YELLOW is so-so, RED is bad.\n"
                        "1 GREEN\n2 YELLOW\n3 RED\nReply 1, 2 or 3.")
    [focus] = stack.text_and_wait(phone, "yellow")
    assert focus.startswith("What is on your mind the most? Reply with one or more numbers:")
    [note] = stack.text_and_wait(phone, "2")
    assert note == "Do you want to tell me a bit more? Write it here, or reply NO."
    [contact] = stack.text_and_wait(phone, "I sleep badly")
    assert contact == "Should your coordinator call you?\n1 YES\n2 NO\nReply 1 or 2."
    [done] = stack.text_and_wait(phone, "1")  # the digit of YES
    assert done == "Thank you for your answer. Mette will be told and will call you."
    [checkin] = stack.api("GET", f"/api/citizens/{citizen['id']}/checkins", citizen["token"]).json()
    assert (checkin["overall"], checkin["focus_areas"], checkin["wants_contact"]) == ("yellow", ["humoer"], True)


def test_the_proactive_prompt_is_english_too_and_danish_stays_danish(stack):
    english = stack.new_citizen(prefix="+4533", language="en")
    danish = stack.new_citizen(prefix="+4533")
    stack.tick(stack.now(), [english, danish])
    for citizen, expected in ((english, "Hi. It is time for your check-in."), (danish, "Hej. Det er tid til dit tjek ind.")):
        jobs = stack.api("GET", f"/api/citizens/{citizen['id']}/jobs", citizen["token"]).json()
        [prompt] = [j for j in jobs if j["purpose"] == "checkin_prompt" and j["status"] == "pending"]
        report = stack.tick(datetime.fromisoformat(prompt["next_attempt_at"]), [citizen])
        assert [j["outcome"] for j in report["jobs"] if j["citizen_id"] == citizen["id"]] == ["sent"], report
        [question] = stack.new_sms(citizen["phone"])
        assert question.startswith(expected), question
    [focus] = stack.text_and_wait(english["phone"], "yellow")
    assert focus.startswith("What is on your mind the most?"), focus
