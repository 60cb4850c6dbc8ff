"""An answer counts the moment it is given (docs/decisions.md): the first answer opens a check-in and
raises its alerts at once, later answers complete the same row without raising a rule twice, one left
open gets one nudge and is closed as partial later. On SQLite and PostgreSQL, through the use cases
in bot/checkins/record.py and the scheduler's own handlers, every time stated."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.script import ScriptDirectory

from bot.checkins.record import close_stale, finish, record_answer, record_checkin
from bot.checkins.rules import CheckinAnswers
from bot.citizens.course import set_course
from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid
from bot.db import jobs as job_db
from bot.db.alerts import list_alerts
from bot.db.checkins import list_checkins
from bot.db.citizens import create_citizen, set_status
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from bot.db.migrate import alembic_config
from bot.db.models import CheckIn, Job
from bot.jobs import timing
from bot.jobs.purposes import CHECKIN_CLOSE, CHECKIN_OPEN_NUDGE
from bot.scheduler import handlers
from tests.db.conftest import sql_sent

CPH = ZoneInfo("Europe/Copenhagen")
SETTINGS = ProactiveSettings()
LEASE = timedelta(minutes=5)


def cph(*args) -> datetime:
    return datetime(*args, tzinfo=CPH).astimezone(timezone.utc)


# A Tuesday morning in Copenhagen, inside the daytime window.
MORNING = cph(2026, 11, 24, 10, 0)


@pytest.fixture
def people(db):
    def create(session):
        coordinator, _ = create_coordinator(session, "Mette")
        bente = create_citizen(session, name="Bente", phone="+4512345678", coordinator_id=coordinator.id,
                               consent_at=MORNING - timedelta(days=30))
        karen = create_citizen(session, name="Karen", phone="+4512345679", coordinator_id=coordinator.id,
                               consent_at=MORNING - timedelta(days=30))
        return bente, karen

    return db.call(create)


def answer(db, citizen, checkin_id, at, overall="red", **fields):
    note = fields.pop("note", None)
    return db.call(lambda s: record_answer(s, citizen, checkin_id, CheckinAnswers(overall, **fields), note=note,
                                           channel="sms", now=at, settings=SETTINGS))


def rows(db, citizen) -> list[CheckIn]:
    return db.call(list_checkins, citizen.id)


def rules(db, citizen) -> list[str]:
    return sorted(a.rule for a in db.call(lambda s: list_alerts(s, citizen_id=citizen.id)))


def jobs(db, citizen) -> dict[str, Job]:
    return {j.purpose: j for j in db.call(lambda s: job_db.list_jobs(s, citizen_id=citizen.id))
            if j.purpose in (CHECKIN_OPEN_NUDGE, CHECKIN_CLOSE)}


def run_job(db, purpose, now):
    """Claim the due job of this purpose and let the scheduler's handler decide, as the runner does.
    A citizen's jobs are claimed one at a time (bot/db/jobs.py claim_due): one of another purpose
    claimed first is put back a second later, and the claim is repeated."""
    for _ in range(10):
        claimed = db.call(job_db.claim_due, now, limit=10, lease=LEASE)
        mine = [j for j in claimed if j.purpose == purpose]
        for other in claimed:
            if other.purpose != purpose:
                db.call(job_db.mark_deferred, other, now + timedelta(seconds=1))
        if mine:
            [job] = mine
            return job, db.call(handlers.prepare, job, now, SETTINGS)
    raise AssertionError(f"no {purpose} job due at {now}")


# --- the first answer and the next ----------------------------------------------------------------

def test_the_colour_alone_is_an_open_check_in_with_its_alert_at_once(db, people):
    bente, _ = people
    checkin, alerts = answer(db, bente, None, MORNING)
    [row] = rows(db, bente)
    assert (row.id, row.status, row.overall, row.last_answer_at) == (checkin.id, "open", "red", MORNING)
    assert [(a.rule, a.checkin_id) for a in alerts] == [("overall_red", checkin.id)]
    planned = jobs(db, bente)
    assert planned[CHECKIN_OPEN_NUDGE].target == planned[CHECKIN_CLOSE].target == f"checkin:{checkin.id}"
    assert planned[CHECKIN_OPEN_NUDGE].next_attempt_at == MORNING + timedelta(hours=2)
    assert planned[CHECKIN_CLOSE].due_at == cph(2026, 11, 25, 0, 0)  # the end of that day in Copenhagen


def test_later_answers_complete_the_same_row_and_raise_each_rule_once(db, people):
    bente, _ = people
    checkin, _ = answer(db, bente, None, MORNING)
    _, again = answer(db, bente, checkin.id, MORNING + timedelta(minutes=1), focus_areas=["oekonomi"])
    assert again == []  # no second overall_red
    _, called = answer(db, bente, checkin.id, MORNING + timedelta(minutes=2), focus_areas=["oekonomi"],
                       wants_contact=True, note="Huslejen")
    assert [a.rule for a in called] == ["contact_request"]
    finished = db.call(lambda s: finish(s, bente, checkin.id, complete=True, now=MORNING + timedelta(minutes=2)))
    assert finished.id == checkin.id
    [row] = rows(db, bente)
    assert (row.status, row.focus_areas, row.wants_contact, row.note) == ("complete", ["oekonomi"], True, "Huslejen")
    assert row.last_answer_at == MORNING + timedelta(minutes=2)
    assert rules(db, bente) == ["contact_request", "overall_red"]
    # Finished: its nudge and its close are cancelled, not left to skip themselves.
    assert {p: j.status for p, j in jobs(db, bente).items()} == {CHECKIN_OPEN_NUDGE: "cancelled",
                                                                 CHECKIN_CLOSE: "cancelled"}


def test_a_stored_answer_is_not_lost_to_a_gap_in_the_next(db, people):
    bente, _ = people
    checkin, _ = answer(db, bente, None, MORNING, focus_areas=["krop"], wants_contact=True)
    answer(db, bente, checkin.id, MORNING + timedelta(minutes=1), overall=None, note="Ondt")
    [row] = rows(db, bente)
    assert (row.overall, row.focus_areas, row.wants_contact, row.note) == ("red", ["krop"], True, "Ondt")


def test_nothing_is_stored_before_the_colour(db, people):
    bente, _ = people
    with pytest.raises(Invalid):
        answer(db, bente, None, MORNING, overall=None, wants_contact=True)
    assert rows(db, bente) == [] and rules(db, bente) == []


def test_worsened_compares_with_the_check_in_before_not_with_itself(db, people):
    bente, _ = people
    db.call(lambda s: record_checkin(s, bente, CheckinAnswers("green"), note=None, complete=True, channel="sms",
                                     now=MORNING - timedelta(days=7)))
    checkin, alerts = answer(db, bente, None, MORNING)
    assert sorted(a.rule for a in alerts) == ["overall_red", "worsened"]
    assert "samlet grøn sidst, rød nu" in next(a.reason for a in alerts if a.rule == "worsened")
    _, again = answer(db, bente, checkin.id, MORNING + timedelta(minutes=1), focus_areas=["krop"])
    assert again == []
    # The next check-in compares with this red one, open or not: red again is no worsening.
    db.call(lambda s: finish(s, bente, checkin.id, complete=False, now=MORNING + timedelta(minutes=2)))
    _, next_alerts = answer(db, bente, None, MORNING + timedelta(days=7))
    assert [a.rule for a in next_alerts] == ["overall_red"]


def test_areas_answered_one_by_one_raise_area_red_once_and_worsened_when_known(db, people):
    bente, _ = people
    bente.programme = "fuld"  # the use cases read the programme from the citizen they are given
    db.call(lambda s: record_checkin(s, bente, CheckinAnswers("green", areas={"krop": "green", "humoer": "green"}),
                                     note=None, complete=True, channel="sms", now=MORNING - timedelta(days=7)))
    checkin, first = answer(db, bente, None, MORNING, overall="yellow", areas={"krop": "red"})
    assert [a.rule for a in first] == ["area_red"]
    _, second = answer(db, bente, checkin.id, MORNING + timedelta(minutes=1), overall="yellow",
                       areas={"krop": "red", "humoer": "yellow"})
    assert [a.rule for a in second] == ["worsened"]  # two areas worse than last time, now known
    assert rules(db, bente) == ["area_red", "worsened"]


PREVIOUS = "order by checkins.created_at desc"  # bot.db.checkins.latest_checkin_with_colour


def statements(db, work) -> list[str]:
    """The SQL `work` sends in its transaction, in order."""
    with sql_sent(db.engine) as sent:
        db.call(work)
    return sent


def test_only_a_colour_is_compared_with_the_check_in_before(db, people):
    """The worsening rule reads the check-in before when a colour changes, and the raised rules
    are read only when a rule fires: a focus area, the note or a "no" to the call reads neither
    (docs/performance.md, "Round 5"). A new check-in's nudge and close are inserted, not revived."""
    bente, _ = people
    db.call(lambda s: record_checkin(s, bente, CheckinAnswers("green"), note=None, complete=True, channel="sms",
                                     now=MORNING - timedelta(days=7)))
    opened: list[CheckIn] = []
    first = statements(db, lambda s: opened.append(record_answer(
        s, bente, None, CheckinAnswers("yellow"), note=None, channel="sms", now=MORNING, settings=SETTINGS)[0]))
    assert sum(PREVIOUS in q for q in first) == 1
    assert not any(q.startswith("update jobs") for q in first)
    assert not any("from alerts" in q for q in first)  # yellow after green: no rule fires
    later = statements(db, lambda s: record_answer(
        s, bente, opened[0].id, CheckinAnswers("yellow", focus_areas=["krop"], wants_contact=False), note="træt",
        channel="sms", now=MORNING + timedelta(minutes=1), settings=SETTINGS))
    assert not any(PREVIOUS in q for q in later), later
    assert not any("from alerts" in q for q in later), later
    # A red answer later in the same check-in is a colour: compared, and its rules read and raised.
    red = statements(db, lambda s: record_answer(
        s, bente, opened[0].id, CheckinAnswers("red"), note=None, channel="sms",
        now=MORNING + timedelta(minutes=2), settings=SETTINGS))
    assert any(PREVIOUS in q for q in red)
    assert any("from alerts" in q for q in red)
    assert rules(db, bente) == ["overall_red", "worsened"]


