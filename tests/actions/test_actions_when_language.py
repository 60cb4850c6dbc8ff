"""`{when}` is written in the citizen's language, read from the citizen the action loads anyway
(actions/citizen.py): the preparation (invitation and start), the reminder, the next meeting and the
agreement list; Danish for a Danish citizen."""
from datetime import timedelta

from rasa_sdk.executor import CollectingDispatcher

from actions.agreements import ActionPresentAgreements
from actions.appointments import ActionSendAppointmentReminder, ActionTellNextAppointment
from actions.preparation import ActionInvitePreparation, ActionStartPreparation
from bot.db.agreements import replace_agreements
from tests.actions.conftest import STARTS
from tests.conftest import T0
from tests.trackers import DOMAIN, tracker

DANISH = "onsdag 2. december kl. 13.30"


def expected(citizen) -> str:
    return DANISH if citizen.language == "da" else "Wednesday 2 December at 13:30"


async def run(action, intent=None, appointment_id=None):
    dispatcher = CollectingDispatcher()
    t = tracker("", intent=intent)
    if appointment_id is not None:
        t.latest_message["entities"] = [{"entity": "appointment_id", "value": appointment_id}]
    events = await action.run(dispatcher, t, DOMAIN)
    return dispatcher.messages, events


async def test_the_preparation_starts_in_the_citizens_language(db, citizen, appointment, clock):
    clock.set(STARTS - timedelta(days=3))
    [message], _ = await run(ActionStartPreparation())
    assert message["response"] == "utter_preparation_intro" and message["when"] == expected(citizen)


async def test_the_preparation_invitation_in_the_citizens_language(db, citizen, appointment, clock):
    clock.set(STARTS - timedelta(days=3))
    _, events = await run(ActionInvitePreparation(), "EXTERNAL_preparation_invite", appointment.id)
    [question] = [e["value"] for e in events if e.get("name") == "question"]
    assert question["params"]["when"] == expected(citizen)


async def test_the_reminder_and_the_next_meeting_in_the_citizens_language(db, citizen, appointment, clock):
    clock.set(STARTS - timedelta(days=2))
    [reminder], _ = await run(ActionSendAppointmentReminder(), "EXTERNAL_appointment_reminder", appointment.id)
    [next_one], _ = await run(ActionTellNextAppointment())
    assert reminder["when"] == next_one["when"] == expected(citizen)


async def test_the_agreement_list_in_the_citizens_language(db, citizen, appointment):
    db.call(lambda s: replace_agreements(s, appointment.id, citizen.id, [{"what": "søger om boligstøtte",
                                                                          "who": "Kommunen"}], None, T0))
    [message], _ = await run(ActionPresentAgreements(), "EXTERNAL_agreements_approval", appointment.id)
    assert message["when"] == expected(citizen)
