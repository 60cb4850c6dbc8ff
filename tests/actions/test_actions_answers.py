"""What the forms do with a non-answer (issue 15, docs/nlu.md "Answers that are answers"): the
question again with its options, the way out (RING / PAUSE) at the second miss in a row, RING
instead of an answer, and nothing stored for a proactive question unclear twice. Hand-made trackers,
a real database."""
from datetime import timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.checkin import ActionSubmitCheckin, ValidateCheckinForm
from actions.contact import ActionRequestContact
from actions.preparation import ActionAskPrepConfirm, ActionSubmitPreparation, ValidatePreparationForm
from actions.question_handlers import ActionHandleAnswer
from actions.questions import TEXT, UNCLEAR, YES_NO, YES_NO_UNKNOWN, ValidateAnswerForm
from bot.db import alerts as alert_db
from bot.db import checkins as checkin_db
from bot.db import preparations as prep_db
from bot.db.appointments import create_appointment
from tests.conftest import T0
from tests.trackers import DOMAIN, slot_values, tracker


@pytest.fixture
def bente(bente, db):
    """The shared Bente (tests/actions/conftest.py) with a meeting: (citizen, its id)."""
    appointment = db.call(lambda s: create_appointment(s, bente.id, kind="opfoelgning", starts_at=T0 + timedelta(days=3),
                                                       created_at=T0))
    return bente, appointment.id


def rules(db, citizen) -> list[str]:
    return sorted(a.rule for a in db.call(lambda s: alert_db.list_alerts(s, citizen_id=citizen.id)))


def said(dispatcher) -> list[str]:
    return [m["response"] for m in dispatcher.messages]


async def run_form(form, text, requested, slots, loop, intent=None, confidence=0.95):
    dispatcher = CollectingDispatcher()
    events = await form.run(dispatcher, tracker(text, intent=intent, confidence=confidence, slots=slots,
                                                requested_slot=requested, active_loop=loop), DOMAIN)
    return slot_values(events), said(dispatcher)


async def checkin(text, requested, slots=None, intent=None, confidence=0.95):
    return await run_form(ValidateCheckinForm(), text, requested, {"checkin_programme": "standard", **(slots or {})},
                          "checkin_form", intent, confidence)


async def test_the_second_miss_in_a_row_gets_the_way_out_then_the_question_as_first_asked(db, bente):
    citizen, _ = bente
    first, words = await checkin("🏳️‍🌈🏳️‍🌈", "checkin_overall", {"checkin_prompt": "prompt"}, "request_contact", 1.0)
    assert (first["checkin_overall"], first["clarify"], words) == (None, True, [])
    second, words = await checkin("مرحبا كيف حالك", "checkin_overall", {"checkin_prompt": "prompt", "clarify": True},
                                  "mood_good", 0.55)
    assert words == ["utter_way_out"]
    # The question comes next as first asked ("Hvordan går det lige nu? Svar GRØN ..."), not the prompt's "Hej".
    assert (second["checkin_overall"], second["clarify"], second["checkin_prompt"]) == (None, False, None)
    third, words = await checkin("{{7*7}}", "checkin_overall", {"clarify": False}, "out_of_scope", 0.99)
    assert (third["clarify"], words) == (True, [])  # the options spelled out again
    assert db.call(checkin_db.list_checkins, citizen.id) == [] and rules(db, citizen) == []


async def test_an_answer_after_the_way_out_is_taken(db, bente):
    citizen, _ = bente
    slots, words = await checkin("rød", "checkin_overall", {"clarify": True})
    assert slots["checkin_overall"] == "red" and slots["clarify"] is False and words == []
    assert rules(db, citizen) == ["overall_red"]


async def test_ring_instead_of_the_colour_asks_for_the_call_and_pauses(db, bente):
    citizen, _ = bente
    slots, _ = await checkin("RING", "checkin_overall", intent="request_contact", confidence=1.0)
    assert slots["checkin_stopped"] is True and slots["checkin_wants_contact"] is True
    assert rules(db, citizen) == ["contact_request"] and db.call(checkin_db.list_checkins, citizen.id) == []
    dispatcher = CollectingDispatcher()
    await ActionSubmitCheckin().run(dispatcher, tracker(slots={"checkin_wants_contact": True, "checkin_stopped": True}),
                                    DOMAIN)
    assert said(dispatcher) == ["utter_contact_confirmed"] and dispatcher.messages[0]["coordinator"] == "Mette"


