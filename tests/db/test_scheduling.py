"""Scheduling rules on SQLite and PostgreSQL: due times in Copenhagen time across DST, quiet hours,
idempotent planning, exclusive claims (two workers at once), leases, and skip decisions."""
import threading
import time
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.appointments.attendance import record_citizen_reply
from bot.core.config import ProactiveSettings
from bot.db import jobs as job_db
from bot.db.appointments import create_appointment
from bot.db.citizens import create_citizen, set_status
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from bot.db.messages import log_inbound
from bot.db.models import Appointment, Job
from bot.jobs import planner, timing
from bot.jobs.purposes import CAN_WAIT, CHECKIN_PROMPT, REMINDER
from bot.scheduler import handlers

CPH = ZoneInfo("Europe/Copenhagen")
SETTINGS = ProactiveSettings()
LEASE = timedelta(minutes=5)


def cph(*args) -> datetime:
    return datetime(*args, tzinfo=CPH).astimezone(timezone.utc)


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def make_citizen(session, phone="+4512345678", created=utc(2026, 10, 1, 9)):
    coordinator, _ = create_coordinator(session, "Mette")
    return create_citizen(session, name="Bente", phone=phone, coordinator_id=coordinator.id, consent_at=created)


def make_appointment(session, citizen, starts_at, **fields):
    # "andet": no preparation invitation, so only reminder jobs are planned here
    return create_appointment(session, citizen.id, kind="andet", starts_at=starts_at, created_at=starts_at,
                              **fields)


# --- time -------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "due, expected",
    [
        (cph(2026, 11, 24, 22, 0), cph(2026, 11, 25, 8, 0)),
        (cph(2026, 11, 24, 7, 59), cph(2026, 11, 24, 8, 0)),
        (cph(2026, 11, 24, 8, 0), cph(2026, 11, 24, 8, 0)),
        (cph(2026, 11, 24, 19, 59), cph(2026, 11, 24, 19, 59)),
        (cph(2026, 11, 24, 20, 0), cph(2026, 11, 25, 8, 0)),
        # DST ends in the night to 2026-10-25: 22:00 CEST is 20:00 UTC, 08:00 CET is 07:00 UTC.
        (cph(2026, 10, 24, 22, 0), utc(2026, 10, 25, 7, 0)),
        # DST starts in the night to 2027-03-28: 22:00 CET is 21:00 UTC, 08:00 CEST is 06:00 UTC.
        (cph(2027, 3, 27, 22, 0), utc(2027, 3, 28, 6, 0)),
        # 00:30 UTC on the change night is 01:30 local, still quiet.
        (utc(2027, 3, 28, 0, 30), utc(2027, 3, 28, 6, 0)),
    ],
)
def test_quiet_hours_move_a_job_to_eight_in_the_morning_copenhagen_time(due, expected):
    assert timing.next_window(due, SETTINGS) == expected


def test_quiet_hours_are_configurable():
    late = ProactiveSettings.from_env({"QUIET_HOURS_END": "09:30", "QUIET_HOURS_START": "18:00"})
    assert timing.next_window(cph(2026, 11, 24, 18, 0), late) == cph(2026, 11, 25, 9, 30)
    assert timing.next_window(cph(2026, 11, 24, 17, 59), late) == cph(2026, 11, 24, 17, 59)


def test_reminders_are_at_ten_the_day_before_and_two_hours_before_across_dst():
    # Sunday 2026-10-25 10:00 CET; the day before is still summer time.
    assert timing.reminder_times(cph(2026, 10, 25, 10, 0), SETTINGS) == [utc(2026, 10, 24, 8, 0),
                                                                          utc(2026, 10, 25, 7, 0)]
    assert timing.reminder_times(cph(2027, 3, 28, 10, 0), SETTINGS) == [utc(2027, 3, 27, 9, 0),
                                                                         utc(2027, 3, 28, 6, 0)]


def test_backoff_doubles_and_is_capped():
    assert [timing.backoff(n, SETTINGS).total_seconds() for n in (1, 2, 3, 7, 8, 20)] == [
        60, 120, 240, 3600, 3600, 3600]


