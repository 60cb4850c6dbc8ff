"""SMS endpoints of the coordination service: the gateway's delivery reports, and a citizen's
SMS conversation for their coordinator."""
from __future__ import annotations

from aiohttp import web

from bot.citizens.conversation import conversation
from bot.db.citizens import get_citizen
from bot.service.access_log import audited
from bot.service.serializers import iso
from bot.service.validation import path_id
from bot.sms.gateway import InvalidSignature, parse_delivery_report, verify_webhook
from bot.sms.outbox import apply_delivery_report


async def delivery_report(request: web.Request) -> web.Response:
    settings = request.app["settings"]
    try:
        report = parse_delivery_report(verify_webhook(request.headers, settings.sms_webhook_secret))
    except InvalidSignature:
        return web.json_response({"error": "invalid signature"}, status=401)
    except ValueError as exc:
        return web.json_response({"error": str(exc)}, status=400)
    # An undeliverable message raises the unreachable alert in the same transaction (bot.sms.outbox).
    message = await request.app["db"].run(
        apply_delivery_report, report.provider_id, report.userref, report.status, request.app["clock"].now())
    # 200 even for an unknown id, a replay or a report that comes too late to change the status
    # (statuses only move forward): the gateway would otherwise retry a report we can never use.
    return web.json_response({"status": "ok" if message else "unknown id"})


def _entry_json(e) -> dict:
    row = {"direction": e.direction, "channel": e.channel, "text": e.text, "status": e.status,
           "segments": e.segments, "at": iso(e.at)}
    if e.direction == "out":
        row.update(purpose=e.purpose, attempts=e.attempts, status_at=iso(e.status_at),
                   suppressed_reason=e.suppressed_reason)
    return row


@audited("view_messages")
async def citizen_messages(request: web.Request) -> web.Response:
    citizen_id = path_id(request)
    scope = request["principal"].scope

    def load(session):
        if get_citizen(session, citizen_id, scope) is None:
            return None
        return [_entry_json(e) for e in conversation(session, citizen_id)]

    rows = await request.app["db"].run(load)
    if rows is None:
        return web.json_response({"error": "citizen not found"}, status=404)
    return web.json_response(rows)
