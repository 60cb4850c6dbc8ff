"""Alerts: the rule that fired, why, and how old; acknowledge, and resolve with a note.
A coordinator also sees alerts escalated to them as someone's backup."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.core.vocabulary import AlertStatus
from bot.db import alerts as alert_db
from bot.db.access_log import log_access
from bot.db.coordinators import coordinator_names
from bot.service.views.pages.common import form_data, path_int
from bot.service.web.sessions import current_coordinator, login_required

RESOLVED_SHOWN = 20


async def _page(request: web.Request, *, status: int = 200, resolve_error: tuple[int, str] | None = None):
    me, now = current_coordinator(request), request.app["clock"].now()

    def load(session):
        open_ = alert_db.alerts_with_citizens(session, me.id, statuses=(AlertStatus.OPEN,))
        acknowledged = alert_db.alerts_with_citizens(session, me.id, statuses=(AlertStatus.ACKNOWLEDGED,))
        resolved = alert_db.alerts_with_citizens(session, me.id, statuses=(AlertStatus.RESOLVED,), limit=RESOLVED_SHOWN)
        pairs = open_ + acknowledged + resolved
        for _alert, citizen in open_ + acknowledged:
            if citizen.coordinator_id != me.id:  # seen as backup: someone else's citizen
                log_access(session, me.id, citizen.id, "view_alert", now)
        ids = {i for a, c in pairs for i in (a.acknowledged_by, a.resolved_by, a.escalated_to, c.coordinator_id) if i}
        return open_, acknowledged, resolved, coordinator_names(session, ids)

    open_, acknowledged, resolved, names = await request.app["db"].run(load)
    context = {"open": open_, "acknowledged": acknowledged, "resolved": resolved, "names": names,
               "resolve_error": resolve_error}
    return aiohttp_jinja2.render_template("alerts.html", request, context, status=status)


@login_required
async def index(request: web.Request) -> web.Response:
    return await _page(request)


async def _act(request: web.Request, action) -> None:
    me, now = current_coordinator(request), request.app["clock"].now()
    alert_id = path_int(request)

    def run(session):
        alert = alert_db.get_alert(session, alert_id, me.id)
        return alert and action(session, alert, me.id, now)

    if await request.app["db"].run(run) is None:
        raise web.HTTPNotFound()


@login_required
async def acknowledge(request: web.Request) -> web.Response:
    await _act(request, alert_db.acknowledge_alert)
    raise web.HTTPSeeOther(f"/alerts#alert-{path_int(request)}")


@login_required
async def resolve(request: web.Request) -> web.Response:
    note = (await form_data(request)).get("note", "")
    alert_id = path_int(request)
    if not note or len(note) > 2000:
        if await request.app["db"].run(alert_db.get_alert, alert_id, current_coordinator(request).id) is None:
            raise web.HTTPNotFound()
        return await _page(request, status=422,
                           resolve_error=(alert_id, "Skriv kort, hvad der er gjort (højst 2000 tegn)."))
    await _act(request, lambda session, alert, by, now: alert_db.resolve_alert(session, alert, by, note, now))
    raise web.HTTPSeeOther("/alerts")
