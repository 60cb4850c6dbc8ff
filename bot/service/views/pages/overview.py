"""My citizens, the most urgent first; above them every urgent alert nobody has acknowledged, also
colleagues' (least data: bot/alerts/oversight.py)."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.alerts.oversight import unacknowledged_urgent
from bot.service.access_log import VIEW, audited
from bot.service.web.overview import citizen_overview
from bot.service.web.sessions import current_coordinator, login_required


@login_required
@audited("list_citizens", VIEW)  # a list: one row about no one citizen (docs/privacy.md)
@aiohttp_jinja2.template("citizens.html")
async def index(request: web.Request) -> dict:
    me = current_coordinator(request)
    summaries = await request.app["db"].run(citizen_overview, me.id, request.app["clock"].now())
    urgent = await request.app["db"].run(unacknowledged_urgent, me.id)
    return {"summaries": summaries, "urgent": urgent}
