"""Operations on the scheduler (admin only): run everything due at a given instant."""
from __future__ import annotations

import json

from aiohttp import web

from bot.service.auth import require_admin
from bot.service.validation import Invalid, aware_datetime, json_body

NOW_REFUSED = ("'now' is refused when APP_ENV=production: the scheduler runs on the service's clock "
               "(leave 'now' out)")


async def tick(request: web.Request) -> web.Response:
    """{"now": "<ISO 8601>", "citizen_ids": [1, 2]} (both optional; default the service's clock and
    every citizen) → what was run, as JSON. In production `now` is a 400: a chosen instant would
    send tomorrow's reminders today and skip quiet hours (issue 12, point 4; docs/deployment.md)."""
    require_admin(request)
    body = await json_body(request) if request.can_read_body else {}
    if "now" in body and request.app["settings"].production:
        raise web.HTTPBadRequest(text=json.dumps({"error": NOW_REFUSED}), content_type="application/json")
    now = aware_datetime(body, "now", required=False)
    citizen_ids = body.get("citizen_ids")
    if citizen_ids is not None and not (
        isinstance(citizen_ids, list) and all(isinstance(i, int) and not isinstance(i, bool) for i in citizen_ids)
    ):
        raise Invalid("'citizen_ids' must be a list of whole numbers", "citizen_ids")
    return web.json_response(await request.app["scheduler"].tick(now, citizen_ids))
