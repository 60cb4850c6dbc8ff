"""An English-speaking citizen's answers are read in English (issue 15 §2, docs/nlu.md "Answers that
are answers"): the language comes with each message in its metadata, put there by the citizen gate
(tests/channels/test_gate_metadata.py), and the forms read the answer in it. The same English text
from a Danish citizen is read as before. Hand-made trackers, the real actions, a real database."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.checkin import ValidateCheckinForm
from actions.contact import ActionRequestContact
from actions.forms import citizen_language
from actions.preparation import ValidatePreparationForm
from actions.questions import YES_NO, YES_NO_UNKNOWN, ValidateAnswerForm
from bot.db import alerts as alert_db
from bot.db import checkins as checkin_db
from bot.db import preparations as prep_db
from bot.db.appointments import create_appointment
from bot.meetings.preparation import KEY_OF, SKIPPED
from tests.conftest import T0
from tests.trackers import DOMAIN, slot_values, tracker

NO_METADATA = None


@pytest.fixture
def bente(bente, db):
    """The shared Bente (tests/actions/conftest.py) with a meeting: (citizen, its id)."""
    appointment = db.call(lambda s: create_appointment(s, bente.id, kind="opfoelgning", starts_at=T0,
                                                       created_at=T0))
    return bente, appointment.id


def with_language(t, language):
    """The tracker as the action server gets it after the gate: the language in the message's metadata."""
    if language is not NO_METADATA:
        t.latest_message["metadata"] = {"language": language}
    return t


async def run_form(form, text, requested, slots, loop, language, intent=None, confidence=0.95):
    dispatcher = CollectingDispatcher()
    t = with_language(tracker(text, intent=intent, confidence=confidence, slots=slots, requested_slot=requested,
                              active_loop=loop), language)
    events = await form.run(dispatcher, t, DOMAIN)
    return slot_values(events), [m["response"] for m in dispatcher.messages]


async def checkin(text, requested, language, slots=None, intent=None, confidence=0.95):
    return await run_form(ValidateCheckinForm(), text, requested, {"checkin_programme": "standard", **(slots or {})},
                          "checkin_form", language, intent, confidence)


def rules(db, citizen) -> list[str]:
    return sorted(a.rule for a in db.call(lambda s: alert_db.list_alerts(s, citizen_id=citizen.id)))


@pytest.mark.parametrize("metadata, language", [
    ({"language": "en"}, "en"), ({"language": "da"}, "da"),
    ({"language": "ar"}, "da"),  # a catalogue for the replies, but the NLU reads only Danish and English
    ({"language": "xx"}, "da"), ({"language": ["en"]}, "da"), ({}, "da"), ("en", "da"), (None, "da"),
])
def test_the_citizens_language_comes_from_the_message_metadata_else_danish(metadata, language):
    t = tracker("hej")
    t.latest_message["metadata"] = metadata
    assert citizen_language(t) == language


async def test_an_english_citizens_not_good_at_all_is_red(db, bente):
    citizen, _ = bente
    # What the trained model says about it: mood_good 1.00 (docs/nlu.md, "English").
    slots, _ = await checkin("not good at all", "checkin_overall", "en", intent="mood_good", confidence=1.0)
    assert slots["checkin_overall"] == "red" and slots["clarify"] is False
    assert rules(db, citizen) == ["overall_red"]
    [row] = db.call(checkin_db.list_checkins, citizen.id)
    assert row.overall == "red"


@pytest.mark.parametrize("language", ["da", NO_METADATA])
async def test_a_danish_citizens_english_red_is_red_too(db, bente, language):
    # The red rules of both languages count for every citizen (a miss is worse than a false alarm,
    # docs/nlu.md): NLU's mood_good 1.00 for "not good at all" never makes it green.
    citizen, _ = bente
    slots, _ = await checkin("not good at all", "checkin_overall", language, intent="mood_good", confidence=1.0)
    assert slots["checkin_overall"] == "red"
    slots, _ = await checkin("I feel terrible today", "checkin_overall", language, intent="request_contact",
                             confidence=0.55)
    assert slots["checkin_overall"] == "red"


async def test_an_english_citizens_red_names_the_areas_and_the_call(db, bente):
    citizen, _ = bente
    slots, _ = await checkin("I feel terrible, money and my kids. call me", "checkin_overall", "en",
                             intent="mood_bad", confidence=0.9)
    assert slots["checkin_overall"] == "red" and slots["checkin_focus"] == ["oekonomi", "netvaerk"]
    assert slots["checkin_wants_contact"] is True


CALL_QUESTION = {"checkin_overall": "red", "checkin_focus": ["krop"], "checkin_note": False}