async def test_ring_after_the_colour_keeps_the_check_in_with_the_call(db, bente):
    citizen, _ = bente
    stored, _ = await checkin("gul", "checkin_overall")
    slots = {"checkin_overall": "yellow", "checkin_id": stored["checkin_id"]}
    after, _ = await checkin("ring til mig", "checkin_focus", slots, "request_contact", 1.0)
    assert after["checkin_stopped"] is True and after["checkin_wants_contact"] is True and after["checkin_focus"] is None
    dispatcher = CollectingDispatcher()
    await ActionSubmitCheckin().run(dispatcher, tracker(slots={**slots, "checkin_programme": "standard", **after}),
                                    DOMAIN)
    assert said(dispatcher) == ["utter_checkin_done_call"]
    [row] = db.call(checkin_db.list_checkins, citizen.id)
    assert (row.overall, row.wants_contact, row.status, row.focus_areas or None) == ("yellow", True, "partial", None)
    assert rules(db, citizen) == ["contact_request"]


async def test_ring_answers_the_call_question(db, bente):
    slots, _ = await checkin("ring", "checkin_wants_contact", {"checkin_overall": "red", "checkin_focus": ["krop"],
                                                                "checkin_note": False})
    assert slots["checkin_wants_contact"] is True and not slots.get("checkin_stopped")


async def test_pause_at_the_colour_stores_nothing(db, bente):
    citizen, _ = bente
    slots, _ = await checkin("PAUSE", "checkin_overall", intent="stop_checkin", confidence=0.99)
    assert slots["checkin_stopped"] is True and slots["checkin_overall"] is None
    dispatcher = CollectingDispatcher()
    await ActionSubmitCheckin().run(dispatcher, tracker(slots={"checkin_stopped": True}), DOMAIN)
    assert said(dispatcher) == ["utter_checkin_cancelled"]
    assert db.call(checkin_db.list_checkins, citizen.id) == [] and rules(db, citizen) == []


@pytest.mark.parametrize("text, intent", [("🏳️‍🌈🏳️‍🌈", "request_contact"), ("❤️", "request_contact"),
                                          ("Evet", "affirm"), ("a" * 5000, "affirm")])
async def test_the_call_question_takes_no_emoji_or_other_language(db, bente, text, intent):
    slots, _ = await checkin(text, "checkin_wants_contact", {"checkin_overall": "yellow", "checkin_focus": ["krop"],
                                                             "checkin_note": False}, intent, 1.0)
    assert slots["checkin_wants_contact"] is None and slots["clarify"] is True


@pytest.mark.parametrize("text", ["😀", "{{7*7}}", "\x00\x01", "", "hhhhhhhh"])
async def test_a_note_needs_words(db, bente, text):
    slots, _ = await checkin(text, "checkin_note", {"checkin_overall": "yellow", "checkin_focus": ["krop"]})
    assert slots["checkin_note"] is None and slots["clarify"] is True


async def test_a_long_note_is_cut_and_control_characters_go(db, bente):
    citizen, _ = bente
    stored, _ = await checkin("gul", "checkin_overall")
    text = "det\x00 har været en lang uge " * 200
    slots, _ = await checkin(text, "checkin_note", {"checkin_overall": "yellow", "checkin_focus": ["krop"],
                                                    "checkin_id": stored["checkin_id"]})
    assert len(slots["checkin_note"]) == 2000 and "\x00" not in slots["checkin_note"]


async def prep(text, requested, appointment_id, slots=None, intent=None):
    return await run_form(ValidatePreparationForm(), text, requested,
                          {"prep_appointment_id": appointment_id, **(slots or {})}, "preparation_form", intent)


async def test_a_preparation_answer_needs_words_and_gets_the_way_out_at_the_second_miss(db, bente):
    citizen, appointment_id = bente
    first, words = await prep("🙏🙏", "prep_topics", appointment_id)
    assert (first["prep_topics"], first["clarify"], words) == (None, True, [])
    second, words = await prep("'; --", "prep_topics", appointment_id, {"clarify": True})
    assert (second["prep_topics"], second["clarify"], words) == (None, False, ["utter_way_out"])
    assert db.call(prep_db.get_preparation, appointment_id) is None
    answered, _ = await prep("min ryg og penge", "prep_topics", appointment_id, {"clarify": False})
    assert answered["prep_topics"] == ["min ryg og penge"]


