"""Outcome questions end to end (issue 14, part 2; docs/outcomes.md, "The conversation"), through the
real Rasa server, action server and coordination service: a round is asked for, the scheduler's
tick at the prompt's due time sends the prompt (by SMS, as every proactive message), and the
citizen answers JA and then one digit per message. The database holds every answer and the scores;
a low WHO-5 raises its alert with the threshold. Inside a round, HJÆLP and RING are answered and the
question asked again, crisis language gets the safety reply and the alert (never "an unclear
digit"), a reminder is answered as a reminder (the nudge asks for the rest), and STOP opts out as
everywhere, the answers so far kept. Ending a course sends the goodbye by SMS although the course has
ended, and the citizen's SKEMA then gets the last WHO-5 (issue 14 §6)."""
from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from bot.core.config import Settings
from bot.core.texts import COURSE_ENDED, CRISIS_REPLY
from bot.core.vocabulary import QuestionnaireReason
from bot.db import jobs as job_db
from bot.db import outcomes as outcome_db
from bot.db.appointments import create_appointment
from bot.db.database import Database
from bot.db.models import Alert, Appointment, Citizen, OutboxMessage, Questionnaire
from bot.jobs import planner, timing
from bot.outcomes import record
from bot.outcomes.instruments import FULL_ROUND, steps
from tests.webchat_client import WebchatClient, chat_token

pytestmark = pytest.mark.e2e

ROUND = steps(list(FULL_ROUND))
WHO5 = steps(["who5"])


@pytest.fixture
def database(stack):
    database = Database(stack.database_url)
    yield database
    database.dispose()


def sent(report: dict) -> list[str]:
    return [job["purpose"] for job in report["jobs"] if job["outcome"] == "sent"]


def prompt_due(database, questionnaire_id: int):
    [job] = database.call(job_db.list_jobs, target=planner.questionnaire_target(questionnaire_id),
                          purpose="questionnaire_prompt")
    return job.due_at


def send_the_prompt(stack, database, citizen, questionnaire_id: int) -> str:
    """The scheduler's tick at the prompt's due time; returns the SMS the citizen got."""
    inbox = len(stack.phone_inbox(citizen["phone"]))
    assert sent(stack.tick(prompt_due(database, questionnaire_id), [citizen])) == ["questionnaire_prompt"]
    [prompt] = stack.wait_for_sms(citizen["phone"], inbox + 1)[inbox:]
    return prompt


def measures(database, questionnaire_id: int) -> dict:
    return {code: (row.items, row.score) for code, row in database.call(outcome_db.measures, questionnaire_id).items()}


def status(database, questionnaire_id: int) -> str:
    return database.call(lambda s: s.get(Questionnaire, questionnaire_id).status)


def open_alerts(stack, citizen) -> list[dict]:
    return stack.api("GET", f"/api/alerts?status=open&citizen_id={citizen['id']}", citizen["token"]).json()


def test_a_full_round_over_rest_stores_every_answer_and_the_scores(stack, database):
    citizen = stack.new_citizen(prefix="+4561")
    phone = citizen["phone"]
    now = stack.now()
    settings = Settings.from_env(stack.env).proactive
    # A round of all three instruments asked for now, by the use case the scheduler's planning and
    # the coordinator's request both use.
    questionnaire_id = database.call(lambda s: record.plan_round(
        s, s.get(Citizen, citizen["id"]), reason=QuestionnaireReason.REQUESTED, round_no=None,
        instruments=list(FULL_ROUND), due_at=now, now=now, settings=settings)).id

    prompt = send_the_prompt(stack, database, citizen, questionnaire_id)
    assert "13 korte spørgsmål" in prompt and prompt.endswith("Har du tid nu?\n1 JA\n2 NEJ\nSvar 1 eller 2.")
    assert status(database, questionnaire_id) == "open"

    assert stack.say(phone, "JA") == [ROUND[0].text()]
    answers = "1112234343555"  # WHO-5 1+1+1+2+2 = 7, x4 = 28: in the band 0-35
    for number, digit in enumerate(answers[:-1], start=1):
        assert stack.say(phone, digit) == [ROUND[number].text()]
    assert stack.say(phone, answers[-1]) == ["Tak for dine svar. Mette kan se dem."]

    assert measures(database, questionnaire_id) == {
        "who5": ([1, 1, 1, 2, 2], 28), "inspire_o": ([3, 4, 3, 4, 3], 60), "experience": ([5, 5, 5], None)}
    assert status(database, questionnaire_id) == "complete"
    [nudge] = database.call(job_db.list_jobs, target=planner.questionnaire_target(questionnaire_id),
                            purpose="questionnaire_nudge")
    assert nudge.status == "cancelled"
    [alert] = open_alerts(stack, citizen)
    assert alert["rule"] == "who5_low" and "28" in alert["reason"]
    assert database.call(lambda s: [(a.rule, a.threshold, a.questionnaire_id)
                                    for a in s.query(Alert).filter_by(citizen_id=citizen["id"])]) == [
        ("who5_low", 35, questionnaire_id)]


