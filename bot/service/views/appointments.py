"""Appointments over the JSON API: create, move or cancel, record attendance, list. The rules live in
one place, bot/appointments/booking.py; this adapter checks types and field presence, calls the use
case in one transaction and answers JSON (refusals become 422 / 404 in validation.use_case_errors)."""
from __future__ import annotations

from aiohttp import web
from sqlalchemy.orm import Session

from bot.appointments import booking
from bot.core.errors import NotFound
from bot.db import appointments as appointment_db
from bot.db import citizens as citizen_db
from bot.db import jobs as job_db
from bot.db.models import APPOINTMENT_KINDS, Appointment
from bot.service.access_log import APPOINTMENT, audited
from bot.service.serializers import appointment_json
from bot.service.validation import (
    aware_datetime,
    json_body,
    one_of,
    optional_bool,
    optional_str,
    path_id,
)


def _with_jobs(session: Session, appointment: Appointment) -> dict:
    return appointment_json(appointment, job_db.list_jobs(session, target=job_db.appointment_target(appointment.id)))


def _context(request: web.Request) -> tuple:
    return request["principal"].scope, request.app["clock"].now(), request.app["settings"].proactive


@audited("create_appointment")
async def create(request: web.Request) -> web.Response:
    citizen_id = path_id(request)
    body = await json_body(request)
    fields = dict(
        kind=one_of(body, "kind", APPOINTMENT_KINDS),
        starts_at=aware_datetime(body, "starts_at"),
        ends_at=aware_datetime(body, "ends_at", required=False),
        location=optional_str(body, "location"), title=optional_str(body, "title"),
        notify_if_unanswered=optional_bool(body, "notify_if_unanswered", False),
        interpreter=optional_bool(body, "interpreter", False),
    )
    scope, now, settings = _context(request)

    def add(session):
        return _with_jobs(session, booking.create(session, citizen_id, scope, fields, now, settings))

    return web.json_response(await request.app["db"].run(add), status=201)


@audited("view_appointments")
async def index(request: web.Request) -> web.Response:
    citizen_id = path_id(request)
    scope = request["principal"].scope

    def load(session):
        if citizen_db.get_citizen(session, citizen_id, scope) is None:
            raise NotFound("citizen not found")
        return [_with_jobs(session, a) for a in appointment_db.list_appointments(session, citizen_id)]

    return web.json_response(await request.app["db"].run(load))


@audited("view_appointment", APPOINTMENT)
async def show(request: web.Request) -> web.Response:
    appointment_id = path_id(request)
    scope = request["principal"].scope

    def load(session):
        appointment = appointment_db.get_appointment(session, appointment_id, scope)
        if appointment is None:
            raise NotFound("appointment not found")
        return _with_jobs(session, appointment)

    return web.json_response(await request.app["db"].run(load))


def _changes(body: dict) -> dict:
    """Types only; what may change, and when, is booking.change's."""
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
    for flag in ("notify_if_unanswered", "interpreter"):
        if flag in body:
            changes[flag] = optional_bool(body, flag)
    if "status" in body:
        changes["status"] = body["status"]
    return changes


@audited("change_appointment", APPOINTMENT)
async def update(request: web.Request) -> web.Response:
    """Move (new starts_at/ends_at), edit, or cancel ({"status": "cancelled"}) a planned appointment."""
    appointment_id = path_id(request)
    changes = _changes(await json_body(request))
    scope, now, settings = _context(request)

    def change(session):
        return _with_jobs(session, booking.change(session, appointment_id, scope, changes, now, settings))

    return web.json_response(await request.app["db"].run(change))


@audited("record_attendance", APPOINTMENT)
async def attendance(request: web.Request) -> web.Response:
    """{"status": "attended" | "missed" | "cancelled"}. Missed sends the citizen a kind follow-up
    and alerts the coordinator (missed_appointment; high on the second miss in a row)."""
    appointment_id = path_id(request)
    status = (await json_body(request)).get("status")
    scope, now, settings = _context(request)

    def record(session):
        return _with_jobs(session, booking.record_attendance(session, appointment_id, scope, status, now, settings))

    return web.json_response(await request.app["db"].run(record))