def test_next_checkin_prompt_skips_backlog_deterministically():
    anchor = cph(2026, 11, 2, 15, 0)
    today = timing.local_date(cph(2026, 11, 5, 12), SETTINGS)
    assert timing.next_checkin_prompt(anchor, 7, today, SETTINGS) == cph(2026, 11, 9, 10, 0)
    # The service was off for weeks: one prompt today (not a backlog), the same on every scheduler.
    late = timing.local_date(cph(2026, 12, 1, 15), SETTINGS)
    assert timing.next_checkin_prompt(anchor, 7, late, SETTINGS) == cph(2026, 12, 7, 10, 0)
    assert timing.next_checkin_prompt(anchor, 7, timing.local_date(cph(2026, 11, 30, 9), SETTINGS),
                                      SETTINGS) == cph(2026, 11, 30, 10, 0)


# --- rows -------------------------------------------------------------------------------------

def test_a_job_due_at_22_is_claimed_at_8_next_morning_across_dst(db):
    citizen = db.call(make_citizen)
    due = cph(2026, 10, 24, 22, 0)
    db.call(lambda s: job_db.schedule(s, citizen_id=citizen.id, purpose="missed_followup", target="appointment:1",
                                      due_at=due, next_attempt_at=timing.next_window(due, SETTINGS), now=due))
    for now in (due, cph(2026, 10, 25, 2, 30), cph(2026, 10, 25, 7, 59)):
        assert db.call(job_db.claim_due, now, limit=10, lease=LEASE) == []
    [job] = db.call(job_db.claim_due, cph(2026, 10, 25, 8, 0), limit=10, lease=LEASE)
    assert job.due_at == due and job.attempts == 1 and job.status == "running"


def test_planning_twice_gives_one_row_and_sent_jobs_never_come_back(db):
    citizen = db.call(make_citizen)
    appointment = db.call(lambda s: make_appointment(s, citizen, cph(2026, 11, 26, 10)))
    now = cph(2026, 11, 23, 12)

    def plan(session):
        return planner.plan_appointment(session, session.get(Appointment, appointment.id), now, SETTINGS)

    first = {j.id for j in db.call(plan)}
    assert len(first) == 2 and {j.id for j in db.call(plan)} == first
    assert len(db.call(job_db.list_jobs, citizen_id=citizen.id)) == 2
    [claimed] = db.call(job_db.claim_due, cph(2026, 11, 25, 10), limit=10, lease=LEASE)
    assert db.call(job_db.mark_done, claimed, cph(2026, 11, 25, 10))
    db.call(plan)
    statuses = sorted(j.status for j in db.call(job_db.list_jobs, citizen_id=citizen.id))
    assert statuses == ["done", "pending"]


def test_a_cancelled_job_planned_again_comes_back_as_the_same_row(db):
    """bot.db.jobs.schedule: a new key is inserted (and needs no revival); a cancelled one planned
    again is the same row, pending once more, its note gone."""
    citizen = db.call(make_citizen)
    due, now = cph(2026, 11, 25, 10), cph(2026, 11, 23, 12)
    target = job_db.appointment_target(7)

    def plan(session) -> Job:
        return job_db.schedule(session, citizen_id=citizen.id, purpose=REMINDER, target=target, due_at=due,
                               next_attempt_at=due, now=now)

    first = db.call(plan)
    assert first.status == "pending"
    assert db.call(job_db.cancel_open, target, None, "appointment changed") == 1
    [cancelled] = db.call(job_db.list_jobs, citizen_id=citizen.id)
    assert (cancelled.status, cancelled.note) == ("cancelled", "appointment changed")
    again = db.call(plan)
    assert (again.id, again.status, again.note, again.attempts) == (first.id, "pending", None, 0)
    assert len(db.call(job_db.list_jobs, citizen_id=citizen.id)) == 1


def test_moving_an_appointment_cancels_its_old_reminders(db):
    citizen = db.call(make_citizen)
    appointment = db.call(lambda s: make_appointment(s, citizen, cph(2026, 11, 26, 10)))
    now = cph(2026, 11, 23, 12)

    def move(session, starts_at):
        a = session.get(Appointment, appointment.id)
        a.starts_at = starts_at
        session.flush()
        return planner.plan_appointment(session, a, now, SETTINGS)

    db.call(move, cph(2026, 11, 26, 10))
    db.call(move, cph(2026, 11, 30, 14))
    pending = [j.due_at for j in db.call(job_db.list_jobs, citizen_id=citizen.id) if j.status == "pending"]
    assert pending == [cph(2026, 11, 29, 10), cph(2026, 11, 30, 12)]
    # Nothing is due at the old reminder times any more.
    assert db.call(job_db.claim_due, cph(2026, 11, 25, 10, 5), limit=10, lease=LEASE) == []


