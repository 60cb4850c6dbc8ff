"""Outcome measures (docs/outcomes.md): scoring, the WHO-5 alerts with their threshold, planning the
baseline and the three-monthly rounds (once, also with two schedulers at once), a coordinator's
request, closing a round left unfinished, the scheduler's prompt and nudge, and erasure. On SQLite
and PostgreSQL, through the use cases in bot/outcomes/record.py, every time stated."""
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.core.alert_catalogue import Rule
from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid
from bot.core.vocabulary import JobStatus, QuestionnaireReason, QuestionnaireStatus
from bot.db import outcomes as outcome_db
from bot.db.alerts import add_alert, list_alerts
from bot.db.citizens import create_citizen, get_citizen
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from bot.db.models import Job, OutcomeMeasure, Questionnaire
from bot.db.privacy import citizen_records, erase_citizen
from bot.jobs.purposes import QUESTIONNAIRE_NUDGE, QUESTIONNAIRE_PROMPT
from bot.outcomes import instruments as ins
from bot.outcomes import record
from bot.scheduler import handlers

CPH = ZoneInfo("Europe/Copenhagen")
SETTINGS = ProactiveSettings()


def cph(*args) -> datetime:
    return datetime(*args, tzinfo=CPH).astimezone(timezone.utc)


# A Tuesday morning in Copenhagen: the course started the day before.
START = cph(2026, 11, 23, 9, 30)
MORNING = cph(2026, 11, 24, 9, 0)


@pytest.fixture
def people(db):
    def create(session):
        mette, _ = create_coordinator(session, "Mette")
        bente = create_citizen(session, name="Bente", phone="+4512345678", coordinator_id=mette.id, consent_at=START)
        karen = create_citizen(session, name="Karen", phone="+4512345679", coordinator_id=mette.id, consent_at=START)
        return mette, bente, karen

    return db.call(create)


def answer_all(db, citizen, questionnaire, values: dict[str, list[int]], at: datetime):
    alerts = []
    for code, items in values.items():
        for item, value in enumerate(items):
            _, raised = db.call(record.answer, citizen, questionnaire.id, code, item, value, now=at)
            alerts += raised
    return alerts


def requested(db, citizen, at, instrument="who5"):
    round_, _ = db.call(lambda s: record.request(s, citizen, instrument, requested_by=None, now=at, settings=SETTINGS))
    db.call(lambda s: record.begin(s, citizen, round_.id, now=at, settings=SETTINGS))
    return round_


def jobs_of(db, citizen, purpose):
    return db.call(lambda s: list(s.execute(sa.select(Job).where(Job.citizen_id == citizen.id, Job.purpose == purpose)
                                            .order_by(Job.due_at)).scalars()))


def test_scores():
    assert ins.WHO5.score([5, 5, 5, 5, 5]) == 100
    assert ins.WHO5.score([2, 2, 1, 1, 1]) == 28  # raw 7 x 4
    assert ins.WHO5.score([3, 3, 3, 3, None]) is None
    assert ins.INSPIRE_O.score([1, 1, 1, 1, 1]) == 0
    assert ins.INSPIRE_O.score([5, 4, 3, 2, 1]) == 50  # (15 - 5) x 5
    assert ins.EXPERIENCE.score([5, 5, 5]) is None  # reported item by item
    with pytest.raises(Invalid):
        ins.WHO5.check(6)
    with pytest.raises(Invalid):
        ins.INSPIRE_O.check(0)
    with pytest.raises(Invalid):
        ins.WHO5.check(True)


@pytest.mark.parametrize("text, expected", [("3", 3), ("3.", 3), (" 0 ", 0), ("jeg siger 4", 4), ("34", None),
                                            ("6", None), ("tre", None), ("", None)])
def test_parse_answer(text, expected):
    assert ins.parse_answer(text, ins.WHO5) == expected


