"""Goals and the plan (issue 14 §1): the use cases in bot/goals/plan.py on SQLite and PostgreSQL,
scoped to the coordinator's own citizens and the citizen's own goals, the citizen's JA/LIDT/NEJ
(record_progress, for the SMS question a Rasa action will ask), and export/erasure."""
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from bot.core.errors import Invalid, NotFound
from bot.db.models import Goal, GoalStep
from bot.db.privacy import citizen_records, erase_citizen
from bot.goals import plan
from tests.conftest import T0


def test_a_goal_with_steps_is_listed_with_its_steps_in_order(db, caseloads):
    mette, bente = caseloads["mette"], caseloads["bente"]
    goal = db.call(plan.add_goal, bente.id, mette, "  Jeg vil  have et arbejde ", now=T0)
    assert (goal.text, goal.source, goal.status, goal.created_by, goal.created_at) == (
        "Jeg vil have et arbejde", "coordinator", "active", mette, T0)
    late = db.call(plan.add_step, goal.id, mette, "Ring til jobcentret", "Du", "2026-12-10", now=T0)
    undated = db.call(plan.add_step, goal.id, mette, "Find et kursus", "Jobcentret", None, now=T0)
    early = db.call(plan.add_step, goal.id, mette, "Skriv CV", "Mette", date(2026, 12, 1), now=T0)
    plans = db.call(plan.plan_for, bente.id, mette)
    assert [p.goal.id for p in plans] == [goal.id]
    assert [s.id for s in plans[0].steps] == [early.id, late.id, undated.id]
    assert (late.owner, late.due_date, late.done_at) == ("Du", date(2026, 12, 10), None)
    # The admin (scope None) sees it too; the goal from preparation keeps its source.
    db.call(plan.add_goal, bente.id, None, "Sove bedre", now=T0 + timedelta(hours=1), source="preparation")
    assert [(p.goal.text, p.goal.source) for p in db.call(plan.plan_for, bente.id, None)] == [
        ("Jeg vil have et arbejde", "coordinator"), ("Sove bedre", "preparation")]


@pytest.mark.parametrize("text", ["", "   ", None, 7, "x" * 301, "a\x00b", ["mål"]])
def test_a_goal_or_step_without_proper_words_is_refused(db, caseloads, text):
    mette, bente = caseloads["mette"], caseloads["bente"]
    with pytest.raises(Invalid) as refused:
        db.call(plan.add_goal, bente.id, mette, text, now=T0)
    assert refused.value.field == "text"
    goal = db.call(plan.add_goal, bente.id, mette, "Et mål", now=T0)
    with pytest.raises(Invalid):
        db.call(plan.add_step, goal.id, mette, text, "Du", None, now=T0)
    assert db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(GoalStep)).scalar_one()) == 0


@pytest.mark.parametrize("owner, due, field", [("x" * 101, None, "owner"), (5, None, "owner"),
                                               ("Du", "tomorrow", "due_date"), ("Du", "2026-13-01", "due_date"),
                                               ("Du", 20261201, "due_date"), ("Du", True, "due_date")])
def test_a_step_with_a_bad_owner_or_date_is_refused(db, caseloads, owner, due, field):
    goal = db.call(plan.add_goal, caseloads["bente"].id, caseloads["mette"], "Et mål", now=T0)
    with pytest.raises(Invalid) as refused:
        db.call(plan.add_step, goal.id, caseloads["mette"], "Et trin", owner, due, now=T0)
    assert refused.value.field == field


def test_another_coordinators_citizen_goal_or_step_is_not_found(db, caseloads):
    mette, ole, bente = caseloads["mette"], caseloads["ole"], caseloads["bente"]
    goal = db.call(plan.add_goal, bente.id, mette, "Et mål", now=T0)
    step = db.call(plan.add_step, goal.id, mette, "Et trin", "Du", None, now=T0)
    for call in (lambda s: plan.add_goal(s, bente.id, ole, "Ole's", now=T0),
                 lambda s: plan.plan_for(s, bente.id, ole),
                 lambda s: plan.change_goal(s, goal.id, ole, {"status": "dropped"}, now=T0),
                 lambda s: plan.add_step(s, goal.id, ole, "x", "Du", None, now=T0),
                 lambda s: plan.tick_step(s, step.id, done=True, now=T0, scope=ole),
                 lambda s: plan.add_goal(s, 999999, mette, "x", now=T0),
                 lambda s: plan.change_goal(s, 999999, mette, {"text": "x"}, now=T0),
                 lambda s: plan.tick_step(s, 999999, done=True, now=T0, scope=mette)):
        with pytest.raises(NotFound):
            db.call(call)
    # Another citizen (Karen) cannot tick Bente's step, nor answer about Bente's goal.
    with pytest.raises(NotFound):
        db.call(plan.tick_step, step.id, done=True, now=T0, citizen=caseloads["karen"])
    with pytest.raises(NotFound):
        db.call(plan.record_progress, caseloads["karen"], goal.id, "ja", T0)
    with db.session() as s:
        assert s.get(Goal, goal.id).status == "active" and s.get(Goal, goal.id).last_progress is None
        assert s.get(GoalStep, step.id).done_at is None


