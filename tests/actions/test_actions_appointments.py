"""Appointment actions with tracker fixtures and CollectingDispatcher, against a real database. The
reminder of a meeting with an interpreter says so (appointments.interpreter, migration 0021), in the
citizen's language, within the reminder's length (tests/responses.py's longest recap has it)."""
from datetime import datetime, timedelta, timezone

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions.appointments import (
    ActionAppointmentAnswer,
    ActionMissedFollowup,
    ActionNewTimeAnswer,
    ActionSendAppointmentReminder,
    ActionTellNextAppointment,
)
from actions.coordinator import ActionTellCoordinator, spoken_phone
from bot.appointments.attendance import parse_attendance_answer
from bot.core.danish_time import format_when
from bot.db import alerts as alert_db
from bot.db.appointments import create_appointment
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.models import Appointment
from tests.conftest import T0
from tests.trackers import DOMAIN, slot_values, tracker


@pytest.fixture
def citizen(bente):
    """The shared Bente (tests/actions/conftest.py), in Danish: not the conftest's bilingual one."""
    return bente


def book(db, citizen, starts_at, **fields):
    return db.call(lambda s: create_appointment(s, citizen.id, kind="opfoelgning", starts_at=starts_at,
                                                created_at=T0, **fields))


async def run(action, text="", intent=None, slots=None):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker(text, intent=intent, slots=slots), DOMAIN)
    return dispatcher.messages, slot_values(events)


async def send_reminder(appointment_id):
    """The reminder of one meeting, as the scheduler triggers it (the appointment id as an entity)."""
    dispatcher = CollectingDispatcher()
    t = tracker("EXTERNAL: EXTERNAL_appointment_reminder", intent="EXTERNAL_appointment_reminder")
    t.latest_message["entities"] = [{"entity": "appointment_id", "value": appointment_id}]
    events = await ActionSendAppointmentReminder().run(dispatcher, t, DOMAIN)
    return dispatcher.messages, slot_values(events)


@pytest.mark.parametrize("text, answer", [
    ("JA", "confirmed"), ("ja tak", "confirmed"), ("Jaaa", "confirmed"), ("jeg kommer", "confirmed"), ("👍", "confirmed"),
    ("KAN IKKE", "cannot_come"), ("kan ikk", "cannot_come"), ("kanikke", "cannot_come"), ("kan ikek", "cannot_come"),
    ("Kan desværre ikke komme", "cannot_come"), ("jeg kommer ikke", "cannot_come"), ("nej", "cannot_come"),
    ("ja men jeg kan ikke", "cannot_come"), ("afbud", "cannot_come"),
    ("hvad", None), ("måske", None), ("", None),
    # English, as an English citizen's buttons offer it (YES / CAN'T COME)
    ("CAN'T COME", "cannot_come"), ("cannot come", "cannot_come"), ("I'm not coming", "cannot_come"),
    ("I won't be there", "cannot_come"), ("I'm coming", "confirmed"), ("I'll be there", "confirmed"),
    ("yes", "confirmed"), ("maybe", None),
])
def test_attendance_answers_and_typos(text, answer):
    assert parse_attendance_answer(text) == answer


def test_danish_dates_and_phone_numbers():
    assert format_when(datetime(2026, 6, 2, 8, 0, tzinfo=timezone.utc)) == "tirsdag 2. juni kl. 10"
    assert format_when(datetime(2026, 12, 2, 12, 30, tzinfo=timezone.utc)) == "onsdag 2. december kl. 13.30"
    assert spoken_phone("+4511223344") == "11 22 33 44"


async def test_reminder_text_and_the_kan_ikke_answer(db, citizen):
    appointment = book(db, citizen, T0 + timedelta(days=2), location="Rådhuset")
    messages, slots = await run(ActionSendAppointmentReminder(), intent="EXTERNAL_appointment_reminder")
    assert messages == []  # no appointment id: the scheduler always sends one
    [message], slots = await send_reminder(appointment.id)
    assert message["response"] == "utter_appointment_reminder" and message["location"] == "Rådhuset"
    assert message["when"] == "onsdag 25. november kl. 11"
    assert slots["awaiting_reply"] == "appointment_answer"

    messages, slots = await run(ActionAppointmentAnswer(), "hmm", intent="nlu_fallback",
                                slots={"reminder_appointment_id": str(appointment.id)})
    assert messages[0]["response"] == "utter_ask_appointment_answer"
    assert slots["awaiting_reply"] == "appointment_answer"
    messages, slots = await run(ActionAppointmentAnswer(), "kan ikk", intent="deny",
                                slots={"reminder_appointment_id": str(appointment.id)})
    assert messages[0]["response"] == "utter_appointment_cannot_come" and messages[0]["coordinator"] == "Mette"
    assert slots["awaiting_reply"] == "nothing"
    stored = db.call(lambda s: s.get(Appointment, appointment.id))
    assert stored.citizen_reply == "cannot_come" and stored.citizen_replied_at == T0
    # Saying it twice keeps one alert.
    await run(ActionAppointmentAnswer(), "KAN IKKE", intent="cannot_come")
    alerts = db.call(lambda s: alert_db.list_alerts(s, citizen_id=citizen.id))
    assert [(a.rule, a.severity) for a in alerts] == [("appointment_cannot_come", "medium")]