def test_a_low_who5_alerts_with_its_threshold_and_a_good_one_does_not(db, people):
    _, bente, karen = people
    low = requested(db, bente, MORNING)
    alerts = answer_all(db, bente, low, {"who5": [1, 2, 1, 2, 1]}, MORNING + timedelta(minutes=5))
    assert [(a.rule, a.threshold, a.questionnaire_id) for a in alerts] == [(Rule.WHO5_LOW.value, 35, low.id)]
    assert "28" in alerts[0].reason and "0-35" in alerts[0].reason
    good = requested(db, karen, MORNING)
    assert answer_all(db, karen, good, {"who5": [4, 4, 3, 4, 4]}, MORNING + timedelta(minutes=5)) == []
    row = db.call(lambda s: outcome_db.measures(s, good.id)["who5"])
    assert (row.score, row.items, row.answered_at) == (76, [4, 4, 3, 4, 4], MORNING + timedelta(minutes=5))
    assert db.call(lambda s: s.get(Questionnaire, good.id)).status == QuestionnaireStatus.COMPLETE


def test_a_fall_of_ten_points_alerts_and_a_fall_of_eight_does_not(db, people):
    _, bente, _ = people
    first = requested(db, bente, MORNING)
    answer_all(db, bente, first, {"who5": [4, 4, 4, 3, 3]}, MORNING)  # 72
    second = requested(db, bente, MORNING + timedelta(days=30))
    alerts = answer_all(db, bente, second, {"who5": [3, 3, 3, 3, 3]}, MORNING + timedelta(days=30))  # 60
    assert [(a.rule, a.threshold) for a in alerts] == [(Rule.WHO5_DROP.value, 10)]
    assert "72" in alerts[0].reason and "60" in alerts[0].reason
    third = requested(db, bente, MORNING + timedelta(days=60))
    assert answer_all(db, bente, third, {"who5": [3, 3, 3, 2, 2]}, MORNING + timedelta(days=60)) == []  # 52: -8


def test_answers_are_kept_one_by_one_and_alerts_come_with_the_fifth(db, people):
    _, bente, _ = people
    round_ = requested(db, bente, MORNING)
    assert answer_all(db, bente, round_, {"who5": [0, 0, 0, 0]}, MORNING) == []
    row = db.call(lambda s: outcome_db.measures(s, round_.id)["who5"])
    assert row.items == [0, 0, 0, 0, None] and row.score is None
    step = db.call(lambda s: record.next_step(s, s.get(Questionnaire, round_.id)))
    assert (step.instrument.code, step.item, step.number, step.count) == ("who5", 4, 5, 5)
    _, alerts = db.call(lambda s: record.answer(s, bente, round_.id, "who5", 4, 0, now=MORNING))
    assert [a.rule for a in alerts] == [Rule.WHO5_LOW.value]
    # Once scored, a late repeat is refused: it would change the items but not the score.
    with pytest.raises(Invalid):
        db.call(lambda s: record.answer(s, bente, round_.id, "who5", 4, 5, now=MORNING))
    assert db.call(lambda s: outcome_db.measures(s, round_.id)["who5"]).items == [0, 0, 0, 0, 0]


def test_answers_are_refused_for_someone_elses_round_a_bad_value_or_a_round_not_asked(db, people):
    _, bente, karen = people
    round_ = requested(db, bente, MORNING)
    for call in (lambda s: record.answer(s, karen, round_.id, "who5", 0, 3, now=MORNING),  # Karen's id on Bente's
                 lambda s: record.answer(s, bente, round_.id, "who5", 0, 9, now=MORNING),
                 lambda s: record.answer(s, bente, round_.id, "who5", 5, 3, now=MORNING),
                 lambda s: record.answer(s, bente, round_.id, "inspire_o", 0, 3, now=MORNING),
                 lambda s: record.answer(s, bente, 10 ** 9, "who5", 0, 3, now=MORNING)):
        with pytest.raises(Invalid):
            db.call(call)
    assert db.call(lambda s: outcome_db.measures(s, round_.id)["who5"]).items == [None] * 5


