"""A citizen's rights over their data (GDPR art. 15 and 17) in the JSON API: a complete export,
and erasure of everything, including their conversation in Rasa's tracker store. For the
citizen's own coordinator and the admin; another coordinator's citizen is not found."""
from __future__ import annotations

import logging

from aiohttp import web

from bot.citizens.privacy import ConversationNotErased, NotConfirmed, erase_everywhere
from bot.core.errors import NotFound
from bot.db.access_log import Actor
from bot.db.citizens import get_citizen
from bot.service.access_log import audited
from bot.service.export import export_document
from bot.service.validation import Invalid, json_body, path_id, required_str
from bot.service.views.citizens import not_found

log = logging.getLogger(__name__)
CONFIRMATION = "'confirm_phone' must be this citizen's phone number: erasure cannot be undone"


def export_response(document: dict, citizen_id: int) -> web.Response:
    return web.json_response(document, headers={
        "Content-Disposition": f'attachment; filename="borger-{citizen_id}.json"', "Cache-Control": "no-store"})


@audited("export")
async def export(request: web.Request) -> web.Response:
    principal = request["principal"]
    citizen_id = path_id(request)
    now = request.app["clock"].now()

    def load(session):
        citizen = get_citizen(session, citizen_id, principal.scope)
        if citizen is None:
            return None
        return export_document(session, citizen, request.app["tracker_events"], now)

    document = await request.app["db"].run(load)
    if document is None:
        raise not_found()
    log.info("citizen %s exported", citizen_id)
    return export_response(document, citizen_id)


@audited("erase")  # a refused erasure is logged here; a done one by the erasure itself (pseudonymised)
async def erase_citizen(request: web.Request) -> web.Response:
    """POST /api/citizens/{id}/erase {"confirm_phone"}: 200 only when Rasa's own API shows the
    conversation gone too (bot/citizens/privacy.py); 503/502 with {"error", "erased", "erasure_id"}
    otherwise (docs/api.md)."""
    principal, app = request["principal"], request.app
    citizen_id = path_id(request)
    confirm = required_str(await json_body(request), "confirm_phone", 30)
    try:
        result = await erase_everywhere(app["db"], citizen_id, principal.scope, confirm, app["tracker_events"],
                                        app["rasa_conversations"], Actor.of(principal.coordinator_id),
                                        app["clock"].now())
    except NotConfirmed:
        raise Invalid(CONFIRMATION, "confirm_phone")
    except NotFound:
        raise not_found()
    except ConversationNotErased as exc:
        return web.json_response({"error": exc.message, "erased": exc.erased, "erasure_id": exc.erasure_id},
                                 status=erasure_failed_status(exc))
    log.info("citizen %s erased", citizen_id)
    return web.json_response(result)


def erasure_failed_status(exc: ConversationNotErased) -> int:
    """502: Rasa answered, and still has the conversation; 503: Rasa or the tracker store could not
    be reached. Either way the erasure is not reported as done."""
    return 502 if exc.events else 503
