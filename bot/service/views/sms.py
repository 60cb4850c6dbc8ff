"""SMS endpoints of the coordination service: the gateway's delivery reports, and a citizen's
SMS conversation for their coordinator."""
from __future__ import annotations

from aiohttp import web

from bot.db import outbox as outbox_db
from bot.db.citizens import get_citizen
from bot.db.messages import list_inbound
from bot.service.serializers import iso
from bot.service.validation import path_id
from bot.sms.gateway import InvalidSignature, parse_delivery_report, verify_webhook


async def delivery_report(request: web.Request) -> web.Response:
    settings = request.app["settings"]
    try:
        report = parse_delivery_report(verify_webhook(request.headers, settings.sms_webhook_secret))
    except InvalidSignature:
        return web.json_response({"error": "invalid signature"}, status=401)
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    message = await request.app["db"].run(
        outbox_db.apply_delivery_report, report.provider_id, report.userref, report.status,
        request.app["clock"].now())
    # 200 even for an unknown id: the gateway would otherwise retry a report we can never use.
    return web.json_response({"status": "ok" if message else "unknown id"})


def _conversation(session, citizen_id: int) -> list[dict]:
    inbound = list_inbound(session, citizen_id)
    rows = [
        {"direction": "in", "channel": m.channel, "text": m.text, "status": "received", "segments": None,
         "at": iso(m.received_at)}
        for m in inbound
    ]
    rows += [
        {"direction": "out", "channel": "sms", "text": m.text, "status": m.status, "segments": m.segments,
         "purpose": m.purpose, "attempts": m.attempts, "at": iso(m.created_at), "status_at": iso(m.status_at)}
        for m in outbox_db.list_for_citizen(session, citizen_id)
    ]
    return sorted(rows, key=lambda r: r["at"])


async def citizen_messages(request: web.Request) -> web.Response:
    citizen_id = path_id(request)
    scope = request["principal"].scope

    def load(session):
        return _conversation(session, citizen_id) if get_citizen(session, citizen_id, scope) else None

    rows = await request.app["db"].run(load)
    if rows is None:
        return web.json_response({"error": "citizen not found"}, status=404)
    return web.json_response(rows)