# --- whose check-in ---------------------------------------------------------------------------------

def test_another_citizens_check_in_id_is_never_touched(db, people):
    bente, karen = people
    karens, _ = answer(db, karen, None, MORNING, overall="green")
    mine, _ = answer(db, bente, karens.id, MORNING + timedelta(minutes=1), overall="red")
    assert mine.id != karens.id and mine.citizen_id == bente.id
    [karen_row] = rows(db, karen)
    assert (karen_row.overall, karen_row.status) == ("green", "open")
    assert db.call(lambda s: finish(s, bente, karens.id, complete=True, now=MORNING)) is None
    assert rows(db, karen)[0].status == "open"
    assert rules(db, karen) == []


def test_an_answer_after_a_complete_check_in_opens_a_new_one(db, people):
    bente, _ = people
    first, _ = answer(db, bente, None, MORNING, overall="green")
    db.call(lambda s: finish(s, bente, first.id, complete=True, now=MORNING))
    second, _ = answer(db, bente, first.id, MORNING + timedelta(hours=1), overall="yellow")
    assert second.id != first.id
    assert [(r.overall, r.status) for r in rows(db, bente)] == [("yellow", "open"), ("green", "complete")]


def test_a_new_check_in_sets_an_older_open_one_aside_as_partial(db, people):
    bente, _ = people
    first, _ = answer(db, bente, None, MORNING, overall="yellow")
    answer(db, bente, None, MORNING + timedelta(minutes=5), overall="green")
    assert [(r.overall, r.status) for r in rows(db, bente)] == [("green", "open"), ("yellow", "partial")]
    old = [j for j in db.call(lambda s: job_db.list_jobs(s, target=f"checkin:{first.id}"))]
    assert {j.status for j in old} == {"cancelled"}


