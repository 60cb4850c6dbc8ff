"""The citizen's web chat: the page behind the personal link, the widget's script, and the API that
mints and revokes a citizen's links (admin, or the citizen's own coordinator).

The link's token is in the URL only for the first request: the page moves it into the tab's
sessionStorage, replaces the address with /chat/open (history.replaceState) and hands it to the
socket in the auth payload, so it is in no later URL, no history entry and no socket.io request
line (docs/privacy.md, "Access that can be taken back").

"Din side" beside the chat reads the citizen's own data from GET /chat/me with the same token, in
the Authorization header (never in a URL), and ticks off the citizen's own goal steps with
POST /chat/me/steps/{id}/done. A bearer token a script must set is not a credential the browser sends
by itself, as it does a cookie, so another site cannot make the citizen's browser tick anything
(no CSRF token needed; these doors read no cookie, and a coordinator's session cookie opens nothing).

The page, its widget and "Din side" speak the citizen's language when its catalogue has the page's
words (bot/core/page_texts.py), else Danish. /chat/open knows no citizen: the page puts its language
in that address (`?lang=en`; only a language with the page's words is taken, anything else is
Danish), and "Din side" reloads the page when the citizen's language has changed since."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import aiohttp_jinja2
from aiohttp import web

from bot.citizens.chat_links import (
    MAX_DAYS,
    ExpiredChatToken,
    InvalidChatToken,
    citizen_for_token,
    close_links,
    link_for_citizen,
    link_message,
)
from bot.citizens.own_page import own_overview, own_step
from bot.core.config import ROOT
from bot.core.errors import Invalid as Refused
from bot.core.errors import NotFound
from bot.core.i18n import DANISH
from bot.core.page_texts import PageLanguage, page_language
from bot.db import citizens as citizen_db
from bot.goals import plan as goal_plan
from bot.service.access_log import audited
from bot.service.serializers import iso
from bot.service.validation import Invalid, int_in_range, is_id, json_body, path_id
from bot.service.web.chart import lyskurve_svg
from bot.sms.outbox import queue_sms

WIDGET = ROOT / "node_modules" / "rasa-webchat" / "lib" / "index.js"
REFUSED = {
    401: ("Linket er udløbet", "Dit link til at skrive med os er for gammelt. Skriv til os på SMS, så sender vi et nyt."),
    403: ("Linket virker ikke", "Linket er ikke gyldigt. Brug linket fra den nyeste SMS fra os, eller skriv til os på SMS."),
}


def _refused(request: web.Request, status: int) -> web.Response:
    # Danish: the link did not say who the sender is, so nothing says which language they read.
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


def _chat_page(request: web.Request, token: str, page: PageLanguage) -> web.Response:
    settings = request.app["settings"]
    response = aiohttp_jinja2.render_template("chat.html", request, {
        "socket_url": settings.rasa_socket_url, "token": token, "page": page,
        "script_texts": page.script_texts()})
    response.headers["Content-Security-Policy"] = _csp(settings.rasa_socket_url)
    # The first answer holds the token: no cache keeps it.
    response.headers["Cache-Control"] = "no-store"
    return response


async def page(request: web.Request) -> web.Response:
    """GET /chat?token=...: the link from the SMS. Expired 401; forged, revoked, or the citizen
    erased 403 (a Danish page either way)."""
    settings, now = request.app["settings"], request.app["clock"].now()
    token = request.query.get("token")
    if not token:
        return _refused(request, 401)
    try:
        citizen, _ = await request.app["db"].run(citizen_for_token, settings.webchat_jwt_secret, token, now)
    except ExpiredChatToken:
        return _refused(request, 401)
    except InvalidChatToken:
        return _refused(request, 403)
    return _chat_page(request, token, page_language(citizen.language))


async def reopened(request: web.Request) -> web.Response:
    """GET /chat/open[?lang=en]: where the page moves itself after taking the token out of the
    address; a reload lands here and the tab's sessionStorage still has the token (the socket checks
    it). `lang`: the page's language, which the page put there; any other value gives Danish."""
    return _chat_page(request, "", page_language(request.query.get("lang")))


MAX_TOKEN = 1024  # a link's token is about 150 characters; anything much longer is not one


def _own_json(status: int, body: dict) -> web.Response:
    # The citizen's own health data: no cache keeps it (a shared phone, a proxy).
    return web.json_response(body, status=status, headers={"Cache-Control": "no-store"})


def _chat_token(request: web.Request) -> tuple[str, web.Response | None]:
    """The chat token from `Authorization: Bearer`, or the refusal: none 401, absurdly long 403."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        return "", _own_json(401, {"error": "missing token"})
    if len(token) > MAX_TOKEN:
        return "", _own_json(403, {"error": "invalid"})
    return token, None


async def me(request: web.Request) -> web.Response:
    """GET /chat/me with `Authorization: Bearer <chat token>`: "Din side", the citizen's own
    lyskurve, next meetings and agreements (bot/citizens/own_page.py), for the holder of the link and
    nobody else. Checked like the page: no token or expired 401; forged, revoked, or erased 403.
    Not in the access log, which records staff reading a citizen's data (docs/privacy.md)."""
    settings, now = request.app["settings"], request.app["clock"].now()
    token, refused = _chat_token(request)
    if refused is not None:
        return refused

    def load(session):
        citizen, expires_at = citizen_for_token(session, settings.webchat_jwt_secret, token, now)
        page = page_language(citizen.language)
        # The coordinator's chart has Danish labels: on a page in another language the list says it.
        return own_overview(session, citizen, now, settings.proactive, link_expires_at=expires_at,
                            chart=lyskurve_svg if page.code == DANISH else None, page=page)

    try:
        overview = await request.app["db"].run(load)
    except ExpiredChatToken:
        return _own_json(401, {"error": "expired"})
    except InvalidChatToken:
        return _own_json(403, {"error": "invalid"})
    return _own_json(200, overview)


