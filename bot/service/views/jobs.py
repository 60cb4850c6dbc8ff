from __future__ import annotations

from aiohttp import web

from bot.db import citizens as citizen_db
from bot.db import jobs as job_db
from bot.service.access_log import audited
from bot.service.serializers import job_json
from bot.service.validation import path_id


@audited("view_jobs")
async def for_citizen(request: web.Request) -> web.Response:
    """A citizen's proactive jobs (what was sent, skipped and why, what is planned)."""
    citizen_id = path_id(request)
    scope = request["principal"].scope

    def load(session):
        if citizen_db.get_citizen(session, citizen_id, scope) is None:
            return None
        return [job_json(j) for j in job_db.list_jobs(session, citizen_id=citizen_id)]

    jobs = await request.app["db"].run(load)
    if jobs is None:
        return web.json_response({"error": "citizen not found"}, status=404)
    return web.json_response(jobs)
