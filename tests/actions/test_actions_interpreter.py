"""The reminder of a meeting with an interpreter says so (appointments.interpreter, migration 0021), in
the citizen's language, within the reminder's length (tests/responses.py's longest recap has it)."""
from datetime import timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.appointments import ActionSendAppointmentReminder
from bot.db.appointments import create_appointment
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from tests.conftest import T0
from tests.trackers import DOMAIN, PHONE, tracker


@pytest.fixture
def citizen(db, clock):
    def make(session):
        coordinator, _ = create_coordinator(session, "Mette", phone="+4511223344")
        return create_citizen(session, name="Bente", phone=PHONE, coordinator_id=coordinator.id)

    context.use(db, clock)
    return db.call(make)


async def reminder(db, citizen, **fields):
    appointment = db.call(lambda s: create_appointment(s, citizen.id, kind="opfoelgning", created_at=T0,
                                                       starts_at=T0 + timedelta(days=2), **fields))
    dispatcher = CollectingDispatcher()
    t = tracker("EXTERNAL: EXTERNAL_appointment_reminder", intent="EXTERNAL_appointment_reminder")
    t.latest_message["entities"] = [{"entity": "appointment_id", "value": appointment.id}]
    await ActionSendAppointmentReminder().run(dispatcher, t, DOMAIN)
    [message] = dispatcher.messages
    return message


async def test_the_reminder_says_an_interpreter_comes(db, citizen):
    message = await reminder(db, citizen, location="Rådhuset", interpreter=True)
    assert message["response"] == "utter_appointment_reminder" and message["recap"] == "Der kommer en tolk. "


async def test_no_interpreter_no_line(db, citizen):
    assert (await reminder(db, citizen, location="Rådhuset"))["recap"] == ""


async def test_in_english_for_a_citizen_written_to_in_english(db, citizen):
    db.call(lambda s: setattr(s.merge(citizen), "language", "en"))
    assert (await reminder(db, citizen, interpreter=True))["recap"] == "An interpreter will be there. "