async def tick_own_step(request: web.Request) -> web.Response:
    """POST /chat/me/steps/{step_id}/done {"done": true | false} with the chat token as for GET
    /chat/me: the citizen ticks off a step of their own active goal ("Jeg har gjort det"), or takes
    back their own tick. The step records who ticked it (done_by "citizen"; the coordinator's panel
    says "af borgeren"). The token is checked before anything else, so a caller without a working
    link learns nothing about step ids: no token or expired 401; forged, revoked, or erased 403.
    Then: a step id that is not one of this citizen's active goals' steps (someone else's, garbage,
    too long) 404; a body that is not {"done": true|false} 422 (400 when nested too deeply); taking
    back a tick the coordinator made 422. → 200 the step as "Din side" shows it. Not in the access
    log (the citizen's own action, recorded on the step; docs/privacy.md)."""
    settings, now = request.app["settings"], request.app["clock"].now()
    token, refused = _chat_token(request)
    if refused is not None:
        return refused
    raw_id = request.match_info["step_id"]
    # Read now, refused only after the token: a bad body from someone without a link is still a 401/403.
    try:
        body, body_error = await json_body(request), None
    except web.HTTPException as exc:
        body, body_error = None, exc

    def tick(session):
        citizen, _ = citizen_for_token(session, settings.webchat_jwt_secret, token, now)
        if not is_id(raw_id):
            raise NotFound("step not found")
        if body_error is not None:
            raise body_error
        step = goal_plan.tick_step(session, int(raw_id), done=body.get("done"), now=now, citizen=citizen)
        return own_step(step, page_language(citizen.language))

    try:
        step = await request.app["db"].run(tick)
    except ExpiredChatToken:
        return _own_json(401, {"error": "expired"})
    except InvalidChatToken:
        return _own_json(403, {"error": "invalid"})
    except NotFound:
        return _own_json(404, {"error": "not found"})
    except Refused as exc:  # a use case's refusal; also validation.Invalid (the body), a 422 of its own
        return _own_json(422, {"error": exc.message})
    except web.HTTPException as exc:  # the body: nested too deeply (400), too large (413)
        return _own_json(exc.status, {"error": getattr(exc, "message", None) or exc.reason})
    return _own_json(200, step)


async def widget(request: web.Request) -> web.StreamResponse:
    """rasa-webchat from node_modules (installed by `npm ci`, pinned in package-lock.json)."""
    if not Path(WIDGET).is_file():
        raise web.HTTPServiceUnavailable(text="web chat widget not installed: run `make webchat`")
    return web.FileResponse(WIDGET, headers={"Cache-Control": "public, max-age=3600"})


@audited("chat_link")
async def mint(request: web.Request) -> web.Response:
    """POST /api/citizens/{id}/chat-link {"days": 14, "send_sms": true} -> {"url", "expires_at", "sent"}:
    the personal link, and with send_sms the SMS that brings it to the citizen (through the outbox).
    At most MAX_DAYS days (docs/privacy.md)."""
    principal, settings, now = request["principal"], request.app["settings"], request.app["clock"].now()
    body = await json_body(request) if request.can_read_body else {}
    days = int_in_range(body, "days", min(settings.webchat_link_days, MAX_DAYS), 1, MAX_DAYS)
    citizen_id = path_id(request)
    send_sms = body.get("send_sms", False)
    if not isinstance(send_sms, bool):
        raise Invalid("'send_sms' must be true or false")

    def make(session):
        citizen = citizen_db.get_citizen(session, citizen_id, principal.scope)
        if citizen is None:
            return None
        link = link_for_citizen(session, citizen, settings.public_url, settings.webchat_jwt_secret, now,
                                timedelta(days=days))
        if send_sms:
            queue_sms(session, citizen.phone, link_message(citizen, link), purpose="proactive", now=now)
        return link

    link = await request.app["db"].run(make)
    if link is None:
        return web.json_response({"error": "citizen not found"}, status=404)
    return web.json_response({"url": link.url, "expires_at": link.expires_at.isoformat(), "sent": send_sms},
                             status=201)


@audited("revoke_chat_links")
async def revoke(request: web.Request) -> web.Response:
    """POST /api/citizens/{id}/chat-link/revoke -> {"revoked_at", "revoked_because"}: every link
    given to the citizen stops working at once (the socket too, at the next message)."""
    principal, now = request["principal"], request.app["clock"].now()
    citizen = await request.app["db"].run(close_links, path_id(request), principal.scope,
                                          principal.coordinator_id, now)
    return web.json_response({"citizen_id": citizen.id, "revoked_at": iso(citizen.chat_links_revoked_at),
                              "revoked_because": citizen.chat_links_revoked_because})
