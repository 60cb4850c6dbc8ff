"""Goals and the plan over the JSON API (issue 14 §1). The rules live in bot/goals/plan.py; this
adapter reads the request, calls the use case in one transaction and answers JSON. Another
coordinator's citizen, goal or step is not found (404), as in views/citizens.py. The routes by a
goal's or a step's id name their citizen to the access log themselves (VIEW).

Also the proposals from the citizen's preparation (bot/goals/proposals.py) over the API; the
dashboard's one-click "Gør til mål" form is views/pages/citizen.py take_goal_proposal."""
from __future__ import annotations

from aiohttp import web

from bot.db.models import Goal, GoalStep
from bot.goals import plan, proposals
from bot.service.access_log import VIEW, audit_citizen, audited
from bot.service.serializers import iso
from bot.service.validation import Invalid, json_body, json_value, path_id


def step_json(step: GoalStep) -> dict:
    return {
        "id": step.id,
        "goal_id": step.goal_id,
        "citizen_id": step.citizen_id,
        "text": step.text,
        "owner": step.owner,
        "due_date": step.due_date.isoformat() if step.due_date else None,
        "done": step.done_at is not None,
        "done_at": iso(step.done_at),
        "done_by": step.done_by,
        "created_at": iso(step.created_at),
    }


def goal_json(goal: Goal, steps: list[GoalStep] | None = None) -> dict:
    found = {
        "id": goal.id,
        "citizen_id": goal.citizen_id,
        "text": goal.text,
        "source": goal.source,
        "status": goal.status,
        "created_at": iso(goal.created_at),
        "created_by": goal.created_by,
        "reached_at": iso(goal.reached_at),
        "last_progress": goal.last_progress,
        "last_progress_at": iso(goal.last_progress_at),
    }
    if steps is not None:
        found["steps"] = [step_json(s) for s in steps]
    return found


@audited("view_goals")
async def index(request: web.Request) -> web.Response:
    """Every goal of the citizen, oldest first, each with its steps."""
    citizen_id, scope = path_id(request), request["principal"].scope

    def load(session):
        return [goal_json(p.goal, p.steps) for p in plan.plan_for(session, citizen_id, scope)]

    return web.json_response(await request.app["db"].run(load))


@audited("add_goal")
async def create(request: web.Request) -> web.Response:
    """{"text": "...", "source": "coordinator" | "preparation"}: 201 with the new goal."""
    citizen_id, principal = path_id(request), request["principal"]
    body = await json_body(request)
    now = request.app["clock"].now()

    def add(session):
        goal = plan.add_goal(session, citizen_id, principal.scope, body.get("text"), now=now,
                             source=body.get("source", "coordinator"), created_by=principal.coordinator_id)
        return goal_json(goal, [])

    return web.json_response(await request.app["db"].run(add), status=201)


def _object(body) -> dict:
    if not isinstance(body, dict):
        raise Invalid("body must be a JSON object")
    return body


@audited("change_goal", VIEW)
async def update(request: web.Request) -> web.Response:
    """{"text": ..., "status": "active" | "reached" | "dropped"}: the goal as it is now."""
    goal_id, scope = path_id(request), request["principal"].scope
    body = await json_value(request)  # its shape is checked once the citizen is known (logged for them)
    now = request.app["clock"].now()

    def change(session):
        # Found first, so a refusal of the body is logged for the goal's citizen.
        audit_citizen(request, plan.find_goal(session, goal_id, scope).citizen_id)
        _object(body)
        goal = plan.change_goal(session, goal_id, scope, body, now=now)
        return goal_json(goal, plan.steps_of(session, goal))

    return web.json_response(await request.app["db"].run(change))


@audited("add_goal_step", VIEW)
async def add_step(request: web.Request) -> web.Response:
    """{"text": "...", "owner": "Du" | "Jobcentret" | a name, "due_date": "YYYY-MM-DD" | null}: 201."""
    goal_id, scope = path_id(request), request["principal"].scope
    body = await json_value(request)  # its shape is checked once the citizen is known (logged for them)
    now = request.app["clock"].now()

    def add(session):
        audit_citizen(request, plan.find_goal(session, goal_id, scope).citizen_id)
        _object(body)
        return step_json(plan.add_step(session, goal_id, scope, body.get("text"),
                                       body.get("owner", plan.CITIZEN_OWNER), body.get("due_date"), now=now))

    return web.json_response(await request.app["db"].run(add), status=201)


@audited("tick_goal_step", VIEW)
async def tick(request: web.Request) -> web.Response:
    """{"done": true | false}: the step as it is now, ticked by the coordinator."""
    step_id, scope = path_id(request), request["principal"].scope
    body = await json_value(request)  # its shape is checked once the citizen is known (logged for them)
    now = request.app["clock"].now()

    def change(session):
        audit_citizen(request, plan.find_step(session, step_id, scope).citizen_id)
        _object(body)
        return step_json(plan.tick_step(session, step_id, done=body.get("done"), now=now, scope=scope))

    return web.json_response(await request.app["db"].run(change))


# --- goals from the preparation (docs/decisions.md, "Goals from the preparation") ---------------

def proposal_json(proposal: proposals.Proposal) -> dict:
    return {
        "preparation_id": proposal.preparation_id,
        "appointment_id": proposal.appointment_id,
        "index": proposal.index,
        "text": proposal.text,
        "meeting_starts_at": iso(proposal.meeting_starts_at),
        "completed_at": iso(proposal.completed_at),
    }


@audited("view_goal_proposals")
async def proposal_index(request: web.Request) -> web.Response:
    """The citizen's wishes from their preparation that the coordinator may take as goals."""
    citizen_id, scope = path_id(request), request["principal"].scope
    now = request.app["clock"].now()

    def load(session):
        return [proposal_json(p) for p in proposals.proposals_for(session, citizen_id, scope, now)]

    return web.json_response(await request.app["db"].run(load))


@audited("take_goal_proposal")
async def take_proposal(request: web.Request) -> web.Response:
    """{"preparation_id": 12, "index": 0}: 201 with the new goal (source "preparation"), or 200 with
    the goal the citizen already has in these words."""
    citizen_id, principal = path_id(request), request["principal"]
    body = await json_body(request)
    now = request.app["clock"].now()

    def take(session):
        goal, created = proposals.take_proposal(session, citizen_id, principal.scope, body.get("preparation_id"),
                                                body.get("index"), now=now, created_by=principal.coordinator_id)
        return goal_json(goal, plan.steps_of(session, goal)), created

    goal, created = await request.app["db"].run(take)
    return web.json_response(goal, status=201 if created else 200)
