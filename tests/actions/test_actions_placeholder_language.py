"""The values our code puts into a response's {placeholders} are in the citizen's language, as the
response around them (docs/languages.md, "Placeholder values"): the life areas (programmes.yml
`label_<code>`), the preparation's summary, the agreements, the reminder's recap, the outcome
questions and when they come again. An English citizen's have the English words and no Danish label;
a Danish citizen's are as before, word for word. The language is the citizen's (the trackers here
carry no metadata, as a proactive turn's). Hand-made trackers, the real actions, a real database."""
import re
from datetime import date, timedelta

from rasa_sdk.executor import CollectingDispatcher

from actions.agreements import ActionCaseStatus, ActionPresentAgreements
from actions.appointments import ActionSendAppointmentReminder
from actions.checkin import ActionAskCheckinAreaAnswer
from actions.citizen import current_citizen
from actions.outcomes import OWN_INTENT, ActionStartQuestionnaire, questionnaire_item
from actions.preparation import ActionAskPrepConfirm
from actions.questions import UNCLEAR
from bot.checkins.programmes import get_programme
from bot.core import i18n
from bot.core.config import ProactiveSettings
from bot.core.vocabulary import QuestionnaireReason
from bot.db import preparations as prep_db
from bot.db.agreements import replace_agreements
from bot.outcomes import record
from bot.outcomes.instruments import FULL_ROUND
from tests.actions.conftest import STARTS
from tests.conftest import T0
from tests.trackers import DOMAIN, tracker

DANISH_LABELS = [area.label for area in get_programme("fuld").areas]
ENGLISH = i18n.default_catalogue().responses("en")


def by_language(citizen, danish: str, english: str) -> str:
    return danish if citizen.language == "da" else english


def has_no_danish_label(text: str) -> bool:
    return not any(label in text for label in DANISH_LABELS)


async def run(action, t=None) -> tuple[list[dict], list[dict]]:
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, t if t is not None else tracker(""), DOMAIN)
    return dispatcher.messages, events


def with_entity(t, name: str, value) -> object:
    t.latest_message["entities"] = [{"entity": name, "value": value}]
    return t


# --- life areas ---

async def test_the_area_questions_name_the_area_in_the_citizens_language(citizen):
    [first], _ = await run(ActionAskCheckinAreaAnswer(), tracker(slots={"checkin_programme": "fuld"}))
    assert first["response"] == "utter_ask_first_area" and first["count"] == 5
    assert first["area"] == by_language(citizen, "Krop og helbred", "Body and health")
    [again], _ = await run(ActionAskCheckinAreaAnswer(), tracker(slots={
        "checkin_programme": "fuld", "checkin_areas": {"krop": "green"}, "clarify": True}))
    assert again["area"] == by_language(citizen, "Humør og trivsel", "Mood and well-being")
    if citizen.language == "en":
        [clarify, _] = ENGLISH["utter_ask_checkin_area_answer"]
        text = clarify["text"].format(area=again["area"])
        assert text == ("I did not understand. Mood and well-being: How is it going? "
                        "GREEN is good, YELLOW is so-so, RED is bad.")
        assert has_no_danish_label(text)


# --- the preparation's summary ---

async def ask_to_confirm(db, citizen, appointment, answers: dict) -> str:
    def save(session):
        for key, value in answers.items():
            prep_db.save_answer(session, appointment.id, citizen.id, key, value, T0)

    db.call(save)
    [message], _ = await run(ActionAskPrepConfirm(), tracker(slots={"prep_appointment_id": appointment.id}))
    assert message["response"] == "utter_ask_prep_confirm"
    return message["summary"]


async def test_the_preparation_summary_in_the_citizens_language(db, citizen, appointment):
    summary = await ask_to_confirm(db, citizen, appointment, {"topics": ["my back", "money"], "avoid": "nothing",
                                                              "attendees": "Lise", "practical": "a lift"})
    # "nothing" says there is nothing to avoid for an English citizen; the Danish summary is as before.
    assert summary == by_language(citizen, "Vigtigst: my back; money\nIkke tale om: nothing\nMed til mødet: Lise\n"
                                           "Brug for: a lift",
                                  "Most important: my back; money\nWith you: Lise\nYou need: a lift")


async def test_a_summary_of_skipped_questions_in_the_citizens_language(db, citizen, appointment):
    summary = await ask_to_confirm(db, citizen, appointment, {"topics": None, "avoid": None})
    assert summary == by_language(citizen, "Du har sprunget alle spørgsmål over.", "You have skipped all the questions.")


