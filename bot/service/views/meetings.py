"""Before and after the meeting, for the coordinator: the citizen's preparation and the agreements."""
from __future__ import annotations

from datetime import date

from aiohttp import web

from bot.core.vocabulary import PreparationStatus
from bot.db import agreements as agreement_db
from bot.db import preparations as prep_db
from bot.db.appointments import get_appointment
from bot.db.citizens import get_citizen
from bot.jobs.planner import plan_agreements_approval
from bot.meetings.agreements import owned_by_citizen
from bot.service.access_log import APPOINTMENT, audited
from bot.service.serializers import agreement_json, iso
from bot.service.validation import Invalid, json_value, path_id

SUMMARY_FIELDS = ("most_important", "decisions", "watch", "next_agenda")


def _not_found(what: str) -> web.HTTPNotFound:
    return web.HTTPNotFound(text=f'{{"error": "{what} not found"}}', content_type="application/json")


@audited("view_preparation", APPOINTMENT)
async def preparation(request: web.Request) -> web.Response:
    appointment_id = path_id(request)
    scope = request["principal"].scope

    def load(session):
        if get_appointment(session, appointment_id, coordinator_id=scope) is None:
            return None
        return prep_db.get_preparation(session, appointment_id) or False

    found = await request.app["db"].run(load)
    if found is None:
        raise _not_found("appointment")
    if found is False:
        return web.json_response({"status": PreparationStatus.NOT_STARTED, "answers": {}, "correction": None, "updated_at": None})
    return web.json_response({"status": found.status, "answers": found.answers, "correction": found.correction,
                              "updated_at": iso(found.updated_at), "completed_at": iso(found.completed_at)})


def _parse_items(body) -> tuple[list[dict], dict]:
    """Accepts a bare list of agreements, or {"agreements": [...], "summary": {...}}."""
    if not isinstance(body, (list, dict)):  # a bare string or number was a 500 (issue 12, point 5)
        raise Invalid("send 1 to 20 agreements: [{\"what\", \"who\", \"due_date\"}]")
    items, summary = (body, {}) if isinstance(body, list) else (body.get("agreements"), body.get("summary") or {})
    if not isinstance(items, list) or not items or len(items) > 20:
        raise Invalid("send 1 to 20 agreements: [{\"what\", \"who\", \"due_date\"}]")
    if not isinstance(summary, dict) or set(summary) - set(SUMMARY_FIELDS):
        raise Invalid(f"'summary' may only have: {', '.join(SUMMARY_FIELDS)}")
    parsed = []
    for n, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise Invalid(f"agreement {n} must be an object")
        what, who = item.get("what"), item.get("who")
        if not isinstance(what, str) or not what.strip() or len(what) > 300:
            raise Invalid(f"agreement {n}: 'what' is required (at most 300 characters)")
        if not isinstance(who, str) or not who.strip() or len(who) > 100:
            raise Invalid(f"agreement {n}: 'who' is required (at most 100 characters)")
        due = item.get("due_date")
        try:
            due_date = date.fromisoformat(due) if due else None
        except (TypeError, ValueError):
            raise Invalid(f"agreement {n}: 'due_date' must be a date like 2026-12-01")
        parsed.append({"what": what.strip(), "who": who.strip(), "due_date": due_date})
    return parsed, {k: str(v)[:1000] for k, v in summary.items()}


@audited("post_agreements", APPOINTMENT)
async def create_agreements(request: web.Request) -> web.Response:
    appointment_id = path_id(request)
    scope = request["principal"].scope
    items, summary = _parse_items(await json_value(request))
    now = request.app["clock"].now()

    def store(session):
        appointment = get_appointment(session, appointment_id, coordinator_id=scope)
        if appointment is None:
            return None
        citizen = get_citizen(session, appointment.citizen_id)
        for item in items:
            item["owner_is_citizen"] = owned_by_citizen(item["who"], citizen.name)
        rows = agreement_db.replace_agreements(session, appointment_id, citizen.id, items, summary, now)
        plan_agreements_approval(session, appointment, now, request.app["settings"].proactive)
        return rows

    rows = await request.app["db"].run(store)
    if rows is None:
        raise _not_found("appointment")
    return web.json_response([agreement_json(a) for a in rows], status=201)


@audited("view_agreements")
async def citizen_agreements(request: web.Request) -> web.Response:
    citizen_id = path_id(request)
    scope = request["principal"].scope

    def load(session):
        if get_citizen(session, citizen_id, scope) is None:
            return None
        return agreement_db.for_citizen(session, citizen_id)

    rows = await request.app["db"].run(load)
    if rows is None:
        raise _not_found("citizen")
    return web.json_response([agreement_json(a) for a in rows])
