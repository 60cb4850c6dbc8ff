"""Registering a citizen from the dashboard, with the JSON API's rules (views/citizens.py)."""
from __future__ import annotations

import aiohttp_jinja2
from aiohttp import web

from bot.checkins.programmes import programme_names
from bot.db import citizens as citizen_db
from bot.db.access_log import log_access
from bot.service.validation import Invalid
from bot.service.views.citizens import parse_registration, register
from bot.service.views.pages.common import form_data
from bot.service.web.sessions import current_coordinator, login_required

DANISH_ERRORS = {
    "name": "Skriv borgerens navn (højst 200 tegn).",
    "phone": "Mobilnummeret skal være et dansk nummer: 8 cifre, eventuelt med +45 foran.",
    "checkin_interval_days": "Tjek-ind skal være hver 1. til 90. dag.",
    "programme": "Vælg et program fra listen.",
}


def _form(request, values: dict, errors: list[str], status: int = 200) -> web.Response:
    context = {"values": values, "errors": errors, "programmes": programme_names()}
    return aiohttp_jinja2.render_template("citizen_new.html", request, context, status=status)


@login_required
async def new(request: web.Request) -> web.Response:
    return _form(request, {"name": "", "phone": "", "programme": "standard", "checkin_interval_days": "7"}, [])


@login_required
async def create(request: web.Request) -> web.Response:
    form = await form_data(request)
    interval = form.get("checkin_interval_days", "")
    body = {**form, "checkin_interval_days": int(interval) if interval.isdigit() else interval}
    if form.get("consent") != "yes":
        return _form(request, form, ["Borgeren skal have givet samtykke, før du registrerer."], status=422)
    me, now = current_coordinator(request), request.app["clock"].now()

    def save(session, registration):
        citizen = register(session, registration, me.id, now)
        log_access(session, me.id, citizen.id, "register", now)
        return citizen

    try:
        citizen = await request.app["db"].run(save, parse_registration(body))
    except Invalid as exc:
        return _form(request, form, [DANISH_ERRORS.get(exc.field, exc.message)], status=422)
    except citizen_db.DuplicatePhone:
        return _form(request, form, ["Der er allerede en borger med det mobilnummer."], status=409)
    raise web.HTTPSeeOther(f"/citizens/{citizen.id}")
