"""The citizen's web chat: the page behind the personal link, the widget's script, and the API that
mints a link for a citizen (admin, or the citizen's own coordinator)."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp_jinja2
from aiohttp import web

from bot.citizens.chat_links import ExpiredChatToken, InvalidChatToken, chat_link, verify_token
from bot.core.config import ROOT
from bot.core.texts import CHAT_LINK_SMS
from bot.db import citizens as citizen_db
from bot.db.access_log import log_access
from bot.service.validation import Invalid, int_in_range, json_body, path_id
from bot.sms.outbox import queue_sms

WIDGET = ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"
REFUSED = {
    401: ("Linket er udløbet", "Dit link til at skrive med os er for gammelt. Skriv til os på SMS, så sender vi et nyt."),
    403: ("Linket virker ikke", "Linket er ikke gyldigt. Brug linket fra den nyeste SMS fra os, eller skriv til os på SMS."),
}


def _refused(request: web.Request, status: int) -> web.Response:
    heading, message = REFUSED[status]
    return aiohttp_jinja2.render_template(
        "chat_refused.html", request, {"heading": heading, "message": message}, status=status
    )


def _csp(socket_url: str) -> str:
    websocket = socket_url.replace("http://", "ws://", 1).replace("https://", "wss://", 1)
    # The widget injects its own <style> elements, hence 'unsafe-inline' for styles only. Its web-font
    # import from a third-party host stays blocked: no citizen's visit is reported to anyone else.
    return (
        f"default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
        f"font-src 'self' data:; "
        f"connect-src 'self' {socket_url} {websocket}; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
    )


async def page(request: web.Request) -> web.Response:
    settings, now = request.app["settings"], request.app["clock"].now()
    token = request.query.get("token")
    if not token:
        return _refused(request, 401)
    try:
        phone, _ = verify_token(settings.webchat_jwt_secret, token, now)
    except ExpiredChatToken:
        return _refused(request, 401)
    except InvalidChatToken:
        return _refused(request, 403)
    if await request.app["db"].run(citizen_db.citizen_by_phone, phone) is None:
        return _refused(request, 403)  # a genuine link for a citizen who has since been removed
    response = aiohttp_jinja2.render_template(
        "chat.html", request, {"socket_url": settings.rasa_socket_url, "token": token}
    )
    response.headers["Content-Security-Policy"] = _csp(settings.rasa_socket_url)
    return response


async def widget(request: web.Request) -> web.StreamResponse:
    """rasa-webchat from node_modules (installed by `npm ci`, pinned in package-lock.json)."""
    if not Path(WIDGET).is_file():
        raise web.HTTPServiceUnavailable(text="web chat widget not installed: run `make webchat`")
    return web.FileResponse(WIDGET, headers={"Cache-Control": "public, max-age=3600"})


async def mint(request: web.Request) -> web.Response:
    """POST /api/citizens/{id}/chat-link {"days": 14, "send_sms": true} -> {"url", "expires_at", "sent"}:
    the personal link, and with send_sms the SMS that brings it to the citizen (through the outbox)."""
    principal, settings, now = request["principal"], request.app["settings"], request.app["clock"].now()
    body = await json_body(request) if request.can_read_body else {}
    days = int_in_range(body, "days", settings.webchat_link_days, 1, 90)
    citizen_id = path_id(request)

    def find(session):
        citizen = citizen_db.get_citizen(session, citizen_id, principal.scope)
        if citizen is not None and principal.coordinator_id is not None:
            log_access(session, principal.coordinator_id, citizen.id, "chat_link", now)
        return citizen

    send_sms = body.get("send_sms", False)
    if not isinstance(send_sms, bool):
        raise Invalid("'send_sms' must be true or false")
    citizen = await request.app["db"].run(find)
    if citizen is None:
        return web.json_response({"error": "citizen not found"}, status=404)
    link = chat_link(settings.public_url, settings.webchat_jwt_secret, citizen.phone, now, timedelta(days=days))
    if send_sms:
        text = CHAT_LINK_SMS.format(url=link.url)
        await request.app["db"].run(lambda s: queue_sms(s, citizen.phone, text, purpose="proactive", now=now))
    return web.json_response({"url": link.url, "expires_at": link.expires_at.isoformat(), "sent": send_sms},
                             status=201)
