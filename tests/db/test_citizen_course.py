"""Registering a citizen, changing their course and their STOP / START, through the use cases
(bot/citizens/registration.py, bot/citizens/course.py) on SQLite and PostgreSQL. Every test states
its time: T0 (Monday 2026-11-23 10:00 UTC) and steps from it."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from bot.citizens import course, registration
from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid, NotFound
from bot.db import jobs as job_db
from bot.db.appointments import create_appointment, upcoming_appointments
from bot.db.citizens import get_citizen, set_status
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from bot.db.migrate import alembic_config
from bot.db.models import AccessLog, Citizen
from bot.jobs import planner
from bot.jobs.purposes import CHECKIN_PROMPT, REMINDER
from bot.scheduler import handlers
from tests.conftest import T0

SETTINGS = ProactiveSettings()
MEETING = T0 + timedelta(days=3, hours=3)  # Thursday 2026-11-26 14:00 Copenhagen time


@pytest.fixture
def mette(db):
    return db.call(lambda s: create_coordinator(s, "Mette")[0].id)


@pytest.fixture
def bente(db, mette):
    """Registered at T0 with one meeting ahead (kind "andet": reminders only, no preparation)."""
    def make(session):
        citizen = registration.register(session, "Bente", "12345678", mette, T0)
        create_appointment(session, citizen.id, kind="andet", starts_at=MEETING, created_at=T0)
        return citizen.id

    return db.call(make)


def citizen_of(db, citizen_id) -> Citizen:
    return db.call(get_citizen, citizen_id)


def jobs_of(db, citizen_id) -> list[tuple[str, str, str | None]]:
    return sorted((j.purpose, j.status, j.note) for j in db.call(lambda s: job_db.list_jobs(s, citizen_id=citizen_id)))


def pending(db, citizen_id) -> list[str]:
    return sorted(purpose for purpose, status, _ in jobs_of(db, citizen_id) if status == "pending")


def plan_meeting(db, citizen_id, now):
    """What booking the meeting planned (its reminders), as of `now`."""
    def plan(session):
        [appointment] = upcoming_appointments(session, citizen_id, now)
        planner.plan_appointment(session, appointment, now, SETTINGS)

    db.call(plan)


def end_course(db, citizen_id, now):
    db.call(lambda s: registration.change(s, citizen_id, None, {"status": "inactive"}, now, SETTINGS))


def stop(db, citizen_id, now):
    db.call(lambda s: course.opt_out(s, get_citizen(s, citizen_id), now))


def start(db, citizen_id, now) -> bool:
    return db.call(lambda s: course.opt_in(s, get_citizen(s, citizen_id), now, SETTINGS))


# --- registering ----------------------------------------------------------------------------------

def test_registration_normalises_the_phone_and_records_consent_at_now(db, mette):
    # T0: registered with the defaults.
    citizen_id = db.call(lambda s: registration.register(s, "  Bente Hansen ", "12 34 56 78", mette, T0).id)
    citizen = citizen_of(db, citizen_id)
    assert (citizen.name, citizen.phone, citizen.status) == ("Bente Hansen", "+4512345678", "active")
    assert (citizen.checkin_interval_days, citizen.programme) == (7, "standard")
    assert citizen.consent_at == T0 and citizen.course_ended_at is None


def test_registration_by_an_actor_is_written_to_the_access_log(db, mette):
    # T0: registered from the dashboard by Mette.
    citizen_id = db.call(lambda s: registration.register(s, "Bente", "+4512345678", mette, T0,
                                                         checkin_interval_days=14, programme="fuld", actor=mette).id)
    rows = db.call(lambda s: [(r.coordinator_id, r.citizen_id, r.action, r.at)
                              for r in s.execute(sa.select(AccessLog)).scalars()])
    assert rows == [(mette, citizen_id, "register", T0)]
    assert (citizen_of(db, citizen_id).checkin_interval_days, citizen_of(db, citizen_id).programme) == (14, "fuld")


@pytest.mark.parametrize("fields, field, message", [
    ({"name": ""}, "name", "'name' is required and must be a non-empty string"),
    ({"name": None}, "name", "'name' is required"),
    ({"name": "x" * 201}, "name", "'name' must be at most 200 characters"),
    ({"phone": None}, "phone", "'phone' is required"),
    ({"phone": "123"}, "phone", "'phone' must be a Danish mobile number: 8 digits or +45 followed by 8 digits"),
    ({"phone": "+4599"}, "phone", "Danish mobile number"),
    ({"phone": "1" * 31}, "phone", "'phone' must be at most 30 characters"),
    ({"checkin_interval_days": 0}, "checkin_interval_days", "'checkin_interval_days' must be a whole number from 1 to 90"),
    ({"checkin_interval_days": 91}, "checkin_interval_days", "from 1 to 90"),
    ({"checkin_interval_days": "7"}, "checkin_interval_days", "from 1 to 90"),
    ({"checkin_interval_days": True}, "checkin_interval_days", "from 1 to 90"),
    ({"programme": "x"}, "programme", "'programme' must be one of: "),
    ({"programme": None}, "programme", "'programme' must be one of: "),
    ({"coordinator_id": 999}, "coordinator_id", "coordinator 999 does not exist"),
])
def test_registration_rules(db, mette, fields, field, message):
    # T0: each case breaks one rule; nothing is stored.
    values = {"name": "Bente", "phone": "12345678", "coordinator_id": mette, **fields}
    with pytest.raises(Invalid) as refused:
        db.call(lambda s: registration.register(
            s, values.pop("name"), values.pop("phone"), values.pop("coordinator_id"), T0, **values))
    assert refused.value.field == field and message in refused.value.message
    assert db.call(lambda s: s.execute(sa.select(sa.func.count(Citizen.id))).scalar_one()) == 0


def test_one_citizen_per_phone_number(db, mette):
    # T0: the number is registered; a second registration of it, written differently, is refused.
    db.call(lambda s: registration.register(s, "Bente", "+4512345678", mette, T0))
    with pytest.raises(registration.DuplicatePhone):
        db.call(lambda s: registration.register(s, "Bent", "12 34 56 78", mette, T0))


# --- changing ---------------------------------------------------------------------------------------

def test_interval_and_programme_change_and_the_actor_is_logged(db, mette, bente):
    # T0 + 1 day: Mette changes both.
    now = T0 + timedelta(days=1)
    citizen = db.call(lambda s: registration.change(s, bente, mette, {"checkin_interval_days": 14, "programme": "fuld"},
                                                    now, SETTINGS, actor=mette))
    assert (citizen.checkin_interval_days, citizen.programme, citizen.status) == (14, "fuld", "active")
    log = db.call(lambda s: [(r.action, r.at) for r in s.execute(sa.select(AccessLog)).scalars()])
    assert log == [("update", now)]


@pytest.mark.parametrize("changes, field, message", [
    ({"status": "opted_out"}, "status",
     "'status' must be active or inactive (the course ended); opted_out is the citizen's own STOP"),
    ({"status": "gone"}, "status", "'status' must be active or inactive"),
    ({"status": None}, "status", "'status' must be active or inactive"),
    ({"checkin_interval_days": 0}, "checkin_interval_days", "from 1 to 90"),
    ({"checkin_interval_days": "ti"}, "checkin_interval_days", "from 1 to 90"),
    ({"programme": "nope"}, "programme", "'programme' must be one of: "),
    ({"phone": "+4599"}, "phone", "Danish mobile number"),
    ({"name": "Bent"}, None, "cannot change name; allowed: status, end_reason, checkin_interval_days, programme, language, phone"),
])
def test_change_rules(db, mette, bente, changes, field, message):
    # T0 + 1 day: each change is refused and nothing changes.
    with pytest.raises(Invalid) as refused:
        db.call(lambda s: registration.change(s, bente, mette, changes, T0 + timedelta(days=1), SETTINGS))
    assert refused.value.field == field and message in refused.value.message
    assert citizen_of(db, bente).status == "active"


def test_another_coordinators_citizen_is_not_found(db, bente):
    # T0: Ole asks to change Mette's citizen.
    ole = db.call(lambda s: create_coordinator(s, "Ole")[0].id)
    with pytest.raises(NotFound):
        db.call(lambda s: registration.change(s, bente, ole, {"checkin_interval_days": 14}, T0, SETTINGS))


def test_ending_cancels_what_was_planned_and_resuming_plans_it_again(db, mette, bente):
    # T0: the meeting's reminders are planned; T0 + 1 h the course ends; T0 + 2 h it resumes.
    plan_meeting(db, bente, T0)
    assert pending(db, bente) == [REMINDER, REMINDER]
    end_course(db, bente, T0 + timedelta(hours=1))
    assert citizen_of(db, bente).status == "inactive"
    assert citizen_of(db, bente).course_ended_at == T0 + timedelta(hours=1)
    assert jobs_of(db, bente) == [(REMINDER, "cancelled", "course ended")] * 2
    db.call(lambda s: registration.change(s, bente, mette, {"status": "active"}, T0 + timedelta(hours=2), SETTINGS))
    assert citizen_of(db, bente).status == "active" and citizen_of(db, bente).course_ended_at is None
    assert pending(db, bente) == [REMINDER, REMINDER]


def test_a_status_change_after_stop_is_refused_and_nothing_changes(db, mette, bente):
    # T0: STOP; T0 + 1 h the coordinator tries to resume and change the interval in one go.
    stop(db, bente, T0)
    with pytest.raises(course.OptedOut):
        db.call(lambda s: registration.change(s, bente, mette, {"status": "active", "checkin_interval_days": 30},
                                              T0 + timedelta(hours=1), SETTINGS))
    citizen = citizen_of(db, bente)
    assert (citizen.status, citizen.checkin_interval_days) == ("opted_out", 7)


# --- STOP and START -------------------------------------------------------------------------------

def test_stop_keeps_the_plan_and_each_message_is_skipped_at_its_time(db, bente):
    # T0: reminders planned, STOP at T0 + 1 h; the day-before reminder comes due on 2026-11-25.
    plan_meeting(db, bente, T0)
    stop(db, bente, T0 + timedelta(hours=1))
    assert citizen_of(db, bente).status == "opted_out"
    assert pending(db, bente) == [REMINDER, REMINDER]
    due = T0 + timedelta(days=2)

    def deliver(session):
        [job] = job_db.claim_due(session, due, limit=1, lease=timedelta(minutes=5))
        return handlers.prepare(session, job, due, SETTINGS).note

    assert db.call(deliver) == "citizen opted_out"


def test_start_after_a_plain_stop_turns_messages_on_and_replans_the_meetings(db, bente):
    # T0: reminders planned; STOP at T0 + 1 h; on 2026-11-25 at 12:00 (after the day-before reminder
    # was skipped) START; only the reminder still ahead is planned.
    plan_meeting(db, bente, T0)
    stop(db, bente, T0 + timedelta(hours=1))
    db.call(lambda s: job_db.cancel_for_citizen(s, bente, note="lost while opted out"))
    assert pending(db, bente) == []
    now = T0 + timedelta(days=2, hours=2)
    assert start(db, bente, now) is True
    assert citizen_of(db, bente).status == "active"
    reminders = db.call(lambda s: [j.due_at for j in job_db.list_jobs(s, citizen_id=bente) if j.status == "pending"])
    assert reminders == [MEETING - timedelta(hours=2)]


def test_start_after_the_coordinator_ended_the_course_does_not_reopen_it(db, bente):
    # T0: reminders planned; T0 + 1 h the course ends; T0 + 2 h STOP; the scheduler's tick at
    # T0 + 3 h plans a check-in prompt for the opted-out citizen (skipped at its time); T0 + 4 h START.
    plan_meeting(db, bente, T0)
    end_course(db, bente, T0 + timedelta(hours=1))
    stop(db, bente, T0 + timedelta(hours=2))
    assert citizen_of(db, bente).status == "opted_out"
    db.call(lambda s: planner.plan_checkin_prompts(s, T0 + timedelta(hours=3), SETTINGS))
    assert pending(db, bente) == [CHECKIN_PROMPT]
    assert start(db, bente, T0 + timedelta(hours=4)) is False
    citizen = citizen_of(db, bente)
    assert citizen.status == "inactive" and citizen.course_ended_at == T0 + timedelta(hours=1)
    assert pending(db, bente) == []
    # The course stays the coordinator's: they can resume it now (T0 + 5 h).
    db.call(lambda s: registration.change(s, bente, None, {"status": "active"}, T0 + timedelta(hours=5), SETTINGS))
    assert citizen_of(db, bente).status == "active" and pending(db, bente) == [REMINDER, REMINDER]


def test_start_without_stop_changes_nothing(db, bente):
    # T0: START on a running course; T0 + 1 h the course ends; T0 + 2 h START again.
    assert start(db, bente, T0) is True and citizen_of(db, bente).status == "active"
    end_course(db, bente, T0 + timedelta(hours=1))
    assert start(db, bente, T0 + timedelta(hours=2)) is False
    assert citizen_of(db, bente).status == "inactive" and pending(db, bente) == []


def test_a_second_stop_changes_nothing(db, bente):
    # T0 + 1 h the course ends, T0 + 2 h STOP, T0 + 3 h STOP again, T0 + 4 h START.
    end_course(db, bente, T0 + timedelta(hours=1))
    stop(db, bente, T0 + timedelta(hours=2))
    stop(db, bente, T0 + timedelta(hours=3))
    assert citizen_of(db, bente).course_ended_at == T0 + timedelta(hours=1)
    assert start(db, bente, T0 + timedelta(hours=4)) is False


def test_a_course_ended_without_its_time_stays_ended_through_stop_and_start(db, bente):
    # Status written directly (as before migration 0008 dated it); STOP at T0, START at T0 + 1 h.
    db.call(set_status, bente, "inactive")
    stop(db, bente, T0)
    assert citizen_of(db, bente).course_ended_at == T0
    assert start(db, bente, T0 + timedelta(hours=1)) is False
    assert citizen_of(db, bente).status == "inactive"


# --- migration 0008 ---------------------------------------------------------------------------------

def test_migration_0008_dates_the_courses_that_had_ended(db_url):
    # Before 0008 an ended course had status "inactive" only; the migration dates it (now, at the
    # latest) and leaves running and opted-out courses alone.
    config = alembic_config(db_url)
    command.downgrade(config, ScriptDirectory.from_config(config).get_revision("0008").down_revision)
    database = Database(db_url)
    try:
        with database.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO coordinators (id, name, token_hash, created_at) "
                                 "VALUES (1, 'Mette', 'x', :t)"), {"t": T0.replace(tzinfo=None)})
            for n, status in enumerate(("active", "inactive", "opted_out"), start=1):
                conn.execute(sa.text("INSERT INTO citizens (id, name, phone, coordinator_id, checkin_interval_days, "
                                     "programme, status, created_at) VALUES (:id, 'B', :phone, 1, 7, 'standard', "
                                     ":status, :t)"),
                             {"id": n, "phone": f"+451234567{n}", "status": status, "t": T0.replace(tzinfo=None)})
        command.upgrade(config, "head")
        ended = database.call(lambda s: {c.status: c.course_ended_at is not None
                                         for c in s.execute(sa.select(Citizen)).scalars()})
        assert ended == {"active": False, "inactive": True, "opted_out": False}
    finally:
        database.dispose()
