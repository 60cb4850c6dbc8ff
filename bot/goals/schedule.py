"""When the citizen is asked "Hvordan går det med dit mål: ...?" (JA / LIDT / NEJ): a `goal_progress`
job (target "goal:<id>") for each active goal of an active citizen whose course runs,
GOAL_PROGRESS_DAYS after the goal was set, last answered or last asked (the latest), at
GOAL_PROGRESS_AT local time. Like the outcome rounds, a time already past is never sent as a
backlog: it becomes the next GOAL_PROGRESS_AT from now. Planning is idempotent (the jobs' natural
key), so every tick and every scheduler plans the same row. docs/decisions.md, "Goals and the plan"."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.config import ProactiveSettings
from bot.db import goals as goal_db
from bot.db import jobs as job_db
from bot.db.models import Job
from bot.jobs import timing
from bot.jobs.purposes import GOAL_PROGRESS


def goal_target(goal_id: int) -> str:
    return f"goal:{goal_id}"


def progress_due(anchor: datetime, now: datetime, settings: ProactiveSettings) -> datetime:
    """GOAL_PROGRESS_DAYS after the anchor's local date at GOAL_PROGRESS_AT (DST-safe); if that has
    passed, the next GOAL_PROGRESS_AT from now."""
    at = settings.goal_progress_at
    due = timing.local_instant(timing.local_date(anchor, settings) + timedelta(days=settings.goal_progress_days),
                               at, settings)
    if due >= now:
        return due
    today = timing.local_instant(timing.local_date(now, settings), at, settings)
    return today if today >= now else timing.local_instant(timing.local_date(now, settings) + timedelta(days=1),
                                                           at, settings)


def plan_progress(session: Session, now: datetime, settings: ProactiveSettings) -> list[Job]:
    """Every scheduler tick: each active goal without a pending question gets its next one."""
    goals = goal_db.goals_to_ask(session, GOAL_PROGRESS)
    asked = goal_db.last_asked(session, goals, GOAL_PROGRESS)
    jobs = []
    for goal in goals:
        anchor = max(t for t in (goal.created_at, goal.last_progress_at, asked.get(goal.id)) if t is not None)
        due = progress_due(anchor, now, settings)
        jobs.append(job_db.schedule(session, citizen_id=goal.citizen_id, purpose=GOAL_PROGRESS,
                                    target=goal_target(goal.id), due_at=due,
                                    next_attempt_at=timing.next_window(due, settings), now=now))
    return jobs
