"""STOP / START actions with tracker fixtures and CollectingDispatcher, against a real database.
The clock stands at T0 (Monday 2026-11-23 10:00 UTC) unless a test moves it."""
from datetime import timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.subscription import ActionOptIn, ActionOptOut
from bot.citizens import registration
from bot.core.config import ProactiveSettings
from bot.db import checkins as checkin_db
from bot.db import jobs as job_db
from bot.db.appointments import create_appointment
from bot.db.citizens import get_citizen
from bot.db.coordinators import create_coordinator
from tests.conftest import T0
from tests.trackers import DOMAIN, tracker

MEETING = T0 + timedelta(days=3, hours=3)


@pytest.fixture
def citizen_id(db, clock):
    """Registered at T0 with one meeting ahead (reminders only), booked through the planner."""
    def make(session):
        coordinator, _ = create_coordinator(session, "Mette")
        citizen = registration.register(session, "Bente", "+4512345678", coordinator.id, T0)
        create_appointment(session, citizen.id, kind="andet", starts_at=MEETING, created_at=T0)
        return citizen.id

    context.use(db, clock)
    return db.call(make)


async def run(action, slots=None):
    dispatcher = CollectingDispatcher()
    events = await action.run(dispatcher, tracker("STOP", slots=slots, channel="sms"), DOMAIN)
    return [m["response"] for m in dispatcher.messages], events


def status(db, citizen_id):
    return db.call(get_citizen, citizen_id).status


def pending(db, citizen_id):
    return [j.purpose for j in db.call(lambda s: job_db.list_jobs(s, citizen_id=citizen_id)) if j.status == "pending"]


async def test_stop_then_start_turns_messages_off_and_on(db, clock, citizen_id):
    # STOP at T0, START at T0 + 1 day: the meeting's reminders are planned again.
    responses, _ = await run(ActionOptOut())
    assert responses == ["utter_opted_out"] and status(db, citizen_id) == "opted_out"
    clock.set(T0 + timedelta(days=1))
    responses, _ = await run(ActionOptIn())
    assert responses == ["utter_opted_in"] and status(db, citizen_id) == "active"
    assert sorted(pending(db, citizen_id)) == ["appointment_reminder", "appointment_reminder"]


async def test_start_does_not_reopen_a_course_the_coordinator_ended(db, clock, citizen_id):
    # T0: the coordinator ends the course; T0 + 1 h STOP; T0 + 2 h START: still ended, nothing planned.
    db.call(lambda s: registration.change(s, citizen_id, None, {"status": "inactive"}, T0, ProactiveSettings()))
    clock.set(T0 + timedelta(hours=1))
    await run(ActionOptOut())
    assert status(db, citizen_id) == "opted_out"
    clock.set(T0 + timedelta(hours=2))
    responses, _ = await run(ActionOptIn())
    assert status(db, citizen_id) == "inactive" and pending(db, citizen_id) == []
    # The answer must not promise messages that will not come.
    assert responses == ["utter_opted_in_course_ended"]


async def test_stop_in_the_middle_of_a_check_in_keeps_it_as_partial(db, citizen_id):
    # T0: STOP after the colour was answered.
    _, events = await run(ActionOptOut(), slots={"checkin_overall": "yellow", "checkin_programme": "standard"})
    [checkin] = db.call(checkin_db.list_checkins, citizen_id)
    assert (checkin.overall, checkin.status, checkin.created_at) == ("yellow", "partial", T0)
    assert events[0]["event"] == "active_loop" and events[0]["name"] is None


async def test_an_unknown_sender_is_told_so(db, clock):
    # T0: nobody is registered with the tracker's phone number.
    context.use(db, clock)
    assert (await run(ActionOptOut()))[0] == ["utter_unknown_sender"]
    assert (await run(ActionOptIn()))[0] == ["utter_unknown_sender"]