# --- the agreements ---

AGREEMENTS = [{"what": "call the doctor", "who": "Du", "owner_is_citizen": True, "due_date": date(2026, 12, 24)},
              {"what": "send the letter", "who": "Kommunen", "owner_is_citizen": False}]


async def test_the_agreements_in_the_citizens_language(db, citizen, appointment):
    db.call(lambda s: replace_agreements(s, appointment.id, citizen.id, AGREEMENTS, None, T0))
    expected = by_language(citizen, "1. Du: call the doctor, senest torsdag 24. december\n2. Kommunen: send the letter",
                           "1. You: call the doctor, by Thursday 24 December\n2. Kommunen: send the letter")
    [listed], _ = await run(ActionPresentAgreements(), with_entity(
        tracker("", intent="EXTERNAL_agreements_approval"), "appointment_id", appointment.id))
    [status], _ = await run(ActionCaseStatus())
    assert listed["response"] == "utter_agreements_list" and status["response"] == "utter_case_status"
    assert listed["agreements"] == status["agreements"] == expected


async def test_a_long_list_is_cut_with_a_pointer_in_the_citizens_language(db, citizen, appointment):
    many = [{"what": "x" * 100, "who": "Kommunen", "owner_is_citizen": False} for _ in range(6)]
    db.call(lambda s: replace_agreements(s, appointment.id, citizen.id, many, None, T0))
    [status], _ = await run(ActionCaseStatus())
    last = status["agreements"].split("\n")[-1]
    assert re.fullmatch(by_language(citizen, r"\+ \d aftaler mere\. Spørg din koordinator\.",
                                    r"\+ \d more\. Ask your coordinator\."), last), last


# --- the reminder's recap ---

async def test_the_reminder_recaps_the_topic_in_the_citizens_language(db, citizen, appointment, clock):
    db.call(lambda s: prep_db.save_answer(s, appointment.id, citizen.id, "topics", ["my back"], T0))
    clock.set(STARTS - timedelta(days=1))
    [reminder], _ = await run(ActionSendAppointmentReminder(), with_entity(
        tracker("", intent="EXTERNAL_appointment_reminder"), "appointment_id", appointment.id))
    assert reminder["recap"] == by_language(citizen, "Du vil gerne tale om: my back. ",
                                            "You want to talk about: my back. ")


# --- the outcome questions ---

async def test_the_outcome_questions_and_when_they_come_again_in_the_citizens_language(db, citizen):
    db.call(lambda s: record.plan_round(s, citizen, reason=QuestionnaireReason.REQUESTED, round_no=None,
                                        instruments=list(FULL_ROUND), due_at=T0, now=T0,
                                        settings=ProactiveSettings()))
    _, events = await run(ActionStartQuestionnaire(), tracker("SKEMA", intent=OWN_INTENT))
    *_, question = [e["value"] for e in events if e.get("name") == "question"]
    params = question["params"]
    assert params["question_text"].startswith(by_language(
        citizen, "Spørgsmål 1 af 13:\nI de sidste 2 uger har jeg været glad og i godt humør.\n",
        "Question 1 of 13:\nOver the last two weeks, I have felt cheerful and in good spirits.\n"))
    assert params["question_text"].endswith(by_language(citizen, "\n0 På intet tidspunkt", "\n0 At no time"))
    assert params["question_short"] == by_language(
        citizen,
        "I de sidste 2 uger har jeg været glad og i godt humør.\n5 Hele tiden\n4 Det meste af tiden\n"
        "3 Lidt mere end halvdelen af tiden\n2 Lidt mindre end halvdelen af tiden\n1 Lidt af tiden\n"
        "0 På intet tidspunkt",
        "Over the last two weeks, I have felt cheerful and in good spirits.\n5 All of the time\n4 Most of the time\n"
        "3 More than half of the time\n2 Less than half of the time\n1 Some of the time\n0 At no time")

    dispatcher = CollectingDispatcher()
    info = await current_citizen(tracker(""))
    await questionnaire_item(dispatcher, tracker(""), info, UNCLEAR, {"questionnaire_id": params["questionnaire_id"]})
    [paused] = dispatcher.messages
    assert paused["response"] == "utter_questionnaire_paused"
    assert paused["again"] == by_language(citizen, "i morgen", "tomorrow")
