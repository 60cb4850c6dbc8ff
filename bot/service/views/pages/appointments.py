"""Creating an appointment and recording attendance from the dashboard: the same rules as the JSON
API (reminders planned on creation; a missed meeting alerts and plans the follow-up message)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import aiohttp_jinja2
from aiohttp import web

from bot.appointments.attendance import record_attendance
from bot.core.clock import COPENHAGEN
from bot.db import appointments as appointment_db
from bot.db.access_log import log_access
from bot.db.models import APPOINTMENT_KINDS
from bot.jobs.planner import plan_appointment
from bot.service.validation import Invalid, int_in_range, optional_str
from bot.service.views.pages.common import form_data, own_citizen, path_int
from bot.service.web.sessions import current_coordinator, login_required

ATTENDANCE = ("attended", "missed", "cancelled")
DANISH_ERRORS = {
    "kind": "Vælg hvilken slags møde det er.",
    "date": "Skriv en dato.",
    "time": "Skriv et klokkeslæt.",
    "duration": "Varigheden skal være 5 til 480 minutter.",
    "location": "Stedet må højst være 200 tegn.",
    "title": "Overskriften må højst være 200 tegn.",
    "past": "Mødet ligger i fortiden. Vælg en dato og et klokkeslæt frem i tiden.",
}


@dataclass(frozen=True)
class AppointmentInput:
    kind: str
    starts_at: datetime
    ends_at: datetime
    location: str | None
    title: str | None


def parse_appointment(form: dict[str, str], now: datetime) -> AppointmentInput:
    """Local Copenhagen date and time in, UTC out. Raises Invalid naming the field."""
    kind = form.get("kind", "")
    if kind not in APPOINTMENT_KINDS:
        raise Invalid(f"'kind' must be one of: {', '.join(APPOINTMENT_KINDS)}", "kind")
    try:
        day = date.fromisoformat(form.get("date", ""))
    except ValueError:
        raise Invalid("'date' must be YYYY-MM-DD", "date") from None
    try:
        at = time.fromisoformat(form.get("time", ""))
    except ValueError:
        raise Invalid("'time' must be HH:MM", "time") from None
    duration = form.get("duration", "60")
    minutes = int_in_range({"duration": int(duration) if duration.isdigit() else duration}, "duration", 60, 5, 480)
    starts_at = datetime.combine(day, at, tzinfo=COPENHAGEN).astimezone(now.tzinfo)
    if starts_at < now:
        raise Invalid("the appointment is in the past", "past")
    return AppointmentInput(
        kind=kind,
        starts_at=starts_at,
        ends_at=starts_at + timedelta(minutes=minutes),
        location=optional_str(form, "location"),
        title=optional_str(form, "title"),
    )


def _form(request, citizen, values: dict, errors: list[str], status: int = 200) -> web.Response:
    return aiohttp_jinja2.render_template(
        "appointment_new.html", request, {"citizen": citizen, "values": values, "errors": errors}, status=status
    )


@login_required
async def new(request: web.Request) -> web.Response:
    citizen = await own_citizen(request, path_int(request))
    values = {"kind": "opfoelgning", "title": "", "date": "", "time": "10:00", "duration": "60", "location": ""}
    return _form(request, citizen, values, [])


@login_required
async def create(request: web.Request) -> web.Response:
    citizen = await own_citizen(request, path_int(request))
    form = await form_data(request)
    me, now = current_coordinator(request), request.app["clock"].now()
    try:
        parsed = parse_appointment(form, now)
    except Invalid as exc:
        return _form(request, citizen, form, [DANISH_ERRORS.get(exc.field, exc.message)], status=422)

    def save(session):
        appointment = appointment_db.create_appointment(
            session, citizen.id, kind=parsed.kind, starts_at=parsed.starts_at, ends_at=parsed.ends_at,
            location=parsed.location, title=parsed.title, created_at=now,
        )
        # Same as the JSON API: reminders and the preparation invitation are planned at once.
        plan_appointment(session, appointment, now, request.app["settings"].proactive)
        log_access(session, me.id, citizen.id, "create_appointment", now)

    await request.app["db"].run(save)
    raise web.HTTPSeeOther(f"/citizens/{citizen.id}#h-appointments")


@login_required
async def attendance(request: web.Request) -> web.Response:
    status = (await form_data(request)).get("status")
    if status not in ATTENDANCE:
        raise web.HTTPUnprocessableEntity(text="Vælg mødt, udeblev eller aflyst.")
    me, now = current_coordinator(request), request.app["clock"].now()
    appointment_id = path_int(request)

    def record(session):
        found = appointment_db.get_appointment_with_citizen(session, appointment_id, me.id)
        if found is None:
            return None
        appointment, citizen = found
        # The scheduler's rules: a missed meeting alerts and plans the kind follow-up message.
        record_attendance(session, appointment, status, now, request.app["settings"].proactive)
        log_access(session, me.id, citizen.id, "record_attendance", now)
        return citizen

    citizen = await request.app["db"].run(record)
    if citizen is None:
        raise web.HTTPNotFound()
    raise web.HTTPSeeOther(f"/citizens/{citizen.id}#h-appointments")
