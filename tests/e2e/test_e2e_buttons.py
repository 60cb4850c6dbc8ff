"""Issue 15 §4 end to end: every question with fixed options states them as digits and, on web chat,
as buttons. The colour question reaches the web chat with three quick replies (Rasa's socket.io
output, bot/channels/webchat.py) and the SMS with its options numbered (bot/channels/sms.py); a digit
answers by the buttons' order (actions/forms.py), so "1" is JA to "Skal din koordinator ringe til dig?"."""
from __future__ import annotations

import pytest

from tests.e2e.test_e2e_safety_channels import SmsPhone, new_person
from tests.webchat_client import WebchatClient, chat_token

pytestmark = pytest.mark.e2e

COLOURS = [("GRØN", "GRØN"), ("GUL", "GUL"), ("RØD", "RØD")]


def test_the_colour_question_has_three_quick_replies_in_the_web_chat(stack):
    person = new_person(stack)
    with WebchatClient(stack.rasa_url, chat_token(stack, person.citizen, person.token),
                       origin=stack.service_url) as client:
        [question] = client.say("tjek ind")
        message = client.messages[-1]
        assert question.startswith("Hvordan går det lige nu?") and question.endswith("Svar GRØN, GUL eller RØD.")
        assert [(r["title"], r["payload"]) for r in message["quick_replies"]] == COLOURS
        [focus] = client.say("GUL")  # a tap sends the payload, a plain word
        assert "Hvad fylder mest?" in focus and not client.messages[-1].get("quick_replies")


def test_the_sms_numbers_the_options_and_a_digit_answers(stack):
    person = new_person(stack)
    phone = SmsPhone(stack, person.citizen["phone"])
    [question] = phone.say("tjek ind")
    assert question == ("Hvordan går det lige nu? GRØN er godt, GUL er nogenlunde, RØD er skidt.\n"
                        "1 GRØN\n2 GUL\n3 RØD\nSvar 1, 2 eller 3.")
    [focus] = phone.say("2")  # GUL
    assert "Hvad fylder mest?" in focus and "Svar 1" not in focus  # the areas have no buttons
    phone.say("2")  # area 2, not a button
    [call] = phone.say("nej")
    assert call == "Skal din koordinator ringe til dig?\n1 JA\n2 NEJ\nSvar 1 eller 2."
    [again] = phone.say("7")  # no such option: asked again
    assert again.startswith("Det forstod jeg ikke helt.") and again.endswith("\n1 JA\n2 NEJ\nSvar 1 eller 2.")
    [done] = phone.say("1")  # JA
    assert "Mette" in done and "ringer" in done
    [checkin] = stack.api("GET", f"/api/citizens/{person.citizen['id']}/checkins", person.token).json()
    assert (checkin["overall"], checkin["focus_areas"], checkin["wants_contact"]) == ("yellow", ["humoer"], True)