def test_help_a_call_and_crisis_language_inside_a_round(stack, database):
    citizen = stack.new_citizen(prefix="+4562")
    phone = citizen["phone"]
    settings = Settings.from_env(stack.env).proactive
    questionnaire, is_new = database.call(lambda s: record.request(
        s, s.get(Citizen, citizen["id"]), "who5", requested_by=None, now=stack.now(), settings=settings))
    assert is_new
    assert "5 korte spørgsmål" in send_the_prompt(stack, database, citizen, questionnaire.id)

    assert stack.say(phone, "ja") == [WHO5[0].text()]
    assert stack.say(phone, "2") == [WHO5[1].text()]
    # Questions instead of an answer are answered, and the question is asked again.
    help_text, again = stack.say(phone, "hjælp")
    assert "Mette" in help_text and again == WHO5[1].text()
    call, again = stack.say(phone, "ring til mig")
    assert "ringe til dig" in call and again == WHO5[1].text()
    [clarify] = stack.say(phone, "9")
    assert clarify.startswith("Det fik jeg ikke helt fat i. Svar med ét tal fra 0 til 5.")

    # Crisis language as an "answer": the safety reply and the urgent alert, and nothing after it.
    assert stack.say(phone, "jeg vil ikke leve") == [CRISIS_REPLY]
    assert ("crisis_language", "urgent") in [(a["rule"], a["severity"]) for a in open_alerts(stack, citizen)]
    assert measures(database, questionnaire.id)["who5"] == ([2, None, None, None, None], None)
    # The question was set aside: a digit now answers nothing.
    [reply] = stack.say(phone, "3")
    assert "Spørgsmål" not in reply
    assert measures(database, questionnaire.id)["who5"] == ([2, None, None, None, None], None)
    assert status(database, questionnaire.id) == "open"  # the nudge asks for the rest later


def test_a_reminder_in_the_middle_of_a_round_is_answered_and_the_nudge_asks_for_the_rest(stack, database):
    citizen = stack.new_citizen(prefix="+4564")
    phone = citizen["phone"]
    settings = Settings.from_env(stack.env).proactive
    starts = stack.now() + timedelta(days=2)
    # The meeting stored directly (no jobs of its own): its reminder is triggered below as the
    # scheduler triggers it, in the middle of the round.
    appointment_id = database.call(lambda s: create_appointment(
        s, citizen["id"], kind="opfoelgning", starts_at=starts, ends_at=starts + timedelta(hours=1),
        location="Rådhuset", created_at=stack.now())).id
    questionnaire, _ = database.call(lambda s: record.request(
        s, s.get(Citizen, citizen["id"]), "who5", requested_by=None, now=stack.now(), settings=settings))
    send_the_prompt(stack, database, citizen, questionnaire.id)
    stack.say(phone, "ja")
    assert stack.say(phone, "3") == [WHO5[1].text()]

    inbox = len(stack.phone_inbox(phone))
    resp = requests.post(f"{stack.rasa_url}/conversations/{phone}/trigger_intent",
                         params={"output_channel": "sms", "token": stack.rasa_token},
                         json={"name": "EXTERNAL_appointment_reminder", "entities": {"appointment_id": appointment_id}},
                         timeout=60)
    assert resp.status_code == 200
    [reminder] = stack.wait_for_sms(phone, inbox + 1)[inbox:]
    assert reminder.startswith("Hej. Husk dit møde") and "KAN IKKE" in reminder
    [confirmed] = stack.say(phone, "ja")  # the answer to the reminder, not an unclear digit
    assert confirmed.startswith("Tak. Vi ses")
    assert database.call(lambda s: s.get(Appointment, appointment_id).citizen_reply) == "confirmed"
    assert measures(database, questionnaire.id)["who5"] == ([3, None, None, None, None], None)

    # The round's nudge, when the scheduler sends it, asks for the rest.
    last_answer = database.call(lambda s: s.get(Questionnaire, questionnaire.id).last_answer_at)
    nudge_at = timing.next_window(last_answer + timedelta(hours=settings.questionnaire_nudge_hours), settings)
    inbox = len(stack.phone_inbox(phone))
    assert sent(stack.tick(nudge_at, [citizen])) == ["questionnaire_nudge"]
    [nudge] = stack.wait_for_sms(phone, inbox + 1)[inbox:]
    assert nudge.startswith("Hej igen. Du nåede 1 af 5 spørgsmål")
    assert stack.say(phone, "ja") == [WHO5[1].text()]