def test_a_reminder_claimed_before_the_move_is_skipped_as_stale(db):
    citizen = db.call(make_citizen)
    appointment = db.call(lambda s: make_appointment(s, citizen, cph(2026, 11, 26, 10)))
    db.call(lambda s: planner.plan_appointment(s, s.get(Appointment, appointment.id), cph(2026, 11, 23), SETTINGS))
    [job] = db.call(job_db.claim_due, cph(2026, 11, 25, 10), limit=1, lease=LEASE)

    def move(session):  # moved while the job was being sent
        a = session.get(Appointment, appointment.id)
        a.starts_at = cph(2026, 12, 3, 10)
        planner.plan_appointment(session, a, cph(2026, 11, 25, 10), SETTINGS)

    db.call(move)
    decision = db.call(handlers.prepare, job, cph(2026, 11, 25, 10), SETTINGS)
    assert decision.action == "skip" and decision.note == "appointment moved"
    assert db.call(lambda s: s.get(Job, job.id).status) == "skipped"


def test_opted_out_citizens_get_nothing_and_it_is_recorded(db):
    citizen = db.call(make_citizen)
    appointment = db.call(lambda s: make_appointment(s, citizen, cph(2026, 11, 26, 10)))
    db.call(lambda s: planner.plan_appointment(s, s.get(Appointment, appointment.id), cph(2026, 11, 23), SETTINGS))
    db.call(set_status, citizen.id, "opted_out")
    [job] = db.call(job_db.claim_due, cph(2026, 11, 25, 10), limit=1, lease=LEASE)
    decision = db.call(handlers.prepare, job, cph(2026, 11, 25, 10), SETTINGS)
    assert decision.action == "skip"
    row = db.call(lambda s: s.get(Job, job.id))
    assert row.status == "skipped" and row.note == "citizen opted_out"


def test_no_two_hour_reminder_after_kan_ikke(db):
    citizen = db.call(make_citizen)
    appointment = db.call(lambda s: make_appointment(s, citizen, cph(2026, 11, 26, 10)))
    db.call(lambda s: planner.plan_appointment(s, s.get(Appointment, appointment.id), cph(2026, 11, 23), SETTINGS))
    db.call(lambda s: record_citizen_reply(s, s.get(Appointment, appointment.id), "cannot_come",
                                           cph(2026, 11, 25, 11), SETTINGS))
    [job] = db.call(job_db.claim_due, cph(2026, 11, 26, 8), limit=5, lease=LEASE)[-1:]
    decision = db.call(handlers.prepare, job, cph(2026, 11, 26, 8), SETTINGS)
    assert (decision.action, decision.note) == ("skip", "citizen cannot come")


def test_a_running_job_whose_worker_died_is_claimed_again_and_the_old_claim_cannot_finish(db):
    citizen = db.call(make_citizen)
    due = cph(2026, 11, 24, 10)
    db.call(lambda s: job_db.schedule(s, citizen_id=citizen.id, purpose=CHECKIN_PROMPT, due_at=due,
                                      next_attempt_at=due, now=due))
    [first] = db.call(job_db.claim_due, due, limit=1, lease=LEASE)
    assert db.call(job_db.claim_due, due + timedelta(minutes=4), limit=1, lease=LEASE) == []
    [second] = db.call(job_db.claim_due, due + timedelta(minutes=6), limit=1, lease=LEASE)
    assert second.id == first.id and second.attempts == 2
    assert not db.call(job_db.mark_done, first, due)
    assert db.call(job_db.mark_done, second, due)


def test_check_in_prompts_are_planned_once_per_citizen(db):
    citizen = db.call(make_citizen)
    now = cph(2026, 10, 2, 12)
    [job] = db.call(planner.plan_checkin_prompts, now, SETTINGS)
    assert job.due_at == cph(2026, 10, 8, 10) and job.purpose == CHECKIN_PROMPT
    assert db.call(planner.plan_checkin_prompts, now, SETTINGS) == []
    db.call(set_status, citizen.id, "inactive")
    assert len(db.call(job_db.list_jobs, citizen_id=citizen.id)) == 1