def test_the_baseline_is_planned_in_the_first_week_then_every_three_months(db, people):
    _, bente, karen = people
    planned = db.call(lambda s: record.plan_rounds(s, MORNING, SETTINGS))
    assert {q.citizen_id for q in planned} == {bente.id, karen.id}
    baseline = next(q for q in planned if q.citizen_id == bente.id)
    assert (baseline.reason, baseline.round_no, baseline.instruments) == (
        QuestionnaireReason.BASELINE.value, 0, ["who5", "inspire_o", "experience"])
    assert baseline.due_at == cph(2026, 11, 24, 11, 0)  # the day after the start, at 11:00
    assert [j.due_at for j in jobs_of(db, bente, QUESTIONNAIRE_PROMPT)] == [baseline.due_at]
    # Planning again (the next tick, or another scheduler) adds nothing.
    assert db.call(lambda s: record.plan_rounds(s, MORNING + timedelta(minutes=1), SETTINGS)) == []
    # The baseline is answered; the next round is due 91 days after the baseline was due.
    db.call(lambda s: record.begin(s, bente, baseline.id, now=baseline.due_at, settings=SETTINGS))
    answer_all(db, bente, baseline, {"who5": [3] * 5, "inspire_o": [3] * 5, "experience": [4] * 3},
               baseline.due_at + timedelta(minutes=10))
    follow_up = db.call(lambda s: record.plan_rounds(s, baseline.due_at + timedelta(hours=1), SETTINGS))
    assert [(q.citizen_id, q.reason, q.round_no) for q in follow_up] == [(bente.id, "follow_up", 1)]
    assert follow_up[0].due_at == cph(2027, 2, 23, 11, 0)


def test_a_citizen_older_than_the_feature_gets_the_baseline_at_the_next_allowed_time(db, people):
    mette, _, _ = people
    old = db.call(lambda s: create_citizen(s, name="Ole", phone="+4512345600", coordinator_id=mette.id,
                                           consent_at=cph(2025, 1, 10, 12, 0)))
    evening = cph(2026, 11, 24, 18, 0)
    planned = db.call(lambda s: record.plan_rounds(s, evening, SETTINGS))
    assert next(q for q in planned if q.citizen_id == old.id).due_at == cph(2026, 11, 25, 11, 0)


def test_an_ended_course_or_a_stop_gets_no_new_round(db, people):
    _, bente, karen = people
    db.call(lambda s: s.execute(sa.text("UPDATE citizens SET status = 'opted_out' WHERE id = :i"), {"i": bente.id}))
    db.call(lambda s: s.execute(sa.text("UPDATE citizens SET course_ended_at = :t WHERE id = :i"),
                                {"t": MORNING, "i": karen.id}))
    assert db.call(lambda s: record.plan_rounds(s, MORNING, SETTINGS)) == []


def test_two_schedulers_plan_each_round_once(db_url, people):
    if not db_url.startswith("postgresql"):
        pytest.skip("two schedulers at once is a PostgreSQL set-up")
    databases = [Database(db_url) for _ in range(2)]
    try:
        with ThreadPoolExecutor(2) as pool:
            results = list(pool.map(lambda d: d.call(lambda s: record.plan_rounds(s, MORNING, SETTINGS)), databases))
        assert sorted(q.citizen_id for result in results for q in result) == sorted([people[1].id, people[2].id])
        rows = databases[0].call(lambda s: s.execute(sa.select(sa.func.count()).select_from(Questionnaire)).scalar())
        measures = databases[0].call(lambda s: s.execute(sa.select(sa.func.count()).select_from(OutcomeMeasure)).scalar())
        assert (rows, measures) == (2, 6)
    finally:
        for database in databases:
            database.dispose()


def test_a_request_is_sent_at_the_next_allowed_time_and_a_second_request_is_the_same_round(db, people):
    mette, bente, _ = people
    night = cph(2026, 11, 24, 23, 0)
    first, new = db.call(lambda s: record.request(s, bente, "who5", requested_by=mette.id, now=night, settings=SETTINGS))
    assert new and (first.reason, first.round_no, first.instruments, first.requested_by) == (
        "requested", None, ["who5"], mette.id)
    prompt, = jobs_of(db, bente, QUESTIONNAIRE_PROMPT)
    assert prompt.next_attempt_at == cph(2026, 11, 25, 8, 0)  # not at night
    again, new = db.call(lambda s: record.request(s, bente, "who5", requested_by=mette.id, now=night, settings=SETTINGS))
    assert (again.id, new) == (first.id, False)
    with pytest.raises(Invalid):
        db.call(lambda s: record.request(s, bente, "phq9", requested_by=mette.id, now=night, settings=SETTINGS))


