"""My citizens, the most urgent first."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.service.web.overview import citizen_overview
from bot.service.web.sessions import current_coordinator, login_required


@login_required
@aiohttp_jinja2.template("citizens.html")
async def index(request: web.Request) -> dict:
    me = current_coordinator(request)
    summaries = await request.app["db"].run(citizen_overview, me.id, request.app["clock"].now())
    return {"summaries": summaries}
