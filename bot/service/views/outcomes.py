"""Outcome measures over the JSON API: a citizen's scores, their rounds of questions, and asking for
one now. The rules live in bot/outcomes/record.py; this adapter checks the request's shape and who
may ask, calls the use case in one transaction and answers JSON (refusals become 422 / 404 in
validation.use_case_errors). Another coordinator's citizen is not found, as in views/citizens.py."""
from __future__ import annotations

from aiohttp import web
from sqlalchemy.orm import Session

from bot.core.errors import NotFound
from bot.db import citizens as citizen_db
from bot.db import outcomes as outcome_db
from bot.outcomes import instruments as ins
from bot.outcomes import record
from bot.service.access_log import audited
from bot.service.serializers import outcome_json, questionnaire_json
from bot.service.validation import Invalid, json_body, path_id


def _citizen(session: Session, citizen_id: int, scope: int | None):
    citizen = citizen_db.get_citizen(session, citizen_id, scope)
    if citizen is None:
        raise NotFound("citizen not found")
    return citizen


async def _citizens_rows(request: web.Request, query, to_json) -> web.Response:
    """`query(session, citizen_id)`'s rows as JSON, for a citizen in the caller's scope (else 404)."""
    citizen_id, scope = path_id(request), request["principal"].scope

    def load(session):
        citizen = _citizen(session, citizen_id, scope)
        return [to_json(row) for row in query(session, citizen.id)]

    return web.json_response(await request.app["db"].run(load))


@audited("view_outcomes")
async def index(request: web.Request) -> web.Response:
    """The instruments the citizen answered in full, oldest first."""
    return await _citizens_rows(request, outcome_db.answered_measures, outcome_json)


@audited("view_questionnaires")
async def rounds(request: web.Request) -> web.Response:
    """Every round of questions the citizen was or will be asked, by due time."""
    return await _citizens_rows(request, outcome_db.rounds, questionnaire_json)


def instrument_code(body: dict) -> str:
    """The instrument asked for, as a known code (422 otherwise, before it reaches the use case)."""
    value = body.get("instrument")
    if not isinstance(value, str) or value not in ins.INSTRUMENTS:
        raise Invalid(f"'instrument' is required and must be one of: {', '.join(ins.INSTRUMENTS)}", "instrument")
    return value


@audited("request_questionnaire")
async def request_round(request: web.Request) -> web.Response:
    """{"instrument": "who5"}: asks for it now; the scheduler sends it at the next allowed time.
    201 with the new round, or 200 with the round already being asked (or planned, moved to now)
    that includes it: a citizen is never asked two rounds at once."""
    citizen_id, principal = path_id(request), request["principal"]
    body = await json_body(request)
    instrument = instrument_code(body)
    now, settings = request.app["clock"].now(), request.app["settings"].proactive

    def ask(session):
        citizen = _citizen(session, citizen_id, principal.scope)
        questionnaire, is_new = record.request(session, citizen, instrument, requested_by=principal.coordinator_id,
                                               now=now, settings=settings)
        return questionnaire_json(questionnaire), is_new

    round_json, is_new = await request.app["db"].run(ask)
    return web.json_response(round_json, status=201 if is_new else 200)
