"""A citizen's rights over their data (GDPR art. 15 and 17) in the JSON API: a complete export,
and erasure of everything, including their conversation in Rasa's tracker store. For the
citizen's own coordinator and the admin; another coordinator's citizen is not found."""
from __future__ import annotations

import logging

from aiohttp import web

from bot.citizens.privacy import NotConfirmed, erase
from bot.db.access_log import log_access
from bot.db.citizens import get_citizen
from bot.service.export import export_document
from bot.service.validation import Invalid, json_body, path_id, required_str
from bot.service.views.citizens import not_found

log = logging.getLogger(__name__)
CONFIRMATION = "'confirm_phone' must be this citizen's phone number: erasure cannot be undone"


def export_response(document: dict, citizen_id: int) -> web.Response:
    return web.json_response(document, headers={
        "Content-Disposition": f'attachment; filename="borger-{citizen_id}.json"', "Cache-Control": "no-store"})


async def export(request: web.Request) -> web.Response:
    principal = request["principal"]
    citizen_id = path_id(request)
    now = request.app["clock"].now()

    def load(session):
        citizen = get_citizen(session, citizen_id, principal.scope)
        if citizen is None:
            return None
        if principal.coordinator_id is not None:
            log_access(session, principal.coordinator_id, citizen.id, "export", now)
        return export_document(session, citizen, request.app["tracker_events"], now)

    document = await request.app["db"].run(load)
    if document is None:
        raise not_found()
    log.info("citizen %s exported", citizen_id)
    return export_response(document, citizen_id)


async def erase_citizen(request: web.Request) -> web.Response:
    principal = request["principal"]
    citizen_id = path_id(request)
    confirm = required_str(await json_body(request), "confirm_phone", 30)
    now = request.app["clock"].now()

    def run(session):
        citizen = get_citizen(session, citizen_id, principal.scope)
        if citizen is None:
            return None
        return erase(session, citizen, confirm, request.app["tracker_events"], principal.coordinator_id, now)

    try:
        result = await request.app["db"].run(run)
    except NotConfirmed:
        raise Invalid(CONFIRMATION, "confirm_phone")
    if result is None:
        raise not_found()
    log.info("citizen %s erased", citizen_id)
    return web.json_response(result)
