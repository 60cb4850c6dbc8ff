from __future__ import annotations

from aiohttp import web

from bot.alerts.oversight import unacknowledged_urgent
from bot.db import alerts as alert_db
from bot.db.models import ALERT_STATUSES
from bot.service.access_log import ALERT, VIEW, audit_citizen, audited
from bot.service.serializers import alert_json, urgent_unacknowledged_json
from bot.service.validation import Invalid, is_id, json_body, path_id, required_str

URGENT_VIEW = "urgent_unacknowledged"


@audited("list_alerts", VIEW)
async def index(request: web.Request) -> web.Response:
    view = request.query.get("view")
    if view is not None:
        return await _urgent_unacknowledged(request, view)
    status = request.query.get("status")
    if status and status not in ALERT_STATUSES:
        raise Invalid(f"'status' must be one of: {', '.join(ALERT_STATUSES)}")
    citizen_id = request.query.get("citizen_id")
    if citizen_id is not None and not is_id(citizen_id):  # "²".isdigit() was a 500
        raise Invalid("'citizen_id' must be an integer")
    alerts = await request.app["db"].run(
        lambda s: alert_db.list_alerts(
            s,
            coordinator_id=request["principal"].scope,
            status=status,
            citizen_id=int(citizen_id) if citizen_id else None,
        )
    )
    if citizen_id and alerts:  # one citizen's alerts, and the caller may see them
        audit_citizen(request, int(citizen_id))
    return web.json_response([alert_json(a) for a in alerts])


async def _urgent_unacknowledged(request: web.Request, view: str) -> web.Response:
    """GET /api/alerts?view=urgent_unacknowledged: every coordinator's urgent alerts that nobody has
    acknowledged, with least data (no citizen id, name or reason: docs/privacy.md). The only view
    that crosses the per-coordinator scope; every other query stays scoped."""
    if view != URGENT_VIEW:
        raise Invalid(f"'view' must be {URGENT_VIEW}")
    if set(request.query) - {"view"}:
        raise Invalid("'view' cannot be combined with other filters")
    items = await request.app["db"].run(unacknowledged_urgent, request["principal"].scope)
    return web.json_response([urgent_unacknowledged_json(u) for u in items])


@audited("acknowledge_alert", ALERT)
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


@audited("resolve_alert", ALERT)
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