async def test_the_reminder_says_an_interpreter_comes(db, citizen):
    [message], _ = await send_reminder(book(db, citizen, T0 + timedelta(days=2), location="Rådhuset", interpreter=True).id)
    assert message["response"] == "utter_appointment_reminder" and message["recap"] == "Der kommer en tolk. "


async def test_no_interpreter_no_line(db, citizen):
    [message], _ = await send_reminder(book(db, citizen, T0 + timedelta(days=2), location="Rådhuset").id)
    assert message["recap"] == ""


async def test_the_interpreter_line_in_english_for_a_citizen_written_to_in_english(db, citizen):
    db.call(lambda s: setattr(s.merge(citizen), "language", "en"))
    [message], _ = await send_reminder(book(db, citizen, T0 + timedelta(days=2), interpreter=True).id)
    assert message["recap"] == "An interpreter will be there. "


async def test_ja_without_any_appointment_says_so(db, citizen):
    messages, slots = await run(ActionAppointmentAnswer(), "ja", intent="affirm")
    assert messages[0]["response"] == "utter_no_appointment_to_answer" and slots["awaiting_reply"] == "nothing"


async def test_next_appointments_none_one_and_two(db, citizen):
    [message], _ = await run(ActionTellNextAppointment(), "hvornår er mit næste møde")
    assert message["response"] == "utter_no_next_appointment" and message["coordinator"] == "Mette"
    book(db, citizen, T0 - timedelta(days=1))  # past: not mentioned
    book(db, citizen, T0 + timedelta(days=9, hours=3, minutes=30))
    [message], _ = await run(ActionTellNextAppointment())
    assert message["response"] == "utter_next_appointment_no_place"
    assert message["when"] == "onsdag 2. december kl. 14.30"
    book(db, citizen, T0 + timedelta(days=2), location="Rådhuset")
    [message], _ = await run(ActionTellNextAppointment())
    assert message["response"] == "utter_next_appointments"
    assert message["first"] == "onsdag 25. november kl. 11 (Rådhuset)"
    assert message["second"] == "onsdag 2. december kl. 14.30"


async def test_coordinator_name_and_phone(db, citizen):
    [message], _ = await run(ActionTellCoordinator())
    assert message["response"] == "utter_coordinator" and message["coordinator_phone"] == "11 22 33 44"


async def test_new_time_answers(db, citizen):
    [message], slots = await run(ActionNewTimeAnswer(), "nej tak", intent="deny")
    assert message["response"] == "utter_new_time_declined" and slots["awaiting_reply"] == "nothing"
    [message], slots = await run(ActionNewTimeAnswer(), "øh", intent="nlu_fallback")
    assert message["response"] == "utter_ask_new_time" and slots["awaiting_reply"] == "new_time"
    [message], _ = await run(ActionNewTimeAnswer(), "ja", intent="affirm")
    assert message["response"] == "utter_contact_confirmed"
    assert [a.rule for a in db.call(lambda s: alert_db.list_alerts(s, citizen_id=citizen.id))] == ["contact_request"]


@pytest.mark.parametrize("action", [ActionSendAppointmentReminder(), ActionMissedFollowup()])
async def test_an_appointment_id_of_another_citizen_shows_nothing(db, citizen, action):
    """A reminder or missed-meeting message carrying someone else's appointment id (a forged
    '/EXTERNAL_...{"appointment_id": ...}') says nothing about that meeting."""
    def other_citizens_meeting(session):
        coordinator, _ = create_coordinator(session, "Ole")
        other = create_citizen(session, name="Karen", phone="+4587654321", coordinator_id=coordinator.id)
        return create_appointment(session, other.id, kind="opfoelgning", starts_at=T0 + timedelta(days=2),
                                  location="Karens adresse", created_at=T0).id

    foreign_id = db.call(other_citizens_meeting)
    dispatcher = CollectingDispatcher()
    t = tracker("EXTERNAL: x", intent="EXTERNAL_appointment_reminder")  # sent by the citizen PHONE
    t.latest_message["entities"] = [{"entity": "appointment_id", "value": foreign_id}]
    await action.run(dispatcher, t, DOMAIN)
    assert dispatcher.messages == []
