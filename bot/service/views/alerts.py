from __future__ import annotations

from aiohttp import web

from bot.db import alerts as alert_db
from bot.db.models import ALERT_STATUSES
from bot.service.serializers import alert_json
from bot.service.validation import Invalid, json_body, path_id, required_str


async def index(request: web.Request) -> web.Response:
    status = request.query.get("status")
    if status and status not in ALERT_STATUSES:
        raise Invalid(f"'status' must be one of: {', '.join(ALERT_STATUSES)}")
    citizen_id = request.query.get("citizen_id")
    if citizen_id is not None and not citizen_id.isdigit():
        raise Invalid("'citizen_id' must be an integer")
    alerts = await request.app["db"].run(
        lambda s: alert_db.list_alerts(
            s,
            coordinator_id=request["principal"].scope,
            status=status,
            citizen_id=int(citizen_id) if citizen_id else None,
        )
    )
    return web.json_response([alert_json(a) for a in alerts])


async def acknowledge(request: web.Request) -> web.Response:
    principal = request["principal"]
    alert_id = path_id(request)
    now = request.app["clock"].now()

    def ack(session):
        alert = alert_db.get_alert(session, alert_id, principal.scope)
        return alert and alert_db.acknowledge_alert(session, alert, principal.coordinator_id, now)

    alert = await request.app["db"].run(ack)
    if alert is None:
        return web.json_response({"error": "alert not found"}, status=404)
    return web.json_response(alert_json(alert))


async def resolve(request: web.Request) -> web.Response:
    """POST /api/alerts/{id}/resolve {"note": "..."}: resolved with what was done."""
    principal = request["principal"]
    alert_id = path_id(request)
    note = required_str(await json_body(request), "note", 2000)
    now = request.app["clock"].now()

    def run(session):
        alert = alert_db.get_alert(session, alert_id, principal.scope)
        return alert and alert_db.resolve_alert(session, alert, principal.coordinator_id, note, now)

    alert = await request.app["db"].run(run)
    if alert is None:
        return web.json_response({"error": "alert not found"}, status=404)
    return web.json_response(alert_json(alert))