def test_two_workers_claiming_at_once_never_share_a_job(db):
    """Real concurrency: two threads, each with its own engine and sessions, claim in a loop."""
    now = cph(2026, 11, 24, 10)

    def plan(session):
        for i in range(40):
            citizen = make_citizen(session, phone=f"+45200000{i:02d}")
            job_db.schedule(session, citizen_id=citizen.id, purpose=REMINDER, target=f"appointment:{i}",
                            due_at=now, next_attempt_at=now, now=now)

    db.call(plan)
    claimed: dict[str, list[int]] = {"a": [], "b": []}
    start = threading.Barrier(2)

    def worker(name):
        database = Database(db.url)
        start.wait()
        while True:
            jobs = database.call(job_db.claim_due, now, limit=3, lease=LEASE)
            if not jobs:
                break
            claimed[name].extend(j.id for j in jobs)
            time.sleep(0.02)  # "sending": the other worker claims meanwhile
        database.dispose()

    threads = [threading.Thread(target=worker, args=(n,)) for n in claimed]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not set(claimed["a"]) & set(claimed["b"])
    assert len(claimed["a"]) + len(claimed["b"]) == 40
    assert claimed["a"] and claimed["b"], "both workers should have had a share"


def test_an_unanswered_reminder_alerts_when_the_coordinator_asked_for_it(db):
    citizen = db.call(make_citizen)
    appointment = db.call(lambda s: make_appointment(s, citizen, cph(2026, 11, 26, 10), notify_if_unanswered=True))
    db.call(lambda s: planner.plan_appointment(s, s.get(Appointment, appointment.id), cph(2026, 11, 23), SETTINGS))
    [day_before] = db.call(job_db.claim_due, cph(2026, 11, 25, 10), limit=5, lease=LEASE)
    assert db.call(job_db.mark_done, day_before, cph(2026, 11, 25, 10))
    # One job of a citizen at a time (bot/db/jobs.py claim_due): the 2-hour reminder, then the check.
    [reminder] = db.call(job_db.claim_due, cph(2026, 11, 26, 8), limit=5, lease=LEASE)
    assert reminder.purpose == REMINDER and db.call(job_db.mark_done, reminder, cph(2026, 11, 26, 8))
    [check] = db.call(job_db.claim_due, cph(2026, 11, 26, 8), limit=5, lease=LEASE)
    assert check.purpose == "appointment_unanswered"
    decision = db.call(handlers.prepare, check, cph(2026, 11, 26, 8), SETTINGS)
    assert decision.action == "done"
    from bot.db.alerts import list_alerts

    [alert] = db.call(lambda s: list_alerts(s, citizen_id=citizen.id))
    assert (alert.rule, alert.severity) == ("appointment_unanswered", "medium")
    assert "torsdag 26. november kl. 10" in alert.reason


def test_a_nudge_is_skipped_when_the_citizen_checked_in(db):
    from bot.db.checkins import add_checkin

    citizen = db.call(make_citizen)
    sent = cph(2026, 10, 8, 10)
    prompt = db.call(lambda s: job_db.schedule(s, citizen_id=citizen.id, purpose=CHECKIN_PROMPT, due_at=sent,
                                               next_attempt_at=sent, now=sent))
    [prompt] = db.call(job_db.claim_due, sent, limit=1, lease=LEASE)
    db.call(job_db.mark_done, prompt, sent)
    nudge = db.call(lambda s: planner.plan_checkin_nudge(s, s.get(Job, prompt.id), SETTINGS))
    assert nudge.due_at == sent + timedelta(hours=24)
    db.call(lambda s: add_checkin(s, citizen.id, created_at=sent + timedelta(hours=3), overall="green"))
    [claimed] = db.call(job_db.claim_due, nudge.due_at, limit=1, lease=LEASE)
    decision = db.call(handlers.prepare, claimed, nudge.due_at, SETTINGS)
    assert (decision.action, decision.note) == ("skip", "citizen checked in")


@pytest.mark.parametrize("env, message", [
    ({"QUIET_HOURS_END": "8"}, "QUIET_HOURS_END must be a time of day"),
    ({"QUIET_HOURS_END": "21:00"}, "must be before QUIET_HOURS_START"),
    ({"REMINDER_HOURS_BEFORE": "two"}, "REMINDER_HOURS_BEFORE must be a number"),
    ({"JOB_MAX_ATTEMPTS": "0"}, "JOB_MAX_ATTEMPTS must be at least 1"),
    ({"PROACTIVE_TIMEZONE": "Mars/Olympus"}, "IANA time zone"),
    ({"UNANSWERED_SMS_SECONDS": "60"}, "longer than Rasa's TICKET_LOCK_LIFETIME"),
    ({"UNANSWERED_SMS_SECONDS": "30", "TICKET_LOCK_LIFETIME": "30"}, "longer than Rasa's TICKET_LOCK_LIFETIME"),
])
def test_bad_timing_settings_are_refused_with_a_clear_message(env, message):
    from bot.core.config import ConfigError

    with pytest.raises(ConfigError, match=message):
        ProactiveSettings.from_env(env)


