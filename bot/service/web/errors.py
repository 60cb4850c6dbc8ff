"""Dashboard errors as Danish pages (the JSON API keeps its JSON errors), and the security headers
every dashboard page carries."""
from __future__ import annotations

import logging

import aiohttp_jinja2
from aiohttp import web
from aiohttp_jinja2 import REQUEST_CONTEXT_KEY

from bot.service.web.sessions import is_dashboard_path
from bot.service.web.templating import common_context

log = logging.getLogger(__name__)
HEADINGS = {
    401: "Linket virker ikke",
    403: "Adgang nægtet",
    404: "Siden findes ikke",
    405: "Det kan man ikke her",
    413: "For meget på én gang",
    422: "Noget er ikke udfyldt rigtigt",
    429: "Vent lidt",
}
MESSAGES = {
    403: "Du har ikke adgang til denne side.",
    404: "Siden findes ikke, eller du har ikke adgang til den.",
    405: "Den handling findes ikke på denne side.",
    413: "Det du sendte, var for stort.",
}
DASHBOARD_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)


async def error_page(request: web.Request, status: int, message: str | None = None, heading: str | None = None):
    message = message or MESSAGES.get(status, "Der skete en fejl. Prøv igen.")
    # Errors raised before the template context processors ran still get the page frame.
    context = request.get(REQUEST_CONTEXT_KEY) or await common_context(request)
    context = {**context, "heading": heading or HEADINGS.get(status, "Fejl"), "message": message}
    return aiohttp_jinja2.render_template("error.html", request, context, status=status)


def _harden(response: web.StreamResponse) -> None:
    response.headers.setdefault("Content-Security-Policy", DASHBOARD_CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if response.content_type == "text/html":
        response.headers.setdefault("Cache-Control", "no-store")  # health data stays out of caches


@web.middleware
async def dashboard_errors(request: web.Request, handler):
    if not is_dashboard_path(request.path):
        return await handler(request)
    try:
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:
            _harden(exc)
            raise
        plain = exc.text if exc.content_type == "text/plain" and not exc.text.startswith(str(exc.status)) else None
        response = await error_page(request, exc.status, plain)
    except Exception:
        log.exception("dashboard error on %s %s", request.method, request.path)
        response = await error_page(request, 500, "Der skete en fejl hos os. Prøv igen om lidt.", "Fejl")
    _harden(response)
    return response
