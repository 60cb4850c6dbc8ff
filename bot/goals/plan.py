"""The use cases of goals and the plan. Each takes the caller's `scope` (a coordinator's id; None
for the admin) or the citizen themselves, and refuses with Invalid (bad input) or NotFound (no such
goal or step, or not the caller's: the API answers 404 for both). docs/decisions.md, "Goals and the plan"."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.orm import Session

from bot.core.errors import Invalid, NotFound
from bot.core.vocabulary import GoalStatus
from bot.db import citizens as citizen_db
from bot.db import goals as goal_db
from bot.db.models import GOAL_PROGRESS, GOAL_SOURCES, GOAL_STATUSES, Citizen, Goal, GoalStep

MAX_TEXT = 300
MAX_OWNER = 100
CITIZEN_OWNER = "Du"  # a step the citizen does themselves
ACTIVE, REACHED = GoalStatus.ACTIVE, GoalStatus.REACHED
BY_CITIZEN, BY_COORDINATOR = "citizen", "coordinator"


@dataclass(frozen=True)
class GoalPlan:
    goal: Goal
    steps: list[GoalStep]


def _text(value, field: str = "text", max_len: int = MAX_TEXT) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"'{field}' is required and must be a non-empty string", field)
    if "\x00" in value:
        raise Invalid(f"'{field}' must not contain NUL characters", field)
    value = " ".join(value.split())  # one line: it is shown in lists and read in an SMS
    if len(value) > max_len:
        raise Invalid(f"'{field}' must be at most {max_len} characters", field)
    return value


def _due_date(value) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        raise Invalid("'due_date' must be a date, YYYY-MM-DD", "due_date")
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise Invalid("'due_date' must be a date, YYYY-MM-DD", "due_date")


def _citizen(session: Session, citizen_id: int, scope: int | None) -> Citizen:
    citizen = citizen_db.get_citizen(session, citizen_id, scope)
    if citizen is None:
        raise NotFound("citizen not found")
    return citizen


def find_goal(session: Session, goal_id: int, scope: int | None) -> Goal:
    """The goal, if the caller may see its citizen (else NotFound)."""
    goal = goal_db.get_goal(session, goal_id, coordinator_id=scope)
    if goal is None:
        raise NotFound("goal not found")
    return goal


def find_step(session: Session, step_id: int, scope: int | None) -> GoalStep:
    step = goal_db.get_step(session, step_id, coordinator_id=scope)
    if step is None:
        raise NotFound("step not found")
    return step


def add_goal(session: Session, citizen_id: int, scope: int | None, text, *, now: datetime,
             source: str = "coordinator", created_by: int | None = None) -> Goal:
    """A new active goal in the citizen's own words."""
    citizen = _citizen(session, citizen_id, scope)
    text = _text(text)
    if source not in GOAL_SOURCES:
        raise Invalid(f"'source' must be one of: {', '.join(GOAL_SOURCES)}", "source")
    return goal_db.add_goal(session, citizen_id=citizen.id, text=text, source=source, status=ACTIVE,
                            created_at=now, created_by=created_by if created_by is not None else scope)


def change_goal(session: Session, goal_id: int, scope: int | None, changes: dict, *, now: datetime) -> Goal:
    """New words ("text") and/or a new status: reached (when is kept), dropped, or active again."""
    if not isinstance(changes, dict) or not changes:
        raise Invalid("nothing to change: give 'text' and/or 'status'")
    unknown = set(changes) - {"text", "status"}
    if unknown:
        raise Invalid(f"unknown field: {sorted(unknown)[0]!r}", sorted(unknown)[0])
    text = _text(changes["text"]) if "text" in changes else None
    status = changes.get("status")
    if "status" in changes and status not in GOAL_STATUSES:
        raise Invalid(f"'status' must be one of: {', '.join(GOAL_STATUSES)}", "status")
    goal = find_goal(session, goal_id, scope)
    if text is not None:
        goal.text = text
    if status is not None and status != goal.status:
        goal.status = status
        goal.reached_at = now if status == REACHED else None
    session.flush()
    return goal


def add_step(session: Session, goal_id: int, scope: int | None, text, owner=CITIZEN_OWNER, due_date=None, *,
             now: datetime) -> GoalStep:
    """A step toward an active goal: what, who ("Du": the citizen), and by when (optional)."""
    text = _text(text)
    owner = _text(owner if owner not in (None, "") else CITIZEN_OWNER, "owner", MAX_OWNER)
    due = _due_date(due_date)
    goal = find_goal(session, goal_id, scope)
    if goal.status != ACTIVE:
        raise Invalid("steps are added to an active goal only", "goal")
    return goal_db.add_step(session, goal_id=goal.id, citizen_id=goal.citizen_id, text=text, owner=owner,
                            due_date=due, created_at=now)


def tick_step(session: Session, step_id: int, *, done, now: datetime, scope: int | None = None,
              citizen: Citizen | None = None) -> GoalStep:
    """Done (or not done after all). The citizen (`citizen`) reaches only the steps of their own
    active goals (the ones their page shows), and takes back only their own tick: what the
    coordinator marked done stays done until the coordinator says otherwise. A coordinator
    (`scope`) reaches their citizens' steps. Ticking a done step again keeps when it was done."""
    if not isinstance(done, bool):
        raise Invalid("'done' must be true or false", "done")
    if citizen is not None:
        step, by = goal_db.get_step(session, step_id, citizen_id=citizen.id, goal_status=ACTIVE), BY_CITIZEN
    else:
        step, by = goal_db.get_step(session, step_id, coordinator_id=scope), BY_COORDINATOR
    if step is None:
        raise NotFound("step not found")
    if citizen is not None and not done and step.done_by == BY_COORDINATOR:
        raise Invalid("the coordinator marked this step done; only they can take it back", "done")
    if done and step.done_at is None:
        step.done_at, step.done_by = now, by
    elif not done:
        step.done_at, step.done_by = None, None
    session.flush()
    return step


def record_progress(session: Session, citizen: Citizen, goal_id: int, answer, now: datetime) -> Goal:
    """The citizen's answer to "Hvordan går det med: ...?" (JA, LIDT or NEJ), stored on the goal.
    Only the citizen's own goal; a late answer to a goal reached since is still kept. No alert: the
    coordinator sees the answer on the citizen's page and the agenda."""
    value = answer.strip().lower() if isinstance(answer, str) else None
    if value not in GOAL_PROGRESS:
        raise Invalid("the answer must be JA, LIDT or NEJ", "answer")
    goal = goal_db.get_goal(session, goal_id, citizen_id=citizen.id)
    if goal is None:
        raise NotFound("goal not found")
    goal.last_progress, goal.last_progress_at = value, now
    session.flush()
    return goal


def steps_of(session: Session, goal: Goal) -> list[GoalStep]:
    return goal_db.steps_for(session, [goal.id])[goal.id]


def plan_for(session: Session, citizen_id: int, scope: int | None,
             statuses: tuple[str, ...] | None = None) -> list[GoalPlan]:
    """The citizen's goals (oldest first) with their steps, for a caller who may see the citizen."""
    citizen = _citizen(session, citizen_id, scope)
    return citizen_plan(session, citizen.id, statuses)


def citizen_plan(session: Session, citizen_id: int, statuses: tuple[str, ...] | None = None) -> list[GoalPlan]:
    """The same for a citizen already checked (their own page, the agenda)."""
    goals = goal_db.goals_for(session, citizen_id, statuses)
    steps = goal_db.steps_for(session, [g.id for g in goals])
    return [GoalPlan(goal, steps[goal.id]) for goal in goals]
