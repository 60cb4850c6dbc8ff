"""Registering a citizen from the dashboard, with the JSON API's rules (bot/citizens/registration.py)."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.checkins.programmes import programme_names
from bot.citizens import registration
from bot.core.errors import Invalid
from bot.core.text import ascii_digits
from bot.service.access_log import VIEW, audit_citizen, audited
from bot.service.views.pages.common import form_data
from bot.service.web.sessions import current_coordinator, login_required

DANISH_ERRORS = {
    "name": "Skriv borgerens navn (højst 200 tegn).",
    "phone": "Mobilnummeret skal være et dansk nummer: 8 cifre, eventuelt med +45 foran.",
    "checkin_interval_days": "Tjek-ind skal være hver 1. til 90. dag.",
    "programme": "Vælg et program fra listen.",
    "language": "Vælg et sprog fra listen.",
}


def _form(request, values: dict, errors: list[str], status: int = 200) -> web.Response:
    context = {"values": values, "errors": errors, "programmes": programme_names()}
    return aiohttp_jinja2.render_template("citizen_new.html", request, context, status=status)


@login_required
async def new(request: web.Request) -> web.Response:
    return _form(request, {"name": "", "phone": "", "programme": "standard", "checkin_interval_days": "7",
                           "language": "da"}, [])


@login_required
@audited("register", VIEW)
async def create(request: web.Request) -> web.Response:
    form = await form_data(request)
    if form.get("consent") != "yes":
        return _form(request, form, ["Borgeren skal have givet samtykke, før du registrerer."], status=422)
    interval = form.get("checkin_interval_days", "")
    me, now = current_coordinator(request), request.app["clock"].now()
    try:
        citizen = await request.app["db"].run(
            registration.register, form.get("name"), form.get("phone"), me.id, now,
            checkin_interval_days=int(interval) if ascii_digits(interval) else interval,
            programme=form.get("programme", registration.DEFAULT_PROGRAMME),
            language=form.get("language", "da"))
    except Invalid as exc:
        return _form(request, form, [DANISH_ERRORS.get(exc.field, exc.message)], status=422)
    except registration.DuplicatePhone:
        return _form(request, form, ["Der er allerede en borger med det mobilnummer."], status=409)
    audit_citizen(request, citizen.id)
    raise web.HTTPSeeOther(f"/citizens/{citizen.id}")
