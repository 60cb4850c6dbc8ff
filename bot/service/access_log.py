"""The service's two logs.

1. The audit trail (docs/privacy.md, "The access log"): every API view and dashboard page that reads
   or changes a citizen's data is declared with `@audited(action, via)`, and the declaration writes
   the `access_log` row itself, after the handler, for coordinators and the admin alike. A view
   cannot forget it: tests/security/test_audit_retention.py walks the router and fails on a route
   that is neither audited nor on its short list of routes without citizen data.
   - Who: the API's principal (a coordinator, or the admin token) or the dashboard's coordinator.
   - Which citizen: the route's id, looked up in the actor's scope (`via`: the id names a citizen,
     an appointment or an alert), or the citizens the view names with `audit_citizen` (a new
     citizen, a reassignment); a list names none (one row, citizen NULL).
   - When it is written: after the handler, before the answer leaves, for every outcome that
     touched a citizen the actor may see: success, and refusals of what was sent (400, 409, 413,
     422, 429: the status is kept). Not for 401/403/404/405 or errors: nothing was shown or done.
   - If the row cannot be written the answer is a 503 instead of the data: nothing is shown
     unlogged. A change already committed stays (its row is then missing; the error is logged).
2. The HTTP access log without query strings: they carry credentials and personal data
   (`/chat?token=` is a citizen's signed link; `/fake-sms/messages?msisdn=`)."""
from __future__ import annotations

import functools
import json
import logging
from dataclasses import dataclass

from aiohttp import web
from aiohttp.abc import AbstractAccessLogger

from bot.core import errors
from bot.db.access_log import ADMIN, Actor, log_access, subject_citizen
from bot.db.database import DATABASE_ERRORS
from bot.service.validation import is_id

log = logging.getLogger(__name__)

# What the route's {id} names (bot/db/access_log.py, subject_citizen), or VIEW: the view names the
# citizens itself with audit_citizen (none: a list).
CITIZEN, APPOINTMENT, ALERT, VIEW = "citizen", "appointment", "alert", "view"
NOT_LOGGED = frozenset({401, 403, 404, 405})
_NAMED = "audit_citizens"
_WRITTEN = "audit_written_by_use_case"


@dataclass(frozen=True)
class Audit:
    action: str
    via: str


def audited(action: str, via: str = CITIZEN):
    """Declares a handler as reading or changing a citizen's data, and logs each request to it."""
    spec = Audit(action, via)

    def decorate(handler):
        @functools.wraps(handler)
        async def wrapper(request: web.Request):
            request[_NAMED] = []
            try:
                response = await handler(request)
            except web.HTTPException as exc:
                await _record(request, spec, exc.status)
                raise
            except errors.Invalid:  # a use case's refusal: 422 (bot/service/validation.use_case_errors)
                await _record(request, spec, 422)
                raise
            await _record(request, spec, response.status)
            return response

        wrapper.audit = spec
        return wrapper

    return decorate


def audit_citizen(request: web.Request, citizen_id: int) -> None:
    """For VIEW routes: a citizen this request read or changed (e.g. the one just registered)."""
    request[_NAMED].append(citizen_id)


def written_by_use_case(request: web.Request) -> None:
    """The use case wrote this request's row itself, in its own transaction (a change of
    coordinator: afterwards the old coordinator no longer sees the citizen, so the declaration could
    not name them). The declaration writes no second row; refusals before this call are still its."""
    request[_WRITTEN] = True


def _actor(request: web.Request) -> tuple[Actor, int | None] | None:
    """(who, the scope their lookups are limited to), or None when nobody is logged in."""
    principal = request.get("principal")
    if principal is not None:
        return (ADMIN, None) if principal.is_admin else (Actor.of(principal.coordinator_id), principal.coordinator_id)
    session = request.get("dashboard_session")
    if session is not None:
        return Actor.of(session.coordinator.id), session.coordinator.id
    return None


def _route_id(request: web.Request) -> int | None:
    value = request.match_info.get("id", "")
    return int(value) if is_id(value) else None


async def _record(request: web.Request, spec: Audit, status: int) -> None:
    if status in NOT_LOGGED or status >= 500 or request.get(_WRITTEN):
        return
    found = _actor(request)
    if found is None:
        return
    actor, scope = found
    now = request.app["clock"].now()
    named = list(dict.fromkeys(request.get(_NAMED, [])))
    route_id = _route_id(request)

    def write(session):
        if spec.via == VIEW:
            citizens = named or [None]
        else:
            citizen = subject_citizen(session, spec.via, route_id, scope) if route_id is not None else None
            citizens = [citizen] if citizen is not None else []  # gone (erased) or not theirs: nothing to log
        for citizen_id in citizens:
            log_access(session, actor, citizen_id, spec.action, now, status)

    try:
        await request.app["db"].run(write)
    except DATABASE_ERRORS:
        log.exception("access log not written for %s %s (%s)", request.method, request.path, spec.action)
        message = "the access could not be recorded in the access log; nothing is shown unlogged: try again"
        if request.path.startswith("/api/"):
            raise web.HTTPServiceUnavailable(text=json.dumps({"error": message}),
                                             content_type="application/json") from None
        raise web.HTTPServiceUnavailable(text="Adgangen kunne ikke logges, så siden vises ikke. Prøv igen om lidt.") \
            from None


class PathOnlyAccessLogger(AbstractAccessLogger):
    def log(self, request, response, time: float) -> None:
        self.logger.info("%s %s %s %.1fms", request.method, request.path, response.status, time * 1000)
