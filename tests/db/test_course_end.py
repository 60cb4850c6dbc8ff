"""Ending a course well (issue 14 §6; docs/decisions.md, "Ending a course"): the reason is stored, a
running round of outcome questions is set aside, a last WHO-5 is planned without a prompt of its
own, and one goodbye SMS goes out although the course has ended (but never after STOP). The
dashboard's report of ended courses: how long each ran and why. On SQLite and PostgreSQL."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.citizens import course, registration
from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid
from bot.core.vocabulary import JobStatus, QuestionnaireStatus
from bot.db import outcomes as outcome_db
from bot.db.citizens import get_citizen
from bot.db.coordinators import create_coordinator
from bot.db.models import Job, OutboxMessage
from bot.outcomes import record
from bot.sms import outbox
from tests.conftest import T0

SETTINGS = ProactiveSettings()
END = T0 + timedelta(days=40)


@pytest.fixture
def people(db):
    def make(session):
        mette = create_coordinator(session, "Mette")[0].id
        bente = registration.register(session, "Bente", "12345678", mette, T0).id
        karen = registration.register(session, "Karen", "12345679", mette, T0 + timedelta(days=10)).id
        return mette, bente, karen

    return db.call(make)


def end(db, citizen_id, scope, reason, at=END):
    return db.call(lambda s: registration.change(s, citizen_id, scope, {"status": "inactive", **(
        {"end_reason": reason} if reason else {})}, at, SETTINGS))


def messages(db, citizen_id):
    return db.call(lambda s: [(m.purpose, m.status, m.text) for m in s.execute(
        sa.select(OutboxMessage).where(OutboxMessage.citizen_id == citizen_id).order_by(OutboxMessage.id)).scalars()])


def test_ending_stores_the_reason_says_goodbye_and_offers_a_last_who5(db, people):
    mette, bente, _ = people
    running = db.call(lambda s: record.plan_rounds(s, T0 + timedelta(days=1), SETTINGS))
    end(db, bente, mette, "goals_reached")
    citizen = db.call(get_citizen, bente)
    assert (citizen.status, citizen.course_ended_at, citizen.course_end_reason) == ("inactive", END, "goals_reached")
    (purpose, status, text), = messages(db, bente)
    assert (purpose, status) == ("farewell", "queued")
    assert "Mette" in text and "SKEMA" in text
    rounds = db.call(lambda s: outcome_db.rounds(s, bente))
    assert [(r.reason, r.status, r.instruments) for r in rounds] == [
        ("baseline", QuestionnaireStatus.DECLINED.value, ["who5", "inspire_o", "experience"]),
        ("final", QuestionnaireStatus.PLANNED.value, ["who5"])]
    assert running  # the baseline that was planned is the one set aside
    # No job for the last round: nothing proactive after the end; SKEMA opens it and it asks no nudge.
    jobs = db.call(lambda s: s.execute(sa.select(Job).where(Job.citizen_id == bente)).scalars().all())
    assert all(j.status != JobStatus.PENDING for j in jobs)
    final = rounds[1]
    db.call(lambda s: record.begin(s, get_citizen(s, bente), None, now=END + timedelta(hours=1), settings=SETTINGS))
    assert db.call(lambda s: s.execute(sa.select(Job).where(Job.citizen_id == bente, Job.status == "pending"))
                   .scalars().all()) == []
    for item in range(5):
        db.call(lambda s, i=item: record.answer(s, get_citizen(s, bente), final.id, "who5", i, 4,
                                                now=END + timedelta(hours=1)))
    assert db.call(lambda s: outcome_db.measures(s, final.id)["who5"]).score == 80


def test_the_goodbye_goes_to_an_ended_course_but_is_held_after_stop(db, people):
    mette, bente, karen = people
    end(db, bente, mette, None)  # the API without a reason: "other"
    assert db.call(get_citizen, bente).course_end_reason == "other"
    end(db, karen, mette, "moved")
    db.call(lambda s: course.opt_out(s, get_citizen(s, karen), END + timedelta(minutes=1)))
    claimed = db.call(lambda s: outbox.claim_due(s, END + timedelta(minutes=2), limit=10))
    assert [m.citizen_id for m in claimed] == [bente]
    assert db.call(lambda s: outbox.sendable(s, [m.id for m in claimed], END + timedelta(minutes=2))) == {
        claimed[0].id}
    assert [(p, st) for p, st, _ in messages(db, karen)] == [("farewell", "suppressed")]


def test_a_reason_must_be_known_and_go_with_the_end(db, people):
    mette, bente, _ = people
    for changes in ({"status": "inactive", "end_reason": "bored"}, {"end_reason": "moved"},
                    {"status": "active", "end_reason": "moved"}, {"status": "inactive", "end_reason": ["moved"]}):
        with pytest.raises(Invalid):
            db.call(lambda s, c=changes: registration.change(s, bente, mette, c, END, SETTINGS))
    assert db.call(get_citizen, bente).status == "active"
    assert messages(db, bente) == []


def test_resuming_clears_the_reason_and_the_report_shows_duration_and_reason(db, people):
    mette, bente, karen = people
    end(db, bente, mette, "declined")
    end(db, karen, mette, "moved", at=END + timedelta(days=5))
    report = db.call(course.ended_courses, mette)
    assert [(r.citizen_id, r.days, r.reason) for r in report] == [(karen, 35, "moved"), (bente, 40, "declined")]
    assert db.call(course.ended_courses, mette + 999) == []
    db.call(lambda s: registration.change(s, bente, mette, {"status": "active"}, END + timedelta(days=6), SETTINGS))
    assert db.call(get_citizen, bente).course_end_reason is None
    assert [r.citizen_id for r in db.call(course.ended_courses, None)] == [karen]


def test_the_counts_per_reason_with_their_median_length():
    """Pure: every reason in CourseEndReason's order, also those no course ended for; a median is a
    whole number when it is one."""
    ended = [course.EndedCourse(1, "A", 90, "goals_reached"), course.EndedCourse(2, "B", 51, "goals_reached"),
             course.EndedCourse(3, "C", 22, "declined")]
    assert [(r.reason, r.count, r.median_days) for r in course.by_reason(ended)] == [
        ("goals_reached", 2, 70.5), ("moved", 0, None), ("declined", 1, 22), ("other", 0, None)]
    assert (course.median_days(ended), course.median_days([])) == (51, None)
    assert isinstance(course.median_days(ended[2:]), int)