def test_changing_a_goal_reaching_dropping_and_reopening(db, caseloads):
    mette, bente = caseloads["mette"], caseloads["bente"]
    goal = db.call(plan.add_goal, bente.id, mette, "Et mål", now=T0)
    changed = db.call(plan.change_goal, goal.id, mette, {"text": "Mit eget mål"}, now=T0)
    assert (changed.text, changed.status) == ("Mit eget mål", "active")
    reached = db.call(plan.change_goal, goal.id, mette, {"status": "reached"}, now=T0 + timedelta(days=3))
    assert (reached.status, reached.reached_at) == ("reached", T0 + timedelta(days=3))
    with pytest.raises(Invalid) as refused:
        db.call(plan.add_step, goal.id, mette, "Et trin", "Du", None, now=T0)
    assert refused.value.field == "goal"
    reopened = db.call(plan.change_goal, goal.id, mette, {"status": "active"}, now=T0 + timedelta(days=4))
    assert (reopened.status, reopened.reached_at) == ("active", None)
    for changes in ({}, {"status": "done"}, {"text": ""}, {"colour": "red"}, {"status": None}, "reached"):
        with pytest.raises(Invalid):
            db.call(plan.change_goal, goal.id, mette, changes, now=T0)
    assert [p.goal.status for p in db.call(plan.plan_for, bente.id, mette, ("active",))] == ["active"]


def test_steps_are_ticked_and_unticked_by_either_side(db, caseloads):
    mette, bente = caseloads["mette"], caseloads["bente"]
    goal = db.call(plan.add_goal, bente.id, mette, "Et mål", now=T0)
    step = db.call(plan.add_step, goal.id, mette, "Et trin", "Du", None, now=T0)
    by_citizen = db.call(plan.tick_step, step.id, done=True, now=T0 + timedelta(hours=1), citizen=bente)
    assert (by_citizen.done_at, by_citizen.done_by) == (T0 + timedelta(hours=1), "citizen")
    again = db.call(plan.tick_step, step.id, done=True, now=T0 + timedelta(hours=2), scope=mette)
    assert (again.done_at, again.done_by) == (T0 + timedelta(hours=1), "citizen")  # when it was done is kept
    undone = db.call(plan.tick_step, step.id, done=False, now=T0 + timedelta(hours=3), scope=mette)
    assert (undone.done_at, undone.done_by) == (None, None)
    by_coordinator = db.call(plan.tick_step, step.id, done=True, now=T0 + timedelta(hours=4), scope=mette)
    assert (by_coordinator.done_at, by_coordinator.done_by) == (T0 + timedelta(hours=4), "coordinator")
    for done in ("yes", 1, None, "true"):
        with pytest.raises(Invalid):
            db.call(plan.tick_step, step.id, done=done, now=T0, scope=mette)


def test_record_progress_stores_the_citizens_latest_answer(db, caseloads):
    mette, bente = caseloads["mette"], caseloads["bente"]
    goal = db.call(plan.add_goal, bente.id, mette, "Et mål", now=T0)
    first = db.call(plan.record_progress, bente, goal.id, " NEJ ", T0 + timedelta(days=14))
    assert (first.last_progress, first.last_progress_at) == ("nej", T0 + timedelta(days=14))
    second = db.call(plan.record_progress, bente, goal.id, "Lidt", T0 + timedelta(days=28))
    assert (second.last_progress, second.last_progress_at) == ("lidt", T0 + timedelta(days=28))
    for answer in ("måske", "", None, 1, "ja!"):
        with pytest.raises(Invalid):
            db.call(plan.record_progress, bente, goal.id, answer, T0 + timedelta(days=30))
    with pytest.raises(NotFound):
        db.call(plan.record_progress, bente, 999999, "ja", T0)
    with db.session() as s:
        assert s.get(Goal, goal.id).last_progress == "lidt"  # the refused answers changed nothing


def test_goals_and_steps_are_exported_and_erased_with_the_citizen(db, caseloads):
    mette, bente, karen = caseloads["mette"], caseloads["bente"], caseloads["karen"]
    goal = db.call(plan.add_goal, bente.id, mette, "Bentes mål", now=T0)
    db.call(plan.add_step, goal.id, mette, "Bentes trin", "Du", None, now=T0)
    kept = db.call(plan.add_goal, karen.id, mette, "Karens mål", now=T0)
    db.call(plan.add_step, kept.id, mette, "Karens trin", "Du", None, now=T0)
    with db.session() as s:
        records = citizen_records(s, bente)
        assert [g.text for g in records["goals"]] == ["Bentes mål"]
        assert [g.text for g in records["goal_steps"]] == ["Bentes trin"]
    erasure = db.call(lambda s: erase_citizen(s, s.merge(bente), mette, T0 + timedelta(days=1)))
    assert (erasure.rows["goals"], erasure.rows["goal_steps"]) == (1, 1)
    with db.session() as s:
        assert [g.text for g in s.execute(sa.select(Goal)).scalars()] == ["Karens mål"]
        assert [g.text for g in s.execute(sa.select(GoalStep)).scalars()] == ["Karens trin"]