def test_stop_inside_a_round_by_sms_opts_out_and_keeps_the_answers(stack, database):
    citizen = stack.new_citizen(prefix="+4563")
    phone = citizen["phone"]
    settings = Settings.from_env(stack.env).proactive
    questionnaire, _ = database.call(lambda s: record.request(
        s, s.get(Citizen, citizen["id"]), "who5", requested_by=None, now=stack.now(), settings=settings))
    send_the_prompt(stack, database, citizen, questionnaire.id)

    assert stack.text_and_wait(phone, "Ja") == [WHO5[0].text()]
    assert stack.text_and_wait(phone, "4") == [WHO5[1].text()]
    [stopped] = stack.text_and_wait(phone, "STOP")
    assert "ikke flere beskeder" in stopped
    assert database.call(lambda s: s.get(Citizen, citizen["id"]).status) == "opted_out"
    assert measures(database, questionnaire.id)["who5"] == ([4, None, None, None, None], None)


def test_a_who5_round_answered_in_the_web_chat(stack, database):
    citizen = stack.new_citizen(prefix="+4565")
    settings = Settings.from_env(stack.env).proactive
    questionnaire, _ = database.call(lambda s: record.request(
        s, s.get(Citizen, citizen["id"]), "who5", requested_by=None, now=stack.now(), settings=settings))
    send_the_prompt(stack, database, citizen, questionnaire.id)  # by SMS, as every proactive message
    with WebchatClient(stack.rasa_url, chat_token(stack, citizen)) as chat:
        assert chat.say("ja") == [WHO5[0].text()]
        for number, digit in enumerate("4455", start=1):
            assert chat.say(digit) == [WHO5[number].text()]
        assert chat.say("3") == ["Tak for dine svar. Mette kan se dem."]
    assert measures(database, questionnaire.id)["who5"] == ([4, 4, 5, 5, 3], 84)
    assert status(database, questionnaire.id) == "complete"


def test_the_end_of_a_course_says_goodbye_and_skema_gets_the_last_who5(stack, database):
    citizen = stack.new_citizen(prefix="+4566")
    phone = citizen["phone"]
    inbox = len(stack.phone_inbox(phone))
    resp = stack.api("PATCH", f"/api/citizens/{citizen['id']}", citizen["token"],
                     json={"status": "inactive", "end_reason": "goals_reached"})
    assert resp.status_code == 200, resp.text
    assert (resp.json()["status"], resp.json()["course_end_reason"]) == ("inactive", "goals_reached")

    # The goodbye goes although the course has ended: its own purpose, not held.
    [farewell] = stack.wait_for_sms(phone, inbox + 1)[inbox:]
    assert farewell == COURSE_ENDED.format(coordinator="Mette")
    [(purpose, sms_status)] = database.call(lambda s: [(m.purpose, m.status) for m in s.query(OutboxMessage).filter_by(
        citizen_id=citizen["id"], purpose="farewell")])
    assert purpose == "farewell" and sms_status != "suppressed"

    # The citizen answers it by SMS: SKEMA, then one digit per message.
    assert stack.text_and_wait(phone, "SKEMA") == [WHO5[0].text()]
    for number, digit in enumerate("4343", start=1):
        assert stack.text_and_wait(phone, digit) == [WHO5[number].text()]
    assert stack.text_and_wait(phone, "5") == ["Tak for dine svar. Mette kan se dem."]

    [(final, final_status)] = database.call(lambda s: [(q.id, q.status) for q in s.query(Questionnaire).filter_by(
        citizen_id=citizen["id"], reason=QuestionnaireReason.FINAL.value)])
    assert final_status == "complete"
    assert measures(database, final) == {"who5": ([4, 3, 4, 3, 5], 76)}
    assert database.call(lambda s: s.get(Citizen, citizen["id"]).status) == "inactive"
