"""The progress question about a goal (bot/goals/schedule.py, bot/scheduler/handlers.py): planned
GOAL_PROGRESS_DAYS after the goal was set, last answered or last asked, at GOAL_PROGRESS_AT local
time in summer and winter, never as a backlog, once however often it is planned; sent only while
the goal is active and the citizen gets messages."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.core.config import ConfigError, ProactiveSettings
from bot.core.vocabulary import JobStatus
from bot.db import jobs as job_db
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from bot.db.models import Job
from bot.goals import plan
from bot.goals.schedule import goal_target, plan_progress
from bot.jobs.purposes import CAN_WAIT, DELIVERED, GOAL_PROGRESS
from bot.scheduler import handlers

SETTINGS = ProactiveSettings()
CPH = ZoneInfo("Europe/Copenhagen")


def cph(*args) -> datetime:
    return datetime(*args, tzinfo=CPH).astimezone(timezone.utc)


WINTER = cph(2026, 10, 20, 15, 0)  # a goal set on a Tuesday afternoon; asked after the clocks go back
SUMMER = cph(2026, 3, 20, 15, 0)  # ... and one asked after they go forward


@pytest.fixture
def people(db):
    def create(session):
        mette, _ = create_coordinator(session, "Mette")
        bente = create_citizen(session, name="Bente", phone="+4512345678", coordinator_id=mette.id, consent_at=SUMMER)
        karen = create_citizen(session, name="Karen", phone="+4512345679", coordinator_id=mette.id, consent_at=SUMMER)
        return mette.id, bente, karen

    return db.call(create)


def goal(db, people, at: datetime, citizen=None, text="Jeg vil have et arbejde"):
    mette, bente, _ = people
    return db.call(plan.add_goal, (citizen or bente).id, mette, text, now=at)


def jobs_of(db, goal_) -> list[Job]:
    return db.call(lambda s: job_db.list_jobs(s, target=goal_target(goal_.id), purpose=GOAL_PROGRESS))


def tick(db, now):
    return db.call(lambda s: plan_progress(s, now, SETTINGS))


def prepare(db, job, now):
    return db.call(lambda s: handlers.prepare(s, s.get(Job, job.id), now, SETTINGS))


def finish(db, job, status=JobStatus.DONE):
    db.call(lambda s: s.execute(sa.update(Job).where(Job.id == job.id).values(status=status, sent_at=job.due_at)))


def test_settings_and_purpose():
    assert (SETTINGS.goal_progress_days, SETTINGS.goal_progress_at.isoformat()) == (14, "10:30:00")
    env = ProactiveSettings.from_env({"GOAL_PROGRESS_DAYS": "7", "GOAL_PROGRESS_AT": "09:15"})
    assert (env.goal_progress_days, env.goal_progress_at.isoformat()) == (7, "09:15:00")
    for bad in ({"GOAL_PROGRESS_DAYS": "0"}, {"GOAL_PROGRESS_DAYS": "ofte"}, {"GOAL_PROGRESS_AT": "halv elleve"}):
        with pytest.raises(ConfigError):
            ProactiveSettings.from_env(bad)
    # A question: it waits while another is open, and counts as one that is open.
    assert GOAL_PROGRESS in CAN_WAIT and GOAL_PROGRESS in DELIVERED


@pytest.mark.parametrize("created, due", [(WINTER, cph(2026, 11, 3, 10, 30)), (SUMMER, cph(2026, 4, 3, 10, 30))])
def test_first_asked_two_weeks_after_the_goal_was_set_at_half_past_ten_local(db, people, created, due):
    g = goal(db, people, created)
    [job] = tick(db, created + timedelta(minutes=1))
    assert (job.citizen_id, job.purpose, job.target, job.due_at) == (people[1].id, GOAL_PROGRESS, f"goal:{g.id}", due)
    assert job.next_attempt_at == due
    # 10:30 in Copenhagen is 09:30 UTC in winter and 08:30 UTC in summer.
    assert due.hour == (9 if created is WINTER else 8)


def test_planning_again_or_on_two_ticks_gives_one_job(db, people):
    g = goal(db, people, WINTER)
    first = tick(db, WINTER)
    assert tick(db, WINTER + timedelta(hours=1)) == []  # a pending question: nothing new
    assert [j.id for j in jobs_of(db, g)] == [first[0].id]


def test_two_schedulers_plan_each_question_once(db_url, people):
    if not db_url.startswith("postgresql"):
        pytest.skip("two schedulers at once is a PostgreSQL set-up")
    databases = [Database(db_url) for _ in range(2)]
    try:
        g = goal(databases[0], people, WINTER)
        with ThreadPoolExecutor(2) as pool:
            list(pool.map(lambda d: d.call(lambda s: plan_progress(s, WINTER, SETTINGS)), databases))
        assert len(jobs_of(databases[0], g)) == 1
    finally:
        for database in databases:
            database.dispose()


def test_the_next_question_counts_from_the_last_one_asked_or_answered(db, people):
    g = goal(db, people, WINTER)
    [first] = tick(db, WINTER)
    finish(db, first)
    [second] = tick(db, first.due_at + timedelta(minutes=5))
    assert second.due_at == cph(2026, 11, 17, 10, 30)
    # An answer given later than the last question moves the next one (a late reply, say).
    db.call(lambda s: s.execute(sa.update(Job).where(Job.id == second.id).values(status=JobStatus.CANCELLED)))
    db.call(lambda s: plan.record_progress(s, people[1], g.id, "lidt", cph(2026, 11, 5, 19, 0)))
    [third] = tick(db, cph(2026, 11, 6, 9, 0))
    assert third.due_at == cph(2026, 11, 19, 10, 30)


def test_a_question_that_is_late_goes_at_the_next_half_past_ten_never_as_a_backlog(db, people):
    g = goal(db, people, SUMMER)
    # The service was off for months: one question, at the next 10:30, not one per fortnight.
    [job] = tick(db, cph(2026, 9, 1, 9, 0))
    assert job.due_at == cph(2026, 9, 1, 10, 30)
    db.call(lambda s: s.execute(sa.delete(Job)))
    [job] = tick(db, cph(2026, 9, 1, 11, 0))
    assert job.due_at == cph(2026, 9, 2, 10, 30)
    assert len(jobs_of(db, g)) == 1


def test_each_active_goal_is_asked_about_and_reached_or_dropped_ones_are_not(db, people):
    mette, bente, karen = people
    work = goal(db, people, WINTER)
    sleep = goal(db, people, WINTER, text="Sove bedre")
    reached = goal(db, people, WINTER, text="Flytte")
    db.call(plan.change_goal, reached.id, mette, {"status": "reached"}, now=WINTER)
    other = goal(db, people, WINTER, citizen=karen)
    planned = tick(db, WINTER)
    assert sorted(j.target for j in planned) == sorted(goal_target(g.id) for g in (work, sleep, other))


def test_no_question_for_a_citizen_who_sent_stop_or_whose_course_ended(db, people):
    _, bente, karen = people
    goal(db, people, WINTER)
    goal(db, people, WINTER, citizen=karen)
    db.call(lambda s: s.execute(sa.text("UPDATE citizens SET status = 'opted_out' WHERE id = :i"), {"i": bente.id}))
    db.call(lambda s: s.execute(sa.text("UPDATE citizens SET course_ended_at = :t WHERE id = :i"),
                                {"t": WINTER, "i": karen.id}))
    assert tick(db, WINTER) == []


def test_the_question_is_sent_with_the_goal_and_skipped_once_the_goal_is_reached_or_dropped(db, people):
    mette, bente, _ = people
    g = goal(db, people, WINTER)
    [job] = tick(db, WINTER)
    decision = prepare(db, job, job.due_at)
    assert (decision.action, decision.sender, decision.intent, decision.entities) == (
        "send", bente.phone, "EXTERNAL_goal_progress", {"goal_id": g.id})
    for status in ("reached", "dropped"):
        db.call(plan.change_goal, g.id, mette, {"status": status}, now=WINTER)
        decision = prepare(db, job, job.due_at)
        assert (decision.action, decision.note) == ("skip", f"goal {status}")


def test_the_question_is_skipped_for_a_citizen_who_sent_stop_or_a_goal_of_someone_else(db, people):
    _, bente, karen = people
    g = goal(db, people, WINTER)
    [job] = tick(db, WINTER)
    # A job whose target is another citizen's goal (never planned so; the handler checks anyway).
    theirs = db.call(lambda s: job_db.schedule(s, citizen_id=karen.id, purpose=GOAL_PROGRESS, target=goal_target(g.id),
                                               due_at=job.due_at, next_attempt_at=job.due_at, now=WINTER))
    assert prepare(db, theirs, job.due_at).action == "skip"
    garbage = db.call(lambda s: job_db.schedule(s, citizen_id=bente.id, purpose=GOAL_PROGRESS, target="goal:x",
                                                due_at=job.due_at, next_attempt_at=job.due_at, now=WINTER))
    assert prepare(db, garbage, job.due_at).action == "skip"
    db.call(lambda s: s.execute(sa.text("UPDATE citizens SET status = 'opted_out' WHERE id = :i"), {"i": bente.id}))
    assert (prepare(db, job, job.due_at).action, prepare(db, job, job.due_at).note) == ("skip", "citizen opted_out")