async def test_ring_in_the_preparation_asks_for_the_call_and_pauses_without_an_answer(db, bente):
    citizen, appointment_id = bente
    slots, words = await prep("ring", "prep_hard", appointment_id, intent="request_contact")
    assert words == ["utter_contact_confirmed"] and slots["prep_stopped"] is True and slots["prep_hard"] is None
    assert rules(db, citizen) == ["contact_request"] and db.call(prep_db.get_preparation, appointment_id) is None
    dispatcher = CollectingDispatcher()
    await ActionSubmitPreparation().run(dispatcher, tracker(slots={"prep_appointment_id": appointment_id,
                                                                   "prep_stopped": True}), DOMAIN)
    assert said(dispatcher) == ["utter_preparation_paused"]


async def test_a_non_answer_to_the_summary_asks_the_summary_again(db, bente):
    _, appointment_id = bente
    await prep("min ryg", "prep_topics", appointment_id)
    slots, _ = await prep("😀", "prep_confirm", appointment_id)
    assert slots["prep_confirm"] is None and slots["clarify"] is True
    dispatcher = CollectingDispatcher()
    await ActionAskPrepConfirm().run(dispatcher, tracker("😀", slots={"prep_appointment_id": appointment_id,
                                                                      "clarify": True}), DOMAIN)
    assert said(dispatcher) == ["utter_ask_prep_confirm"]  # not "skriv, hvad der skal rettes"
    dispatcher = CollectingDispatcher()
    await ActionAskPrepConfirm().run(dispatcher, tracker("nej", slots={"prep_appointment_id": appointment_id,
                                                                       "clarify": True}), DOMAIN)
    assert said(dispatcher) == ["utter_ask_prep_correction"]


@pytest.mark.parametrize("text", ["🏳️‍🌈🏳️‍🌈", "I feel terrible today", "❤️"])
async def test_a_call_request_read_from_emoji_or_another_language_arranges_nothing(db, bente, text):
    citizen, _ = bente
    dispatcher = CollectingDispatcher()
    await ActionRequestContact().run(dispatcher, tracker(text, intent="request_contact", confidence=1.0), DOMAIN)
    assert said(dispatcher) == ["utter_default"] and rules(db, citizen) == []


QUESTIONS = {
    "agreement_followup": {"kind": "agreement_followup", "expects": YES_NO_UNKNOWN,
                           "params": {"agreement_id": 1, "who": "Jobcentret", "what": "et møde"}},
    "agreements_approval": {"kind": "agreements_approval", "expects": YES_NO, "params": {"appointment_id": 1}},
    "teachback": {"kind": "teachback", "expects": TEXT, "params": {"appointment_id": 1}},
}


@pytest.mark.parametrize("kind", sorted(QUESTIONS))
async def test_a_question_unclear_twice_stores_no_guess(db, bente, kind):
    citizen, _ = bente
    question = QUESTIONS[kind]
    slot = "answer_text" if question["expects"] == TEXT else "answer"
    first, _ = await run_form(ValidateAnswerForm(), "🏳️‍🌈", slot, {"question": question}, "answer_form",
                              "request_contact", 1.0)
    assert first[slot] is None and first["clarify"] is True
    second, words = await run_form(ValidateAnswerForm(), "{{7*7}}", slot, {"question": question, "clarify": True},
                                   "answer_form", "out_of_scope", 0.99)
    assert second[slot] == UNCLEAR and words == []  # no way out here: the handler ends the question
    dispatcher = CollectingDispatcher()
    await ActionHandleAnswer().run(dispatcher, tracker(slots={"question": question, slot: UNCLEAR}), DOMAIN)
    assert said(dispatcher) == ["utter_question_unclear"] and rules(db, citizen) == []


async def test_pause_at_a_proactive_question_drops_it_and_says_so(db, bente):
    citizen, _ = bente
    question = QUESTIONS["agreement_followup"]
    slots, _ = await run_form(ValidateAnswerForm(), "PAUSE", "answer", {"question": question}, "answer_form",
                              "stop_checkin", 0.99)
    assert slots["question_stopped"] is True and slots["answer"] is None
    dispatcher = CollectingDispatcher()
    events = await ActionHandleAnswer().run(dispatcher, tracker(slots={"question": question, **slots}), DOMAIN)
    assert said(dispatcher) == ["utter_question_paused"] and slot_values(events)["question"] is None
    assert rules(db, citizen) == []


async def test_ring_taken_as_a_free_text_answer_asks_for_the_call_and_keeps_the_question(db, bente):
    citizen, _ = bente
    slots, words = await run_form(ValidateAnswerForm(), "ring til mig", "answer_text", {"question": QUESTIONS["teachback"]},
                                  "answer_form", "request_contact", 0.6)
    assert words == ["utter_contact_confirmed"] and slots == {"answer_text": None}
    assert rules(db, citizen) == ["contact_request"]