def test_a_partial_check_in_finished_later_becomes_complete_and_a_complete_one_stays_complete(db, people):
    bente, _ = people
    checkin, _ = answer(db, bente, None, MORNING)
    db.call(lambda s: finish(s, bente, checkin.id, complete=False, now=MORNING))
    assert rows(db, bente)[0].status == "partial"
    _, alerts = answer(db, bente, checkin.id, MORNING + timedelta(days=1), focus_areas=["krop"])
    assert alerts == [] and rows(db, bente)[0].status == "partial"
    db.call(lambda s: finish(s, bente, checkin.id, complete=True, now=MORNING + timedelta(days=1)))
    db.call(lambda s: finish(s, bente, checkin.id, complete=False, now=MORNING + timedelta(days=1)))
    [row] = rows(db, bente)
    assert (row.status, row.focus_areas) == ("complete", ["krop"])
    assert rules(db, bente) == ["overall_red"]


# --- left open: one nudge, then closed as partial ---------------------------------------------------

@pytest.mark.parametrize("last_answer, nudge, close", [
    (cph(2026, 11, 24, 10, 0), cph(2026, 11, 24, 12, 0), cph(2026, 11, 25, 0, 0)),
    # Nudge in quiet hours: the next morning at 08:00, closed two hours after that.
    (cph(2026, 11, 24, 19, 0), cph(2026, 11, 25, 8, 0), cph(2026, 11, 25, 10, 0)),
    (cph(2026, 11, 24, 23, 30), cph(2026, 11, 25, 8, 0), cph(2026, 11, 25, 10, 0)),
    (cph(2026, 11, 24, 17, 30), cph(2026, 11, 24, 19, 30), cph(2026, 11, 25, 0, 0)),
    # The night summer time ends (2026-10-25): midnight is still local midnight.
    (cph(2026, 10, 24, 12, 0), cph(2026, 10, 24, 14, 0), cph(2026, 10, 25, 0, 0)),
])
def test_nudge_and_close_times(last_answer, nudge, close):
    assert timing.open_checkin_nudge_time(last_answer, SETTINGS) == nudge
    assert timing.open_checkin_close_time(last_answer, SETTINGS) == close


