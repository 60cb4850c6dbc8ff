"""A meeting's agenda, printable. Built from the citizen's own preparation, the latest check-in and
the citizen's notes. The
stratification and alerts stay off this page: the citizen may read the printout."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.checkins.programmes import get_programme
from bot.db import appointments as appointment_db
from bot.db import checkins as checkin_db
from bot.db.preparations import get_preparation
from bot.goals.plan import ACTIVE, citizen_plan
from bot.meetings.preparation import PREPARATION_LABELS
from bot.service.access_log import APPOINTMENT, audited
from bot.service.views.pages.common import path_int
from bot.service.web.chart import lyskurve_svg
from bot.service.web.sessions import current_coordinator, login_required

NOTES_SHOWN = 5


@login_required
@audited("view_agenda", APPOINTMENT)
async def show(request: web.Request) -> web.Response:
    me = current_coordinator(request)
    appointment_id = path_int(request)

    def load(session):
        found = appointment_db.get_appointment_with_citizen(session, appointment_id, me.id)
        if found is None:
            return None
        appointment, citizen = found
        return (appointment, citizen, checkin_db.list_checkins(session, citizen.id),
                get_preparation(session, appointment.id), citizen_plan(session, citizen.id, (ACTIVE,)))

    found = await request.app["db"].run(load)
    if found is None:
        raise web.HTTPNotFound()
    appointment, citizen, checkins, preparation, goal_plans = found
    programme = get_programme(citizen.programme)
    # Only what was said before the meeting belongs on its agenda.
    before = [c for c in checkins if c.created_at <= appointment.starts_at]
    latest = next((c for c in before if c.overall), None)
    context = {
        "appointment": appointment,
        "citizen": citizen,
        "latest": latest,
        "notes": [c for c in before if c.note][:NOTES_SHOWN],
        "chart": lyskurve_svg(before, programme),
        "area_labels": {a.key: a.label for a in programme.areas},
        "preparation": preparation,
        "prep_questions": PREPARATION_LABELS,
        "goal_plans": goal_plans,  # the active goals, as they are now
        "progress_labels": {"ja": "ja", "lidt": "lidt", "nej": "nej"},
    }
    return aiohttp_jinja2.render_template("agenda.html", request, context)
