"""Operations on the scheduler (admin only): run everything due at a given instant."""
from __future__ import annotations

from aiohttp import web

from bot.service.auth import require_admin
from bot.service.validation import aware_datetime, json_body


async def tick(request: web.Request) -> web.Response:
    """{"now": "<ISO 8601>"} (optional; default the service's clock) → what was run, as JSON."""
    require_admin(request)
    body = await json_body(request) if request.can_read_body else {}
    now = aware_datetime(body, "now", required=False)
    return web.json_response(await request.app["scheduler"].tick(now))
