"""Helpers shared by the dashboard pages."""
from __future__ import annotations

from aiohttp import web

from bot.db import citizens as citizen_db
from bot.db.access_log import log_access
from bot.db.models import Citizen
from bot.service.web.sessions import current_coordinator


def path_int(request: web.Request, name: str = "id") -> int:
    value = request.match_info[name]
    if not (value.isascii() and value.isdigit()):  # "²" and "١٢" are digits to Python, not ids
        raise web.HTTPNotFound()
    return int(value)


async def own_citizen(request: web.Request, citizen_id: int, action: str | None = None) -> Citizen:
    """The logged-in coordinator's citizen or 404; with `action`, the access is logged in the same
    transaction as the lookup."""
    me = current_coordinator(request)
    now = request.app["clock"].now()

    def find(session):
        citizen = citizen_db.get_citizen(session, citizen_id, me.id)
        if citizen is not None and action:
            log_access(session, me.id, citizen.id, action, now)
        return citizen

    citizen = await request.app["db"].run(find)
    if citizen is None:
        raise web.HTTPNotFound()
    return citizen


async def form_data(request: web.Request) -> dict[str, str]:
    form = await request.post()
    return {key: value.strip() for key, value in form.items() if isinstance(value, str)}