@pytest.mark.parametrize("text, language, answer", [
    ("yes please", "en", True), ("sure", "en", True), ("of course", "en", True), ("not now", "en", False),
    ("call me", "en", True), ("ja tak", "en", True),
    # a Danish citizen: as before ("yes" was a JA word already; "sure" and "not now" were not)
    ("yes please", "da", True), ("sure", "da", None), ("not now", "da", None), ("call me", "da", None),
])
async def test_the_call_question_in_the_citizens_language(db, bente, text, language, answer):
    slots, _ = await checkin(text, "checkin_wants_contact", language, CALL_QUESTION, intent="nlu_fallback",
                             confidence=0.4)
    assert slots["checkin_wants_contact"] is answer
    assert slots["clarify"] is (answer is None)


async def test_an_english_stop_ends_the_check_in_only_for_an_english_citizen(db, bente):
    slots, _ = await checkin("that's enough", "checkin_focus", "en", {"checkin_overall": "yellow"})
    assert slots["checkin_stopped"] is True
    slots, _ = await checkin("that's enough", "checkin_focus", "da", {"checkin_overall": "yellow"})
    assert not slots.get("checkin_stopped") and slots["clarify"] is True
    slots, _ = await checkin("no more money", "checkin_focus", "en", {"checkin_overall": "yellow"})
    assert not slots.get("checkin_stopped") and slots["checkin_focus"] == ["oekonomi"]


@pytest.mark.parametrize("text, language, focus", [
    ("money and family", "en", ["oekonomi", "netvaerk"]), ("skip", "en", []), ("don't know", "en", []),
    ("2 and 5", "en", ["humoer", "oekonomi"]), ("penge", "da", ["oekonomi"]),
    ("money and family", "da", None), ("don't know", "da", None),
])
async def test_the_areas_in_the_citizens_language(db, bente, text, language, focus):
    slots, _ = await checkin(text, "checkin_focus", language, {"checkin_overall": "yellow"})
    assert slots["checkin_focus"] == focus


@pytest.mark.parametrize("text, language, note", [("nothing", "en", False), ("no thanks", "en", False),
                                                  ("nothing", "da", "nothing")])
async def test_nothing_more_to_say(db, bente, text, language, note):
    slots, _ = await checkin(text, "checkin_note", language, {"checkin_overall": "yellow", "checkin_focus": ["krop"]})
    assert slots["checkin_note"] == note


@pytest.mark.parametrize("text, expects, language, answer", [
    ("of course", YES_NO, "en", "yes"), ("not now", YES_NO, "en", "no"), ("don't know", YES_NO_UNKNOWN, "en", "unknown"),
    ("ja", YES_NO, "en", "yes"), ("of course", YES_NO, "da", None), ("ved ikke", YES_NO_UNKNOWN, "da", "unknown"),
])
async def test_a_proactive_question_in_the_citizens_language(db, bente, text, expects, language, answer):
    question = {"kind": "agreements_approval", "expects": expects, "params": {"appointment_id": 1}}
    slots, _ = await run_form(ValidateAnswerForm(), text, "answer", {"question": question}, "answer_form", language,
                              "nlu_fallback", 0.4)
    assert slots["answer"] == answer


async def test_dont_know_skips_a_preparation_question_but_answers_who_comes(db, bente):
    _, appointment_id = bente
    slots, _ = await run_form(ValidatePreparationForm(), "don't know", "prep_topics",
                              {"prep_appointment_id": appointment_id}, "preparation_form", "en")
    assert slots["prep_topics"] == SKIPPED
    slots, _ = await run_form(ValidatePreparationForm(), "don't know", "prep_attendees",
                              {"prep_appointment_id": appointment_id}, "preparation_form", "en")
    assert slots["prep_attendees"] == "don't know"
    answers = db.call(lambda s: dict(prep_db.get_preparation(s, appointment_id).answers))
    assert answers[KEY_OF["prep_topics"]] is None and answers[KEY_OF["prep_attendees"]] == "don't know"


@pytest.mark.parametrize("language, said, requested", [("en", ["utter_contact_confirmed"], ["contact_request"]),
                                                       ("da", ["utter_default"], [])])
async def test_a_call_request_in_english_counts_for_an_english_citizen(db, bente, language, said, requested):
    citizen, _ = bente
    dispatcher = CollectingDispatcher()
    t = with_language(tracker("can you get my coordinator to phone me", intent="request_contact", confidence=0.9),
                      language)
    await ActionRequestContact().run(dispatcher, t, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == said and rules(db, citizen) == requested