def test_no_round_is_asked_for_a_citizen_who_sent_stop_or_whose_course_ended(db, people):
    mette, bente, karen = people
    db.call(lambda s: s.execute(sa.text("UPDATE citizens SET status = 'opted_out' WHERE id = :i"), {"i": bente.id}))
    db.call(lambda s: s.execute(sa.text("UPDATE citizens SET status = 'inactive' WHERE id = :i"), {"i": karen.id}))
    for citizen in (bente, karen):
        with pytest.raises(Invalid):
            db.call(lambda s, c=citizen: record.request(s, get_citizen(s, c.id), "who5", requested_by=mette.id, now=MORNING,
                                                        settings=SETTINGS))
    assert db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(Questionnaire)).scalar()) == 0


def test_a_request_moves_a_planned_round_forward_instead_of_asking_twice(db, people):
    mette, bente, _ = people
    baseline = next(q for q in db.call(lambda s: record.plan_rounds(s, MORNING, SETTINGS)) if q.citizen_id == bente.id)
    now = MORNING - timedelta(minutes=30)
    same, new = db.call(lambda s: record.request(s, bente, "who5", requested_by=mette.id, now=now, settings=SETTINGS))
    assert (same.id, new) == (baseline.id, False)
    pending = [j for j in jobs_of(db, bente, QUESTIONNAIRE_PROMPT) if j.status == JobStatus.PENDING]
    assert [j.due_at for j in pending] == [now]


def test_the_scheduler_sends_the_prompt_and_one_nudge_when_the_citizen_stops_halfway(db, people):
    _, bente, _ = people
    baseline = next(q for q in db.call(lambda s: record.plan_rounds(s, MORNING, SETTINGS)) if q.citizen_id == bente.id)
    prompt, = jobs_of(db, bente, QUESTIONNAIRE_PROMPT)
    decision = db.call(lambda s: handlers.prepare(s, s.get(Job, prompt.id), baseline.due_at, SETTINGS))
    assert (decision.action, decision.intent, decision.entities) == (
        "send", "EXTERNAL_questionnaire_prompt", {"questionnaire_id": baseline.id})
    asked = baseline.due_at
    db.call(lambda s: record.begin(s, bente, baseline.id, now=asked, settings=SETTINGS))
    answer_all(db, bente, baseline, {"who5": [3, 3]}, asked + timedelta(hours=2))
    nudge, = jobs_of(db, bente, QUESTIONNAIRE_NUDGE)
    assert nudge.due_at == asked + timedelta(hours=24)
    # Due, but the last answer was 22 hours ago: it waits for 24 hours after that answer.
    decision = db.call(lambda s: handlers.prepare(s, s.get(Job, nudge.id), nudge.due_at, SETTINGS))
    assert (decision.action, decision.until) == ("defer", asked + timedelta(hours=26))
    decision = db.call(lambda s: handlers.prepare(s, s.get(Job, nudge.id), asked + timedelta(hours=26), SETTINGS))
    assert (decision.action, decision.entities) == ("send", {"questionnaire_id": baseline.id})
    # Finished: the nudge has nothing to do.
    answer_all(db, bente, baseline, {"who5": [3] * 5, "inspire_o": [3] * 5, "experience": [3] * 3},
               asked + timedelta(hours=27))
    assert db.call(lambda s: s.get(Job, nudge.id)).status == JobStatus.CANCELLED


