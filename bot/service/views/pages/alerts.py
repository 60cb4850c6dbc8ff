"""Alerts: the rule that fired, why, and how old; acknowledge, and resolve with a note.
A coordinator also sees alerts escalated to them as someone's backup, and every colleague's urgent
alert that nobody has acknowledged, with least data, which they may take over (break-glass,
bot/alerts/oversight.py)."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.alerts import oversight
from bot.core.errors import Invalid, NotFound
from bot.core.vocabulary import AlertStatus
from bot.db import alerts as alert_db
from bot.db.access_log import log_access
from bot.db.coordinators import coordinator_names
from bot.db.messages import texts_by_id
from bot.service.access_log import ALERT, VIEW, audited
from bot.service.views.pages.common import form_data, path_int
from bot.service.web.sessions import current_coordinator, login_required

RESOLVED_SHOWN = 20


async def _page(request: web.Request, *, status: int = 200, resolve_error: tuple[int, str] | None = None,
                take_error: tuple[int, str] | None = None):
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
        # Colleagues' urgent alerts nobody acknowledged: no citizen data in them, so nothing to log.
        urgent = [u for u in oversight.unacknowledged_urgent(session, me.id) if not u.yours]
        # The message an alert is about (other_language): its words stay in inbound_messages.
        messages = texts_by_id(session, (a.inbound_message_id for a, _ in pairs))
        return open_, acknowledged, resolved, coordinator_names(session, ids), urgent, messages

    open_, acknowledged, resolved, names, urgent, messages = await request.app["db"].run(load)
    context = {"open": open_, "acknowledged": acknowledged, "resolved": resolved, "names": names,
               "resolve_error": resolve_error, "urgent": urgent, "take_error": take_error, "messages": messages}
    return aiohttp_jinja2.render_template("alerts.html", request, context, status=status)


@login_required
@audited("list_alerts", VIEW)  # the list: one row; each citizen seen as a backup also gets view_alert
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
@audited("acknowledge_alert", ALERT)
async def acknowledge(request: web.Request) -> web.Response:
    await _act(request, alert_db.acknowledge_alert)
    raise web.HTTPSeeOther(f"/alerts#alert-{path_int(request)}")


@login_required
@audited("resolve_alert", ALERT)
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


@login_required
@audited("take_over_alert", ALERT)  # break-glass also writes break_glass_alert (bot/alerts/oversight.py)
async def take_over(request: web.Request) -> web.Response:
    """Break-glass on a colleague's urgent alert nobody acknowledged (docs/privacy.md)."""
    me, now = current_coordinator(request), request.app["clock"].now()
    alert_id = path_int(request)
    confirmed = (await form_data(request)).get("confirm") == "ja"
    try:
        await request.app["db"].run(oversight.take_over, alert_id, me.id, now, confirmed=confirmed)
    except NotFound:
        raise web.HTTPNotFound()
    except oversight.AlreadyAcknowledged as exc:
        return await _page(request, status=409, take_error=(alert_id, exc.message))
    except Invalid as exc:
        return await _page(request, status=422, take_error=(alert_id, exc.message))
    raise web.HTTPSeeOther(f"/alerts#alert-{alert_id}")