# --- one question at a time ---------------------------------------------------------------------

def _reminder_and_prompt_due_together(db, at):
    """The day-before reminder and the weekly check-in prompt, both at 10:00 (the defaults)."""
    citizen = db.call(make_citizen)
    appointment = db.call(lambda s: make_appointment(s, citizen, at + timedelta(days=1)))
    db.call(lambda s: planner.plan_appointment(s, s.get(Appointment, appointment.id), at - timedelta(days=3),
                                               SETTINGS))
    db.call(lambda s: job_db.schedule(s, citizen_id=citizen.id, purpose=CHECKIN_PROMPT, due_at=at,
                                      next_attempt_at=at, now=at - timedelta(days=3)))
    # One job of a citizen at a time, the reminder first; the prompt once the reminder is out.
    [reminder] = db.call(job_db.claim_due, at, limit=10, lease=LEASE, later=CAN_WAIT)
    assert reminder.purpose == REMINDER
    assert db.call(handlers.prepare, reminder, at, SETTINGS).action == "send"
    assert db.call(job_db.mark_done, reminder, at)
    [prompt] = db.call(job_db.claim_due, at, limit=10, lease=LEASE, later=CAN_WAIT)
    assert prompt.purpose == CHECKIN_PROMPT
    return citizen, prompt


def test_a_check_in_prompt_waits_while_the_reminder_is_unanswered(db):
    at = cph(2026, 11, 25, 10)
    _, prompt = _reminder_and_prompt_due_together(db, at)
    decision = db.call(handlers.prepare, prompt, at, SETTINGS)
    assert (decision.action, decision.until) == ("defer", at + timedelta(hours=3))
    # Three hours later, still no answer: it goes (the citizen may never answer).
    assert db.call(handlers.prepare, prompt, at + timedelta(hours=3), SETTINGS).action == "send"


def test_a_check_in_prompt_goes_once_the_citizen_has_answered(db):
    at = cph(2026, 11, 25, 10)
    citizen, prompt = _reminder_and_prompt_due_together(db, at)
    db.call(log_inbound, citizen.id, channel="sms", text="ja", received_at=at + timedelta(minutes=5))
    assert db.call(handlers.prepare, prompt, at + timedelta(minutes=6), SETTINGS).action == "send"


def test_a_reminder_never_waits_for_an_open_question(db):
    at = cph(2026, 11, 25, 10)
    citizen = db.call(make_citizen)
    prompt = db.call(lambda s: job_db.schedule(s, citizen_id=citizen.id, purpose=CHECKIN_PROMPT, due_at=at,
                                               next_attempt_at=at, now=at))
    [claimed] = db.call(job_db.claim_due, at, limit=1, lease=LEASE)
    assert claimed.id == prompt.id and db.call(job_db.mark_done, claimed, at)
    appointment = db.call(lambda s: make_appointment(s, citizen, at + timedelta(hours=2, minutes=30)))
    db.call(lambda s: planner.plan_appointment(s, s.get(Appointment, appointment.id), at, SETTINGS))
    [reminder] = db.call(job_db.claim_due, at + timedelta(minutes=30), limit=5, lease=LEASE, later=CAN_WAIT)
    assert reminder.purpose == REMINDER
    assert db.call(handlers.prepare, reminder, at + timedelta(minutes=30), SETTINGS).action == "send"


def test_question_wait_is_configurable():
    assert ProactiveSettings.from_env({"QUESTION_WAIT_HOURS": "1.5"}).question_wait_hours == 1.5


def test_a_citizen_whose_course_ended_gets_no_check_in_prompt(db):
    citizen = db.call(make_citizen)
    db.call(set_status, citizen.id, "inactive")
    assert db.call(planner.plan_checkin_prompts, cph(2026, 11, 24, 9), SETTINGS) == []
    db.call(set_status, citizen.id, "active")
    [job] = db.call(planner.plan_checkin_prompts, cph(2026, 11, 24, 9), SETTINGS)
    assert job.citizen_id == citizen.id
