"""A change of coordinator over the JSON API (issue 14 §4; docs/decisions.md, "A change of
coordinator"). The rules live in bot/citizens/reassign.py; this adapter checks the body's shape,
calls the use case in one transaction with the principal's scope and answers JSON (refusals become
422 / 404 in validation.use_case_errors)."""
from __future__ import annotations

from aiohttp import web

from bot.citizens.reassign import reassign as reassign_citizen
from bot.core.errors import NotFound
from bot.db import citizens as citizen_db
from bot.db import jobs as job_db
from bot.db.coordinator_changes import changes_for
from bot.db.coordinators import active_coordinators
from bot.service.access_log import audited, written_by_use_case
from bot.service.serializers import appointment_json, citizen_json, colleague_json, coordinator_change_json
from bot.service.validation import MAX_ID_DIGITS, Invalid, aware_datetime, json_body, path_id

FIELDS = ("coordinator_id", "handover_at")


@audited("reassign")  # a refusal is logged here; a change by the use case (the old coordinator loses sight at once)
async def reassign(request: web.Request) -> web.Response:
    """POST /api/citizens/{id}/reassign {"coordinator_id": 2, "handover_at": "...+01:00"?}: the admin,
    or the citizen's coordinator giving them to an active colleague."""
    citizen_id = path_id(request)
    body = await json_body(request)
    unknown = set(body) - set(FIELDS)
    if unknown:
        raise Invalid(f"unknown field(s): {', '.join(sorted(unknown))}; allowed: {', '.join(FIELDS)}")
    new_id = body.get("coordinator_id")  # its type is the use case's to check
    if isinstance(new_id, int) and not isinstance(new_id, bool) and not 0 < new_id < 10 ** MAX_ID_DIGITS:
        # No row has such an id; a 20-digit one handed to SQLite's driver would be a 500.
        raise Invalid("the new coordinator does not exist or is deactivated", "coordinator_id")
    handover_at = aware_datetime(body, "handover_at", required=False)
    app = request.app
    scope, now, settings = request["principal"].scope, app["clock"].now(), app["settings"].proactive

    def change(session):
        done = reassign_citizen(session, citizen_id, scope, new_id, now=now, settings=settings,
                                handover_at=handover_at)
        named = next(n for n in changes_for(session, done.citizen.id) if n.change.id == done.change.id)
        handover = None
        if done.handover is not None:
            jobs = job_db.list_jobs(session, target=job_db.appointment_target(done.handover.id))
            handover = appointment_json(done.handover, jobs)
        return {"citizen": citizen_json(done.citizen), "change": coordinator_change_json(*named), "handover": handover}

    answer = await app["db"].run(change)
    written_by_use_case(request)
    return web.json_response(answer)


@audited("view_coordinator_changes")
async def history(request: web.Request) -> web.Response:
    """GET /api/citizens/{id}/coordinator-changes: the citizen's changes of coordinator, newest first."""
    citizen_id = path_id(request)
    scope = request["principal"].scope

    def load(session):
        if citizen_db.get_citizen(session, citizen_id, scope) is None:
            raise NotFound("citizen not found")
        return [coordinator_change_json(*named) for named in changes_for(session, citizen_id)]

    return web.json_response(await request.app["db"].run(load))


async def colleagues(request: web.Request) -> web.Response:
    """GET /api/coordinators: the active coordinators (id and name), to choose a citizen's new one.
    No citizen's data; any token."""
    return web.json_response([colleague_json(c) for c in await request.app["db"].run(active_coordinators)])
