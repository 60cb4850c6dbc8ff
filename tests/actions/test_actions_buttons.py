"""A digit answers by the buttons' order (issue 15 §4, docs/nlu.md "Buttons and digits"): "2" after
GRØN/GUL/RØD is GUL, "1" after a JA/NEJ question is JA; a digit out of range is asked again, and a
digit after a message without buttons (the life areas, a questionnaire item) stays a number. Each
unclear answer of a check-in is counted and stored with it. In-process, hand-made trackers with the
bot's last message as Rasa sends it (tests/trackers.py bot_event), a real database."""
from datetime import timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.appointments import ActionAppointmentAnswer
from actions.checkin import ActionSubmitCheckin, ValidateCheckinForm
from actions.forms import button_answer, latest_text
from actions.questions import DIGIT, JA_LIDT_NEJ, YES_NO, YES_NO_UNKNOWN, ValidateAnswerForm
from bot.db import checkins as checkin_db
from bot.db.appointments import create_appointment
from bot.db.models import Appointment
from tests.conftest import T0
from tests.trackers import DOMAIN, bot_event, slot_values, tracker


async def checkin(text, requested, asked, slots=None, intent="out_of_scope", programme="standard"):
    """One answer to the check-in question `requested`, after the bot's response `asked`."""
    dispatcher = CollectingDispatcher()
    t = tracker(text, intent=intent, confidence=0.99, slots={"checkin_programme": programme, **(slots or {})},
                requested_slot=requested, active_loop="checkin_form", asked=asked)
    return slot_values(await ValidateCheckinForm().run(dispatcher, t, DOMAIN)), t


@pytest.mark.parametrize("text, word", [("1", "GRØN"), ("2", "GUL"), ("3", "RØD"), ("2.", "GUL"), (" 3 ", "RØD"),
                                        ("2)", "GUL")])
def test_a_digit_after_the_colour_buttons_is_that_colour(text, word):
    t = tracker(text, asked="utter_ask_checkin_overall")
    assert latest_text(t) == word


@pytest.mark.parametrize("text", ["7", "0", "-1", "٣", "2 og 3", "22", "jeg har 3 børn", "GUL", ""])
def test_anything_else_stays_as_written(text):
    assert latest_text(tracker(text, asked="utter_ask_checkin_overall")) == text


def test_the_colour_buttons_keep_the_order_the_digits_mean():
    """1 GRØN, 2 GUL, 3 RØD: bot/checkins/answers.py reads a lone digit the same way without buttons."""
    for name in ("utter_ask_checkin_overall", "utter_ask_first_area", "utter_ask_checkin_area_answer"):
        for variation in DOMAIN["responses"][name]:
            assert [b["payload"] for b in variation["buttons"]] == ["GRØN", "GUL", "RØD"], name


def test_only_the_last_bot_message_before_the_answer_counts():
    t = tracker("1", asked="utter_ask_checkin_overall")
    # A later bot message without buttons (the note question) is what "1" answers now.
    t.events[-1:-1] = [bot_event("utter_ask_checkin_note")]
    t.events.insert(0, bot_event("utter_ask_checkin_wants_contact"))
    assert latest_text(t) == "1"
    assert button_answer(tracker("1", asked="utter_ask_checkin_wants_contact"), "1") == "JA"
    assert latest_text(tracker("1")) == "1"  # no bot message at all


@pytest.mark.parametrize("between", [
    {"event": "user", "text": "jeg vil ikke leve mere"},  # a crisis message the gate answered
    {"event": "session_started"}, {"event": "restart"},
])
def test_a_digit_answers_no_question_of_an_earlier_turn(between):
    # The meeting reminder asked "1 JA / 2 KAN IKKE"; then the citizen wrote something else, or a new
    # session began: a "1" now must not record that they come (review of issue 15 §4).
    t = tracker("1", asked="utter_ask_checkin_wants_contact")
    t.events.insert(len(t.events) - 1, between)
    assert latest_text(t) == "1"


async def test_a_digit_the_model_took_for_stop_is_still_its_button(db, bente):
    # NLU read the digit, not the word: "2" with stop_checkin 0.95 after the colour question is GUL,
    # and the check-in goes on instead of ending quietly.
    slots, _ = await checkin("2", "checkin_overall", "utter_ask_checkin_overall", intent="stop_checkin")
    assert slots["checkin_overall"] == "yellow" and not slots.get("checkin_stopped")


async def test_2_after_the_colour_question_is_yellow_and_7_is_asked_again(db, bente):
    slots, _ = await checkin("2", "checkin_overall", "utter_ask_checkin_overall")
    assert slots["checkin_overall"] == "yellow" and slots["clarify"] is False
    slots, _ = await checkin("7", "checkin_overall", "utter_ask_checkin_overall")
    assert slots["checkin_overall"] is None and slots["clarify"] is True


async def test_1_after_the_call_question_is_ja_and_without_buttons_it_is_asked_again(db, bente):
    before = {"checkin_overall": "red", "checkin_focus": ["humoer"], "checkin_note": False}
    slots, _ = await checkin("1", "checkin_wants_contact", "utter_ask_checkin_wants_contact", before)
    assert slots["checkin_wants_contact"] is True and slots["requested_slot"] is None
    slots, _ = await checkin("2", "checkin_wants_contact", "utter_ask_checkin_wants_contact", before)
    assert slots["checkin_wants_contact"] is False
    # The same "1" after a message without buttons is no JA: asked again, as before this change.
    slots, _ = await checkin("1", "checkin_wants_contact", "utter_way_out", before)
    assert slots["checkin_wants_contact"] is None and slots["clarify"] is True


