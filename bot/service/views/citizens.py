"""Citizens over the JSON API: register, list, show, change. The rules live in one place,
bot/citizens/registration.py; this adapter checks the request's shape and who may ask, calls the
use case in one transaction and answers JSON (refusals become 422 / 404 in
validation.use_case_errors)."""
from __future__ import annotations

from aiohttp import web

from bot.citizens import registration
from bot.citizens.course import ended_courses
from bot.db import checkins as checkin_db
from bot.db import citizens as citizen_db
from bot.service.access_log import VIEW, audit_citizen, audited
from bot.service.serializers import checkin_json, citizen_json
from bot.service.validation import Invalid, json_body, path_id
from bot.service.web.course_report import report_json


def not_found() -> web.HTTPNotFound:
    return web.HTTPNotFound(text='{"error": "citizen not found"}', content_type="application/json")


@audited("register", VIEW)
async def create(request: web.Request) -> web.Response:
    principal = request["principal"]
    body = await json_body(request)
    coordinator_id = body.get("coordinator_id", principal.coordinator_id)
    if not isinstance(coordinator_id, int) or isinstance(coordinator_id, bool):
        raise Invalid("'coordinator_id' is required and must be an integer", "coordinator_id")
    if not principal.is_admin and coordinator_id != principal.coordinator_id:
        raise web.HTTPForbidden(
            text='{"error": "a coordinator can only register their own citizens"}', content_type="application/json"
        )
    optional = {field: body[field] for field in ("checkin_interval_days", "programme", "language") if field in body}
    now = request.app["clock"].now()
    try:
        citizen = await request.app["db"].run(
            registration.register, body.get("name"), body.get("phone"), coordinator_id, now, **optional)
    except registration.DuplicatePhone:
        return web.json_response({"error": "a citizen with this phone number already exists"}, status=409)
    audit_citizen(request, citizen.id)
    return web.json_response(citizen_json(citizen), status=201)


async def _scoped_citizen(request: web.Request):
    citizen = await request.app["db"].run(citizen_db.get_citizen, path_id(request), request["principal"].scope)
    if citizen is None:
        raise not_found()
    return citizen


@audited("view_citizen")
async def show(request: web.Request) -> web.Response:
    return web.json_response(citizen_json(await _scoped_citizen(request)))


@audited("list_citizens", VIEW)  # a list: one row about no one citizen (docs/privacy.md)
async def index(request: web.Request) -> web.Response:
    citizens = await request.app["db"].run(citizen_db.list_citizens, request["principal"].scope)
    return web.json_response([citizen_json(c) for c in citizens])


@audited("view_checkins")
async def checkins(request: web.Request) -> web.Response:
    citizen = await _scoped_citizen(request)
    rows = await request.app["db"].run(checkin_db.list_checkins, citizen.id)
    return web.json_response([checkin_json(c) for c in rows])


@audited("update")
async def update(request: web.Request) -> web.Response:
    """Any of status ("active" | "inactive": resume or end the course), end_reason (with "inactive"),
    checkin_interval_days, programme, language ("da", "en", ...: bot/citizens/language.py), phone (a
    new number closes the citizen's web-chat links; docs/privacy.md)."""
    principal = request["principal"]
    changes = await json_body(request)
    app = request.app
    try:
        citizen = await app["db"].run(registration.change, path_id(request), principal.scope, changes,
                                      app["clock"].now(), app["settings"].proactive, tracker=app["tracker_events"])
    except registration.OptedOut:
        return web.json_response({"error": "the citizen sent STOP; only their START turns messages on again"},
                                 status=409)
    except registration.DuplicatePhone:
        return web.json_response({"error": "a citizen with this phone number already exists"}, status=409)
    return web.json_response(citizen_json(citizen))


@audited("list_ended_courses", VIEW)  # a list: one row about no one citizen (docs/privacy.md)
async def ended(request: web.Request) -> web.Response:
    """The report of ended courses: the coordinator's (admin: everyone's), per reason and each course."""
    courses = await request.app["db"].run(ended_courses, request["principal"].scope)
    return web.json_response(report_json(courses))
