from __future__ import annotations

from dataclasses import dataclass

from aiohttp import web

from bot.checkins.programmes import programme_names
from bot.citizens.course import COURSE_STATUSES, OptedOut, set_course
from bot.core.phone import InvalidPhone, normalize_phone
from bot.db import checkins as checkin_db
from bot.db import citizens as citizen_db
from bot.db.access_log import log_access
from bot.db.coordinators import get_coordinator
from bot.service.serializers import checkin_json, citizen_json
from bot.service.validation import Invalid, int_in_range, json_body, path_id, required_str


def not_found() -> web.HTTPNotFound:
    return web.HTTPNotFound(text='{"error": "citizen not found"}', content_type="application/json")


@dataclass(frozen=True)
class Registration:
    name: str
    phone: str
    checkin_interval_days: int
    programme: str


def parse_registration(body: dict) -> Registration:
    """The rules for a new citizen, shared by the JSON API and the dashboard form."""
    name = required_str(body, "name")
    try:
        phone = normalize_phone(required_str(body, "phone", 30))
    except InvalidPhone:
        raise Invalid("'phone' must be a Danish mobile number: 8 digits or +45 followed by 8 digits", "phone")
    interval = int_in_range(body, "checkin_interval_days", 7, 1, 90)
    programme = body.get("programme", "standard")
    if programme not in programme_names():
        raise Invalid(f"'programme' must be one of: {', '.join(programme_names())}", "programme")
    return Registration(name, phone, interval, programme)


def register(session, registration: Registration, coordinator_id: int, now):
    """Raises Invalid for an unknown coordinator and DuplicatePhone for a known number."""
    if get_coordinator(session, coordinator_id) is None:
        raise Invalid(f"coordinator {coordinator_id} does not exist", "coordinator_id")
    # Registration by the municipality is where consent is recorded (DESIGN §6).
    return citizen_db.create_citizen(
        session,
        name=registration.name,
        phone=registration.phone,
        coordinator_id=coordinator_id,
        checkin_interval_days=registration.checkin_interval_days,
        programme=registration.programme,
        consent_at=now,
    )


async def create(request: web.Request) -> web.Response:
    principal = request["principal"]
    body = await json_body(request)
    registration = parse_registration(body)
    coordinator_id = body.get("coordinator_id", principal.coordinator_id)
    if not isinstance(coordinator_id, int) or isinstance(coordinator_id, bool):
        raise Invalid("'coordinator_id' is required and must be an integer", "coordinator_id")
    if not principal.is_admin and coordinator_id != principal.coordinator_id:
        raise web.HTTPForbidden(
            text='{"error": "a coordinator can only register their own citizens"}', content_type="application/json"
        )
    now = request.app["clock"].now()
    try:
        citizen = await request.app["db"].run(register, registration, coordinator_id, now)
    except citizen_db.DuplicatePhone:
        return web.json_response({"error": "a citizen with this phone number already exists"}, status=409)
    return web.json_response(citizen_json(citizen), status=201)


async def _scoped_citizen(request: web.Request):
    citizen = await request.app["db"].run(citizen_db.get_citizen, path_id(request), request["principal"].scope)
    if citizen is None:
        raise not_found()
    return citizen


async def show(request: web.Request) -> web.Response:
    return web.json_response(citizen_json(await _scoped_citizen(request)))


async def index(request: web.Request) -> web.Response:
    citizens = await request.app["db"].run(citizen_db.list_citizens, request["principal"].scope)
    return web.json_response([citizen_json(c) for c in citizens])


async def checkins(request: web.Request) -> web.Response:
    citizen = await _scoped_citizen(request)
    rows = await request.app["db"].run(checkin_db.list_checkins, citizen.id)
    return web.json_response([checkin_json(c) for c in rows])


def parse_changes(body: dict) -> dict:
    """What a coordinator may change about a citizen; each field optional, nothing else allowed."""
    unknown = set(body) - {"status", "checkin_interval_days", "programme"}
    if unknown:
        raise Invalid(f"cannot change {', '.join(sorted(unknown))}; allowed: status, checkin_interval_days, programme")
    changes = {}
    if "status" in body:
        if body["status"] not in COURSE_STATUSES:
            raise Invalid("'status' must be active or inactive (the course ended); opted_out is the citizen's own STOP",
                          "status")
        changes["status"] = body["status"]
    if "checkin_interval_days" in body:
        changes["checkin_interval_days"] = int_in_range(body, "checkin_interval_days", 7, 1, 90)
    if "programme" in body:
        if body["programme"] not in programme_names():
            raise Invalid(f"'programme' must be one of: {', '.join(programme_names())}", "programme")
        changes["programme"] = body["programme"]
    return changes


def apply_changes(session, citizen_id: int, scope: int | None, changes: dict, now, settings, by: int | None):
    """None for a citizen outside the scope; raises course.OptedOut for a status change after STOP."""
    citizen = citizen_db.get_citizen(session, citizen_id, scope)
    if citizen is None:
        return None
    if "status" in changes:
        set_course(session, citizen, changes["status"], now, settings)
    citizen_db.update_settings(session, citizen, **{k: v for k, v in changes.items() if k != "status"})
    if by is not None:
        log_access(session, by, citizen.id, "update", now)
    session.refresh(citizen)
    return citizen


async def update(request: web.Request) -> web.Response:
    principal = request["principal"]
    changes = parse_changes(await json_body(request))
    app = request.app
    try:
        citizen = await app["db"].run(apply_changes, path_id(request), principal.scope, changes, app["clock"].now(),
                                      app["settings"].proactive, principal.coordinator_id)
    except OptedOut:
        return web.json_response({"error": "the citizen sent STOP; only their START turns messages on again"},
                                 status=409)
    if citizen is None:
        raise not_found()
    return web.json_response(citizen_json(citizen))
