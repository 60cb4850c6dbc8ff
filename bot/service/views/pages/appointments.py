"""Booking, moving and recording attendance from the dashboard. The rules are the JSON API's, in one
place (bot/appointments/booking.py); this page turns the form's Copenhagen date and time into UTC,
calls the use case in one transaction and shows what it refused in Danish, keyed by field."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from typing import Any

import aiohttp_jinja2
from aiohttp import web

from bot.appointments import booking
from bot.core.alert_catalogue import Rule
from bot.core.clock import COPENHAGEN
from bot.core.errors import Invalid
from bot.core.text import ascii_digits
from bot.core.vocabulary import AppointmentKind
from bot.db import alerts as alert_db
from bot.db import appointments as appointment_db
from bot.service.access_log import APPOINTMENT, audited
from bot.service.views.pages.common import form_data, own_citizen, path_int
from bot.service.web.sessions import current_coordinator, login_required

DURATION = "Varigheden skal være 5 til 480 minutter."
DANISH_ERRORS = {
    "kind": "Vælg hvilken slags møde det er.",
    "date": "Skriv en dato.",
    "time": "Skriv et klokkeslæt.",
    "duration": DURATION,
    "ends_at": DURATION,
    "location": "Stedet må højst være 200 tegn.",
    "title": "Overskriften må højst være 200 tegn.",
    booking.PAST: "Mødet ligger i fortiden. Vælg en dato og et klokkeslæt frem i tiden.",
    booking.TOO_FAR_AHEAD: "Mødet ligger mere end to år ude. Tjek årstallet.",
    booking.NOT_PLANNED: "Mødet er ikke planlagt længere og kan ikke ændres. Opret et nyt møde.",
    booking.NOT_STARTED: "Mødet er ikke begyndt endnu. Mødt eller udeblev kan først skrives, når mødet er begyndt. "
                         "Bliver mødet ikke til noget, så vælg Aflyst.",
    "status": "Vælg mødt, udeblev eller aflyst.",
}
CHECKED = ("yes", "on", "true", "1")
MAX_MINUTES_TYPED = 6  # digits; the length rule itself is booking's


def danish(exc: Invalid) -> str:
    return DANISH_ERRORS.get(exc.field, exc.message)


def parse_form(form: dict[str, str]) -> dict[str, Any]:
    """The form's fields as booking takes them: local Copenhagen date and time in, UTC out. Only
    types are checked here; raises Invalid naming the field."""
    try:
        day = date.fromisoformat(form.get("date", ""))
    except ValueError:
        raise Invalid("'date' must be YYYY-MM-DD", "date") from None
    try:
        at = time.fromisoformat(form.get("time", ""))
    except ValueError:
        raise Invalid("'time' must be HH:MM", "time") from None
    duration = form.get("duration", "60")
    if not ascii_digits(duration) or len(duration) > MAX_MINUTES_TYPED:
        raise Invalid("'duration' must be a whole number of minutes", "duration")
    try:
        starts_at = datetime.combine(day, at.replace(tzinfo=None), tzinfo=COPENHAGEN).astimezone(timezone.utc)
        ends_at = starts_at + timedelta(minutes=int(duration))
    except OverflowError:  # year 1 or 9999 at the edge of what datetime holds (was a 500)
        raise Invalid("'date' is out of range", "date") from None
    return {
        "kind": form.get("kind", ""),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "location": form.get("location") or None,
        "title": form.get("title") or None,
        "notify_if_unanswered": form.get("notify_if_unanswered", "").lower() in CHECKED,
        "interpreter": form.get("interpreter", "").lower() in CHECKED,
    }


def _form(request, citizen, values: dict, errors: list[str], status: int = 200, appointment=None) -> web.Response:
    context = {"citizen": citizen, "values": values, "errors": errors, "appointment": appointment}
    return aiohttp_jinja2.render_template("appointment_new.html", request, context, status=status)


def _back(citizen_id: int) -> web.HTTPSeeOther:
    return web.HTTPSeeOther(f"/citizens/{citizen_id}#h-appointments")


@login_required
@audited("view_booking_form")
async def new(request: web.Request) -> web.Response:
    citizen = await own_citizen(request, path_int(request))
    # A citizen who has written in a language the assistant does not understand probably needs an
    # interpreter: the box starts ticked (the coordinator decides).
    wrote_other_language = await request.app["db"].run(alert_db.has_alert, citizen.id, Rule.OTHER_LANGUAGE)
    values = {"kind": AppointmentKind.OPFOELGNING, "title": "", "date": "", "time": "10:00", "duration": "60", "location": "",
              "notify_if_unanswered": "", "interpreter": "yes" if wrote_other_language else ""}
    return _form(request, citizen, values, [])


@login_required
@audited("create_appointment")
async def create(request: web.Request) -> web.Response:
    citizen = await own_citizen(request, path_int(request))
    return await _submit(request, citizen, lambda s, fields, me_id, now, settings: booking.create(
        s, citizen.id, me_id, fields, now, settings))


async def _submit(request: web.Request, citizen, write, appointment=None) -> web.Response:
    """Parse the booking form and run the use case; its refusal goes back to the form in Danish."""
    form = await form_data(request)
    me, now = current_coordinator(request), request.app["clock"].now()
    settings = request.app["settings"].proactive
    try:
        await request.app["db"].run(lambda s: write(s, parse_form(form), me.id, now, settings))
    except Invalid as exc:
        return _form(request, citizen, form, [danish(exc)], status=422, appointment=appointment)
    raise _back(citizen.id)


async def _own_appointment(request: web.Request):
    me = current_coordinator(request)
    found = await request.app["db"].run(appointment_db.get_appointment_with_citizen, path_int(request), me.id)
    if found is None:
        raise web.HTTPNotFound()
    return found


def _values(appointment) -> dict[str, str]:
    local = appointment.starts_at.astimezone(COPENHAGEN)
    minutes = 60 if appointment.ends_at is None else int((appointment.ends_at - appointment.starts_at).total_seconds() // 60)
    return {"kind": appointment.kind, "title": appointment.title or "", "date": local.date().isoformat(),
            "time": local.strftime("%H:%M"), "duration": str(minutes), "location": appointment.location or "",
            "notify_if_unanswered": "yes" if appointment.notify_if_unanswered else "",
            "interpreter": "yes" if appointment.interpreter else ""}


@login_required
@audited("view_appointment", APPOINTMENT)
async def edit(request: web.Request) -> web.Response:
    """The booking form filled in with the appointment, to move or correct it."""
    appointment, citizen = await _own_appointment(request)
    return _form(request, citizen, _values(appointment), [], appointment=appointment)


@login_required
@audited("change_appointment", APPOINTMENT)
async def update(request: web.Request) -> web.Response:
    """Move or correct a planned appointment: a new time clears the citizen's JA / KAN IKKE."""
    appointment, citizen = await _own_appointment(request)
    return await _submit(request, citizen, lambda s, changes, me_id, now, settings: booking.change(
        s, appointment.id, me_id, changes, now, settings), appointment=appointment)


@login_required
@audited("record_attendance", APPOINTMENT)
async def attendance(request: web.Request) -> web.Response:
    """Mødt / Udeblev / Aflyst on the citizen page. Before the meeting has started only Aflyst."""
    status = (await form_data(request)).get("status")
    me, now = current_coordinator(request), request.app["clock"].now()
    settings = request.app["settings"].proactive

    def record(session, appointment_id):
        return booking.record_attendance(session, appointment_id, me.id, status, now, settings).citizen_id

    try:
        citizen_id = await request.app["db"].run(record, path_int(request))
    except Invalid as exc:
        raise web.HTTPUnprocessableEntity(text=danish(exc))
    raise _back(citizen_id)