def test_the_times_are_settings():
    settings = ProactiveSettings.from_env({"CHECKIN_OPEN_NUDGE_HOURS": "1", "CHECKIN_OPEN_CLOSE_HOURS": "20"})
    assert timing.open_checkin_nudge_time(MORNING, settings) == MORNING + timedelta(hours=1)
    assert timing.open_checkin_close_time(MORNING, settings) == MORNING + timedelta(hours=21)


def test_one_nudge_after_the_last_answer_then_closed_as_partial(db, people):
    bente, _ = people
    checkin, _ = answer(db, bente, None, MORNING)
    # The next answer, 90 minutes later, moves the nudge: at its first time it waits.
    answer(db, bente, checkin.id, MORNING + timedelta(minutes=90), focus_areas=["humoer"])
    job, decision = run_job(db, CHECKIN_OPEN_NUDGE, MORNING + timedelta(hours=2))
    assert (decision.action, decision.until) == ("defer", MORNING + timedelta(hours=3, minutes=30))
    db.call(job_db.mark_deferred, job, decision.until)
    job, decision = run_job(db, CHECKIN_OPEN_NUDGE, MORNING + timedelta(hours=3, minutes=30))
    assert (decision.action, decision.intent, decision.sender) == ("send", "EXTERNAL_checkin_open_nudge", bente.phone)
    db.call(job_db.mark_done, job, MORNING + timedelta(hours=3, minutes=30))
    # Nothing more is due before midnight; at midnight the close job closes it.
    assert db.call(job_db.claim_due, cph(2026, 11, 24, 23, 59), limit=10, lease=LEASE) == []
    _, decision = run_job(db, CHECKIN_CLOSE, cph(2026, 11, 25, 0, 0))
    assert (decision.action, decision.note) == ("done", "closed as partial")
    [row] = rows(db, bente)
    assert (row.status, row.overall, row.focus_areas) == ("partial", "red", ["humoer"])
    assert [j.status for j in db.call(lambda s: job_db.list_jobs(s, citizen_id=bente.id))
            if j.purpose == CHECKIN_OPEN_NUDGE] == ["done"]


def test_a_close_job_of_a_check_in_answered_since_plans_the_later_close(db, people):
    bente, _ = people
    checkin, _ = answer(db, bente, None, cph(2026, 11, 24, 17, 30))
    # 19:00 answer: the nudge moves to 08:00 tomorrow, so the close moves to 10:00 tomorrow.
    answer(db, bente, checkin.id, cph(2026, 11, 24, 19, 0), focus_areas=["krop"])
    _, decision = run_job(db, CHECKIN_CLOSE, cph(2026, 11, 25, 0, 0))
    assert decision.action == "skip" and rows(db, bente)[0].status == "open"
    closes = [j for j in db.call(lambda s: job_db.list_jobs(s, citizen_id=bente.id)) if j.purpose == CHECKIN_CLOSE]
    assert [(j.due_at, j.status) for j in closes] == [(cph(2026, 11, 25, 0, 0), "skipped"),
                                                      (cph(2026, 11, 25, 10, 0), "pending")]
    _, decision = run_job(db, CHECKIN_OPEN_NUDGE, cph(2026, 11, 25, 8, 0))
    assert decision.action == "send"


