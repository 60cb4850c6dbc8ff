"""Appointments: create, move or cancel, record attendance, list. Every change re-plans the
appointment's jobs in the same transaction, so reminders always match the calendar."""
from __future__ import annotations

from datetime import datetime, timedelta

from aiohttp import web
from sqlalchemy.orm import Session

from bot.appointments.attendance import record_attendance
from bot.db import appointments as appointment_db
from bot.db import citizens as citizen_db
from bot.db import jobs as job_db
from bot.db.models import APPOINTMENT_KINDS, Appointment
from bot.jobs.planner import plan_appointment
from bot.service.serializers import appointment_json
from bot.service.validation import (
    Invalid,
    aware_datetime,
    json_body,
    one_of,
    optional_bool,
    optional_str,
    path_id,
)

MAX_AHEAD = timedelta(days=2 * 365)
MAX_LENGTH = timedelta(hours=24)
ATTENDANCE = ("attended", "missed", "cancelled")


def not_found(what: str = "appointment") -> web.HTTPNotFound:
    return web.HTTPNotFound(text=f'{{"error": "{what} not found"}}', content_type="application/json")


def _check_times(starts_at: datetime, ends_at: datetime | None, now: datetime) -> None:
    if starts_at <= now:
        raise Invalid("'starts_at' is in the past; an appointment must start in the future")
    if starts_at - now > MAX_AHEAD:
        raise Invalid("'starts_at' is more than two years ahead; check the year")
    if ends_at is not None and ends_at <= starts_at:
        raise Invalid("'ends_at' must be after 'starts_at'")
    if ends_at is not None and ends_at - starts_at > MAX_LENGTH:
        raise Invalid("'ends_at' must be within 24 hours of 'starts_at'")


def _with_jobs(session: Session, appointment: Appointment) -> dict:
    return appointment_json(appointment, job_db.list_jobs(session, target=job_db.appointment_target(appointment.id)))


async def create(request: web.Request) -> web.Response:
    citizen_id = path_id(request)
    body = await json_body(request)
    kind = one_of(body, "kind", APPOINTMENT_KINDS)
    starts_at = aware_datetime(body, "starts_at")
    ends_at = aware_datetime(body, "ends_at", required=False)
    fields = dict(
        kind=kind, starts_at=starts_at, ends_at=ends_at,
        location=optional_str(body, "location"), title=optional_str(body, "title"),
        notify_if_unanswered=optional_bool(body, "notify_if_unanswered", False),
    )
    now = request.app["clock"].now()
    _check_times(starts_at, ends_at, now)
    settings = request.app["settings"].proactive
    scope = request["principal"].scope

    def add(session):
        if citizen_db.get_citizen(session, citizen_id, scope) is None:
            raise not_found("citizen")
        appointment = appointment_db.create_appointment(session, citizen_id, created_at=now, **fields)
        plan_appointment(session, appointment, now, settings)
        return _with_jobs(session, appointment)

    return web.json_response(await request.app["db"].run(add), status=201)


async def index(request: web.Request) -> web.Response:
    citizen_id = path_id(request)
    scope = request["principal"].scope

    def load(session):
        if citizen_db.get_citizen(session, citizen_id, scope) is None:
            raise not_found("citizen")
        return [_with_jobs(session, a) for a in appointment_db.list_appointments(session, citizen_id)]

    return web.json_response(await request.app["db"].run(load))


async def show(request: web.Request) -> web.Response:
    appointment_id = path_id(request)
    scope = request["principal"].scope

    def load(session):
        appointment = appointment_db.get_appointment(session, appointment_id, scope)
        if appointment is None:
            raise not_found()
        return _with_jobs(session, appointment)

    return web.json_response(await request.app["db"].run(load))


def _changes(body: dict) -> dict:
    changes = {}
    if "kind" in body:
        changes["kind"] = one_of(body, "kind", APPOINTMENT_KINDS)
    if "starts_at" in body:
        changes["starts_at"] = aware_datetime(body, "starts_at")
    if "ends_at" in body:
        changes["ends_at"] = aware_datetime(body, "ends_at", required=False)
    for field in ("location", "title"):
        if field in body:
            changes[field] = optional_str(body, field)
    if "notify_if_unanswered" in body:
        changes["notify_if_unanswered"] = optional_bool(body, "notify_if_unanswered")
    if "status" in body:
        changes["status"] = one_of(body, "status", ("cancelled",))
    if not changes:
        raise Invalid("nothing to change: give starts_at, ends_at, location, title, kind, "
                      "notify_if_unanswered or status \"cancelled\"")
    return changes


async def update(request: web.Request) -> web.Response:
    """Move (new starts_at/ends_at), edit, or cancel ({"status": "cancelled"}) a planned appointment."""
    appointment_id = path_id(request)
    changes = _changes(await json_body(request))
    now = request.app["clock"].now()
    settings = request.app["settings"].proactive
    scope = request["principal"].scope

    def change(session):
        appointment = appointment_db.get_appointment(session, appointment_id, scope)
        if appointment is None:
            raise not_found()
        if appointment.status != "planned":
            raise Invalid(f"the appointment is {appointment.status} and can no longer be changed; create a new one")
        starts_at = changes.get("starts_at", appointment.starts_at)
        ends_at = changes.get("ends_at", appointment.ends_at)
        if changes.get("status") != "cancelled" and ("starts_at" in changes or "ends_at" in changes):
            _check_times(starts_at, ends_at, now)
        if "starts_at" in changes and changes["starts_at"] != appointment.starts_at:
            # The citizen's JA/KAN IKKE was about the old time.
            appointment.citizen_reply = None
            appointment.citizen_replied_at = None
        for field, value in changes.items():
            setattr(appointment, field, value)
        session.flush()
        plan_appointment(session, appointment, now, settings)
        return _with_jobs(session, appointment)

    return web.json_response(await request.app["db"].run(change))


async def attendance(request: web.Request) -> web.Response:
    """{"status": "attended" | "missed" | "cancelled"}. Missed sends the citizen a kind follow-up
    and alerts the coordinator (missed_appointment; high on the second miss in a row)."""
    appointment_id = path_id(request)
    status = one_of(await json_body(request), "status", ATTENDANCE)
    now = request.app["clock"].now()
    settings = request.app["settings"].proactive
    scope = request["principal"].scope

    def record(session):
        appointment = appointment_db.get_appointment(session, appointment_id, scope)
        if appointment is None:
            raise not_found()
        if status != "cancelled" and appointment.starts_at > now:
            raise Invalid(f"the appointment has not started yet; it cannot be {status} before "
                          f"{appointment.starts_at.isoformat()}")
        record_attendance(session, appointment, status, now, settings)
        return _with_jobs(session, appointment)

    return web.json_response(await request.app["db"].run(record))