async def test_a_digit_after_the_life_areas_stays_an_area(db, bente):
    """"Hvad fylder mest?" lists the areas with numbers and has no buttons: "3" is area 3, not RØD."""
    slots, _ = await checkin("3", "checkin_focus", "utter_ask_checkin_focus", {"checkin_overall": "yellow"})
    assert slots["checkin_focus"] == ["hverdag"]


async def test_the_full_shape_areas_take_digits_by_the_buttons(db, bente):
    slots, _ = await checkin("3", "checkin_area_answer", "utter_ask_first_area", {"checkin_overall": "yellow"},
                             programme="fuld")
    assert slots["checkin_areas"] == {"krop": "red"}
    slots, _ = await checkin("4", "checkin_area_answer", "utter_ask_checkin_area_answer", {"checkin_overall": "yellow"},
                             programme="fuld")
    assert slots["checkin_area_answer"] is None and slots["clarify"] is True


QUESTIONS = {
    "preparation_invite": ({"expects": YES_NO, "params": {"appointment_id": 1}}, {"1": "yes", "2": "no"}),
    "agreement_followup": ({"expects": YES_NO_UNKNOWN, "params": {"agreement_id": 1, "who": "Jobcentret",
                                                                 "what": "et møde"}},
                           {"1": "yes", "2": "no", "3": "unknown"}),
    "goal_progress": ({"expects": JA_LIDT_NEJ, "params": {"goal_id": 1, "goal": "et job"}},
                      {"1": "ja", "2": "lidt", "3": "nej"}),
    "questionnaire_start": ({"expects": YES_NO, "params": {"questionnaire_id": 1, "count": "5"}},
                            {"1": "yes", "2": "no"}),
}


@pytest.mark.parametrize("kind", sorted(QUESTIONS))
async def test_a_digit_answers_a_proactive_question_by_its_buttons(kind):
    question, answers = QUESTIONS[kind]
    for digit, answer in {**answers, str(len(answers) + 1): None}.items():
        t = tracker(digit, intent="out_of_scope", slots={"question": {"kind": kind, **question}},
                    requested_slot="answer", active_loop="answer_form", asked=f"utter_ask_{kind}")
        slots = slot_values(await ValidateAnswerForm().run(CollectingDispatcher(), t, DOMAIN))
        assert slots["answer"] == answer, (kind, digit)


async def test_a_questionnaire_item_digit_is_the_number_not_a_button():
    """The WHO-5 items ask for a number and have no buttons: "1" is 1, whatever came before."""
    question = {"kind": "questionnaire", "expects": DIGIT,
                "params": {"questionnaire_id": 1, "instrument": "who5", "item": 0, "low": 0, "high": 5}}
    t = tracker("1", intent="out_of_scope", slots={"question": question}, requested_slot="answer",
                active_loop="answer_form", asked="utter_ask_questionnaire")
    slots = slot_values(await ValidateAnswerForm().run(CollectingDispatcher(), t, DOMAIN))
    assert slots["answer"] == "1"


async def test_1_after_the_reminder_is_coming(db, bente):
    appointment = db.call(lambda s: create_appointment(s, bente.id, kind="opfoelgning",
                                                       starts_at=T0 + timedelta(days=2), created_at=T0))
    dispatcher = CollectingDispatcher()
    t = tracker("1", intent="out_of_scope", asked="utter_appointment_reminder",
                slots={"awaiting_reply": "appointment_answer", "reminder_appointment_id": str(appointment.id)})
    await ActionAppointmentAnswer().run(dispatcher, t, DOMAIN)
    assert [m["response"] for m in dispatcher.messages] == ["utter_appointment_confirmed"]
    assert db.call(lambda s: s.get(Appointment, appointment.id).citizen_reply) == "confirmed"


async def test_each_miss_is_counted_and_stored_with_the_checkin(db, bente):
    """Two misses before the colour (no check-in exists yet), one at the call question: 3."""
    slots, _ = await checkin("hmm", "checkin_overall", "utter_ask_checkin_overall")
    assert slots["checkin_clarifications"] == 1
    slots, _ = await checkin("7", "checkin_overall", "utter_ask_checkin_overall", slots)
    assert slots["checkin_clarifications"] == 2 and slots["clarify"] is False  # the way out, then the question
    slots, _ = await checkin("3", "checkin_overall", "utter_ask_checkin_overall",
                             {"checkin_clarifications": 2}, intent="mood_bad")
    checkin_id = slots["checkin_id"]
    assert db.call(lambda s: checkin_db.get_checkin(s, checkin_id, bente.id).clarifications) == 2
    state = {"checkin_overall": "red", "checkin_focus": ["humoer"], "checkin_note": False, "checkin_id": checkin_id,
             "checkin_clarifications": 2}
    slots, _ = await checkin("måske", "checkin_wants_contact", "utter_ask_checkin_wants_contact", state)
    assert slots["checkin_clarifications"] == 3
    slots, _ = await checkin("1", "checkin_wants_contact", "utter_ask_checkin_wants_contact",
                             {**state, "checkin_clarifications": 3, "clarify": True})
    assert slots["checkin_wants_contact"] is True and "checkin_clarifications" not in slots  # not a miss
    done = tracker("1", slots={**state, "checkin_wants_contact": True, "checkin_clarifications": 3})
    await ActionSubmitCheckin().run(CollectingDispatcher(), done, DOMAIN)
    stored = db.call(lambda s: checkin_db.get_checkin(s, checkin_id, bente.id))
    assert stored.status == "complete" and stored.clarifications == 3


async def test_a_checkin_answered_at_once_counts_none(db, bente):
    slots, _ = await checkin("GRØN", "checkin_overall", "utter_ask_checkin_overall", intent="mood_good")
    assert "checkin_clarifications" not in slots
    stored = db.call(lambda s: checkin_db.get_checkin(s, slots["checkin_id"], bente.id))
    assert stored.clarifications == 0