def test_declining_stops_the_round_and_keeps_what_was_answered(db, people):
    _, bente, _ = people
    round_ = requested(db, bente, MORNING)
    answer_all(db, bente, round_, {"who5": [2]}, MORNING)
    declined = db.call(lambda s: record.decline(s, bente, round_.id, now=MORNING + timedelta(minutes=1)))
    assert declined.status == QuestionnaireStatus.DECLINED
    assert db.call(lambda s: outcome_db.measures(s, round_.id)["who5"]).items == [2, None, None, None, None]
    assert {j.status for j in jobs_of(db, bente, QUESTIONNAIRE_NUDGE)} == {JobStatus.CANCELLED}
    with pytest.raises(Invalid):
        db.call(lambda s: record.answer(s, bente, round_.id, "who5", 1, 3, now=MORNING))


def test_a_round_left_unfinished_is_closed_as_partial_and_a_late_answer_still_counts(db, people):
    _, bente, _ = people
    round_ = requested(db, bente, MORNING)
    answer_all(db, bente, round_, {"who5": [1, 1, 1, 1]}, MORNING + timedelta(hours=1))
    assert db.call(lambda s: record.close_stale(s, MORNING + timedelta(days=14), SETTINGS)) == []
    closed = db.call(lambda s: record.close_stale(s, MORNING + timedelta(days=14, hours=1), SETTINGS))
    assert [q.id for q in closed] == [round_.id]
    assert db.call(lambda s: s.get(Questionnaire, round_.id)).status == QuestionnaireStatus.PARTIAL
    _, alerts = db.call(lambda s: record.answer(s, bente, round_.id, "who5", 4, 1, now=MORNING + timedelta(days=15)))
    assert [a.rule for a in alerts] == [Rule.WHO5_LOW.value]


def test_erasure_deletes_the_rounds_and_answers_and_the_export_shows_them(db, people):
    _, bente, karen = people
    round_ = requested(db, bente, MORNING)
    answer_all(db, bente, round_, {"who5": [1, 1, 1, 1, 1]}, MORNING)
    requested(db, karen, MORNING)
    records = db.call(lambda s: citizen_records(s, s.get(type(bente), bente.id)))
    assert len(records["questionnaires"]) == 1 and len(records["outcome_measures"]) == 1
    db.call(lambda s: erase_citizen(s, s.get(type(bente), bente.id), None, MORNING))
    left = db.call(lambda s: s.execute(sa.select(OutcomeMeasure.citizen_id)).scalars().all())
    assert left == [karen.id]
    assert db.call(lambda s: list_alerts(s, citizen_id=bente.id)) == []


def test_a_round_asked_for_keeps_the_planned_baseline_a_fortnight_away(db, people):
    mette, bente, _ = people
    requested(db, bente, MORNING)  # asked on Tuesday morning, before any round was planned
    planned = db.call(lambda s: record.plan_rounds(s, MORNING + timedelta(minutes=5), SETTINGS))
    assert planned == [next(q for q in planned if q.citizen_id != bente.id)]  # Bente has one open
    db.call(lambda s: record.decline(s, bente, outcome_db.current_round(s, bente.id).id, now=MORNING))
    baseline, = [q for q in db.call(lambda s: record.plan_rounds(s, MORNING + timedelta(minutes=10), SETTINGS))
                 if q.citizen_id == bente.id]
    assert baseline.due_at == cph(2026, 12, 8, 11, 0)  # 14 days after she was asked, not tomorrow


def test_no_questionnaire_nudge_after_crisis_language(db, people):
    _, bente, karen = people
    for citizen in (bente, karen):
        round_ = requested(db, citizen, MORNING)
        answer_all(db, citizen, round_, {"who5": [3]}, MORNING + timedelta(minutes=1))
    db.call(lambda s: add_alert(s, bente.id, rule=Rule.CRISIS_LANGUAGE, severity=Rule.CRISIS_LANGUAGE.severity,
                                reason="Krisesprog", created_at=MORNING + timedelta(minutes=2)))
    decisions = {}
    for citizen in (bente, karen):
        nudge, = jobs_of(db, citizen, QUESTIONNAIRE_NUDGE)
        decisions[citizen.name] = db.call(
            lambda s, n=nudge: handlers.prepare(s, s.get(Job, n.id), MORNING + timedelta(days=2), SETTINGS)).action
    assert decisions == {"Bente": "skip", "Karen": "send"}
