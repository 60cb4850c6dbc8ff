"""Helpers shared by the dashboard pages."""
from __future__ import annotations

from aiohttp import web

from bot.db import citizens as citizen_db
from bot.db.models import Citizen
from bot.service.validation import is_id
from bot.service.web.sessions import current_coordinator


def path_int(request: web.Request, name: str = "id") -> int:
    value = request.match_info[name]
    if not is_id(value):  # "²" and "١٢" are digits to Python, not ids; nor is a 40-digit number
        raise web.HTTPNotFound()
    return int(value)


async def own_citizen(request: web.Request, citizen_id: int) -> Citizen:
    """The logged-in coordinator's citizen or 404. The access is logged by the page's @audited
    declaration (bot/service/access_log.py)."""
    me = current_coordinator(request)
    citizen = await request.app["db"].run(citizen_db.get_citizen, citizen_id, me.id)
    if citizen is None:
        raise web.HTTPNotFound()
    return citizen


async def form_data(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {key: value.strip() for key, value in form.items() if isinstance(value, str)}
