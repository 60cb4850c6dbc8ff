"""After the crisis or the hopelessness reply the gate gives Rasa /safety_pause, and
action_safety_pause pauses whatever was open without a word (docs/nlu.md, "After the safety
reply"): a check-in keeps its answers as a partial check-in, nothing waits for an answer."""
from rasa_sdk.executor import CollectingDispatcher

from actions.checkin import ValidateCheckinForm
from actions.safety import ActionSafetyPause
from bot.db import checkins as checkin_db
from tests.trackers import DOMAIN, slot_values, tracker


async def test_a_check_in_paused_by_the_safety_reply_is_kept_as_partial(db, bente):
    slots = {"checkin_programme": "standard"}
    events = await ValidateCheckinForm().run(
        CollectingDispatcher(), tracker("rød", slots=slots, requested_slot="checkin_overall",
                                        active_loop="checkin_form"), DOMAIN)
    slots.update(slot_values(events))
    dispatcher = CollectingDispatcher()
    events = await ActionSafetyPause().run(dispatcher, tracker("/safety_pause", intent="safety_pause", slots=slots),
                                           DOMAIN)
    assert dispatcher.messages == []  # the safety reply was the answer; nothing buries it
    after = slot_values(events)
    assert after["checkin_overall"] is None and after["checkin_id"] is None and after["requested_slot"] is None
    assert after["question"] is None and after["prep_appointment_id"] is None
    [row] = db.call(checkin_db.list_checkins, bente.id)
    assert (row.overall, row.status) == ("red", "partial")


async def test_outside_a_form_the_pause_stores_nothing_and_says_nothing(db, bente):
    dispatcher = CollectingDispatcher()
    await ActionSafetyPause().run(dispatcher, tracker("/safety_pause", intent="safety_pause"), DOMAIN)
    assert dispatcher.messages == [] and db.call(checkin_db.list_checkins, bente.id) == []


async def test_a_meeting_question_waiting_for_its_answer_is_dropped_too(db, bente):
    # A "1" or "JA" after the safety reply must not record that the citizen comes to a meeting.
    slots = {"awaiting_reply": "appointment", "reminder_appointment_id": 7}
    events = await ActionSafetyPause().run(CollectingDispatcher(),
                                           tracker("/safety_pause", intent="safety_pause", slots=slots), DOMAIN)
    after = slot_values(events)
    assert after["awaiting_reply"] is None and after["reminder_appointment_id"] is None
