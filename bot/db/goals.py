"""Stored goals and their steps (bot/goals/). Every lookup by id is scoped: a goal or step is found
only for the citizen it belongs to, and (with `coordinator_id`) only in that coordinator's caseload."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.core.vocabulary import CitizenStatus, GoalStatus, JobStatus, PreparationStatus
from bot.db.models import Appointment, Citizen, Goal, GoalStep, Job, Preparation


def add_goal(session: Session, **values) -> Goal:
    goal = Goal(**values)
    session.add(goal)
    session.flush()
    return goal


def add_step(session: Session, **values) -> GoalStep:
    step = GoalStep(**values)
    session.add(step)
    session.flush()
    return step


def get_goal(session: Session, goal_id: int, *, coordinator_id: int | None = None,
             citizen_id: int | None = None) -> Goal | None:
    """`coordinator_id` limits to that coordinator's citizens, `citizen_id` to one citizen's goals."""
    query = sa.select(Goal).where(Goal.id == goal_id)
    if citizen_id is not None:
        query = query.where(Goal.citizen_id == citizen_id)
    if coordinator_id is not None:
        query = query.join(Citizen, Citizen.id == Goal.citizen_id).where(Citizen.coordinator_id == coordinator_id)
    return session.execute(query).scalar_one_or_none()


def get_step(session: Session, step_id: int, *, coordinator_id: int | None = None,
             citizen_id: int | None = None, goal_status: str | None = None) -> GoalStep | None:
    """`goal_status` limits to steps of a goal with that status (the citizen ticks active goals' only)."""
    query = sa.select(GoalStep).where(GoalStep.id == step_id)
    if goal_status is not None:
        query = query.join(Goal, Goal.id == GoalStep.goal_id).where(Goal.status == goal_status)
    if citizen_id is not None:
        query = query.where(GoalStep.citizen_id == citizen_id)
    if coordinator_id is not None:
        query = query.join(Citizen, Citizen.id == GoalStep.citizen_id).where(Citizen.coordinator_id == coordinator_id)
    return session.execute(query).scalar_one_or_none()


def goals_for(session: Session, citizen_id: int, statuses: tuple[str, ...] | None = None) -> list[Goal]:
    """The citizen's goals, oldest first (optionally only those with one of `statuses`)."""
    query = sa.select(Goal).where(Goal.citizen_id == citizen_id)
    if statuses is not None:
        query = query.where(Goal.status.in_(statuses))
    return list(session.execute(query.order_by(Goal.created_at, Goal.id)).scalars())


def steps_for(session: Session, goal_ids: list[int]) -> dict[int, list[GoalStep]]:
    """Each goal's steps: by due date (none last), then as added."""
    found: dict[int, list[GoalStep]] = {goal_id: [] for goal_id in goal_ids}
    if not goal_ids:
        return found
    rows = session.execute(sa.select(GoalStep).where(GoalStep.goal_id.in_(goal_ids)).order_by(
        GoalStep.due_date.is_(None), GoalStep.due_date, GoalStep.id)).scalars()
    for step in rows:
        found[step.goal_id].append(step)
    return found


def goals_to_ask(session: Session, purpose: str, target_prefix: str = "goal:") -> list[Goal]:
    """Active goals of active citizens whose course runs, with no pending or running job of
    `purpose` for the goal (target "goal:<id>"): those that need their next progress question."""
    target = sa.literal(target_prefix) + sa.cast(Goal.id, sa.String)
    has_open = sa.select(Job.id).where(Job.citizen_id == Goal.citizen_id, Job.purpose == purpose,
                                       Job.target == target,
                                       Job.status.in_((JobStatus.PENDING, JobStatus.RUNNING))).exists()
    return list(session.execute(
        sa.select(Goal).join(Citizen, Citizen.id == Goal.citizen_id)
        .where(Goal.status == GoalStatus.ACTIVE, Citizen.status == CitizenStatus.ACTIVE, Citizen.course_ended_at.is_(None),
               ~has_open)
        .order_by(Goal.citizen_id, Goal.id)).scalars())


def last_asked(session: Session, goals: list[Goal], purpose: str,
               target_prefix: str = "goal:") -> dict[int, datetime]:
    """Each goal's latest progress question that ran (sent, skipped or given up): its due time."""
    found: dict[int, datetime] = {}
    targets = {f"{target_prefix}{goal.id}": goal.id for goal in goals}
    items = list(targets)
    for start in range(0, len(items), 500):
        rows = session.execute(
            sa.select(Job.target, sa.func.max(Job.due_at))
            .where(Job.purpose == purpose, Job.target.in_(items[start:start + 500]),
                   Job.status.in_((JobStatus.DONE, JobStatus.SKIPPED, JobStatus.FAILED)))
            .group_by(Job.target)).all()
        found.update({targets[target]: due for target, due in rows})
    return found


def completed_preparations(session: Session, citizen_id: int,
                           meetings_since: datetime) -> list[tuple[Preparation, Appointment]]:
    """The citizen's completed meeting preparations, for meetings that start at or after
    `meetings_since`, the latest meeting first (bot/goals/proposals.py reads their wishes)."""
    return [(p, a) for p, a in session.execute(
        sa.select(Preparation, Appointment).join(Appointment, Appointment.id == Preparation.appointment_id)
        .where(Preparation.citizen_id == citizen_id, Appointment.citizen_id == citizen_id,
               Preparation.status == PreparationStatus.COMPLETED, Appointment.starts_at >= meetings_since)
        .order_by(Appointment.starts_at.desc(), Preparation.id.desc())).all()]


def completed_preparation(session: Session, preparation_id: int, citizen_id: int) -> Preparation | None:
    """One completed preparation, only if it is this citizen's."""
    return session.execute(sa.select(Preparation).where(
        Preparation.id == preparation_id, Preparation.citizen_id == citizen_id,
        Preparation.status == PreparationStatus.COMPLETED)).scalar_one_or_none()