def test_a_finished_check_in_gets_no_nudge_and_no_close(db, people):
    bente, _ = people
    checkin, _ = answer(db, bente, None, MORNING)
    db.call(lambda s: finish(s, bente, checkin.id, complete=False, now=MORNING))
    # Even a job that escaped the cancelling (already claimed) skips itself.
    job = db.call(lambda s: job_db.schedule(s, citizen_id=bente.id, purpose=CHECKIN_OPEN_NUDGE,
                                            target=f"checkin:{checkin.id}", due_at=MORNING + timedelta(hours=5),
                                            next_attempt_at=MORNING + timedelta(hours=5), now=MORNING))
    _, decision = run_job(db, CHECKIN_OPEN_NUDGE, MORNING + timedelta(hours=5))
    assert job.status == "pending" and (decision.action, decision.note) == ("skip", "check-in finished")


def test_a_check_in_is_closed_also_when_the_citizen_opted_out(db, people):
    bente, _ = people
    answer(db, bente, None, MORNING)
    db.call(set_status, bente.id, "opted_out")
    _, decision = run_job(db, CHECKIN_OPEN_NUDGE, MORNING + timedelta(hours=2))
    assert (decision.action, decision.note) == ("skip", "citizen opted_out")
    _, decision = run_job(db, CHECKIN_CLOSE, cph(2026, 11, 25, 0, 0))
    assert decision.action == "done" and rows(db, bente)[0].status == "partial"


def test_a_check_in_open_when_the_course_ends_is_still_closed_on_time(db, people):
    bente, _ = people
    answer(db, bente, None, MORNING)
    db.call(lambda s: set_course(s, bente, "inactive", MORNING + timedelta(minutes=5), SETTINGS))
    assert {p: j.status for p, j in jobs(db, bente).items()} == {CHECKIN_OPEN_NUDGE: "cancelled",
                                                                  CHECKIN_CLOSE: "pending"}
    _, decision = run_job(db, CHECKIN_CLOSE, cph(2026, 11, 25, 0, 0))
    assert decision.action == "done" and rows(db, bente)[0].status == "partial"


def test_close_stale_closes_only_the_due_and_only_the_named_citizens(db, people):
    bente, karen = people
    answer(db, bente, None, MORNING)
    answer(db, karen, None, MORNING + timedelta(hours=20), overall="yellow")
    assert db.call(close_stale, cph(2026, 11, 24, 23, 59), SETTINGS) == []
    assert [c.citizen_id for c in db.call(close_stale, cph(2026, 11, 25, 0, 0), SETTINGS, [karen.id])] == []
    closed = db.call(lambda s: [c.citizen_id for c in close_stale(s, cph(2026, 11, 25, 0, 0), SETTINGS)])
    assert closed == [bente.id]
    assert [r.status for r in rows(db, bente)] == ["partial"] and [r.status for r in rows(db, karen)] == ["open"]


# --- migration 0009 ---------------------------------------------------------------------------------

def test_migration_0009_turns_complete_into_a_status_and_back(db_url):
    config = alembic_config(db_url)
    command.downgrade(config, "0008")
    database = Database(db_url)
    naive = MORNING.replace(tzinfo=None)
    try:
        with database.engine.begin() as conn:
            conn.execute(sa.text("INSERT INTO coordinators (id, name, token_hash, created_at) VALUES (1, 'M', 'x', :t)"),
                         {"t": naive})
            conn.execute(sa.text("INSERT INTO citizens (id, name, phone, coordinator_id, checkin_interval_days, "
                                 "programme, status, created_at) VALUES (1, 'B', '+4512345678', 1, 7, 'standard', "
                                 "'active', :t)"), {"t": naive})
            for n, complete in ((1, True), (2, False)):
                conn.execute(sa.text("INSERT INTO checkins (id, citizen_id, overall, areas, focus_areas, channel, "
                                     "complete, created_at) VALUES (:id, 1, 'red', '{}', '[]', 'sms', :c, :t)"),
                             {"id": n, "c": complete, "t": naive})
        command.upgrade(config, "head")
        found = database.call(lambda s: [(c.id, c.status, c.last_answer_at == c.created_at) for c in
                                         s.execute(sa.select(CheckIn).order_by(CheckIn.id)).scalars()])
        assert found == [(1, "complete", True), (2, "partial", True)]
        database.call(lambda s: setattr(s.get(CheckIn, 2), "status", "open"))
        command.downgrade(config, ScriptDirectory.from_config(config).get_revision("0009").down_revision)
        with database.engine.connect() as conn:
            back = [(r[0], bool(r[1])) for r in conn.execute(sa.text("SELECT id, complete FROM checkins ORDER BY id"))]
        assert back == [(1, True), (2, False)]  # an open one was never finished
        command.upgrade(config, "head")
    finally:
        database.dispose()
