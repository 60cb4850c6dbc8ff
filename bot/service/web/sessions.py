"""Dashboard sessions and CSRF protection.

The session cookie holds a random id signed with SESSION_SECRET (HTTP-only, SameSite=Lax, Secure when
the service is reached over https); the database keeps only the id's SHA-256 with the coordinator, the
session's CSRF token and its expiry, so logout and expiry really end a session. Every POST outside
/api/ must carry the CSRF token of its session (the login form: a token bound to a signed
pre-login cookie)."""
from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import quote

from aiohttp import web

from bot.db import web_sessions as session_db
from bot.db.models import Coordinator

SESSION_COOKIE = "bic_session"
LOGIN_COOKIE = "bic_login"
SESSION_LIFETIME = timedelta(hours=8)  # one working day
CSRF_FIELD = "csrf_token"


@dataclass(frozen=True)
class DashboardSession:
    id_hash: str
    coordinator: Coordinator
    csrf_token: str


def _mac(secret: str, purpose: str, value: str) -> str:
    digest = hmac.new(secret.encode(), f"{purpose}:{value}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def sign(secret: str, purpose: str, value: str) -> str:
    return f"{value}.{_mac(secret, purpose, value)}"


def unsign(secret: str, purpose: str, signed: str | None) -> str | None:
    value, _, mac = (signed or "").rpartition(".")
    if value and hmac.compare_digest(mac, _mac(secret, purpose, value)):
        return value
    return None


def _hash_id(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def _cookie_options(request: web.Request, max_age: int) -> dict:
    secure = request.app["settings"].public_url.startswith("https://")
    return {"httponly": True, "samesite": "Lax", "secure": secure, "path": "/", "max_age": max_age}


async def start_session(request: web.Request, response: web.StreamResponse, coordinator_id: int) -> None:
    settings, now = request.app["settings"], request.app["clock"].now()
    session_id = secrets.token_urlsafe(32)
    await request.app["db"].run(
        session_db.create_web_session,
        id_hash=_hash_id(session_id),
        coordinator_id=coordinator_id,
        csrf_token=secrets.token_urlsafe(32),
        now=now,
        expires_at=now + SESSION_LIFETIME,
    )
    response.set_cookie(
        SESSION_COOKIE, sign(settings.session_secret, "session", session_id),
        **_cookie_options(request, int(SESSION_LIFETIME.total_seconds())),
    )
    response.del_cookie(LOGIN_COOKIE, path="/")


async def end_session(request: web.Request, response: web.StreamResponse) -> None:
    current: DashboardSession | None = request.get("dashboard_session")
    if current is not None:
        await request.app["db"].run(session_db.end_web_session, current.id_hash)
    response.del_cookie(SESSION_COOKIE, path="/")


async def _load_session(request: web.Request) -> DashboardSession | None:
    settings = request.app["settings"]
    session_id = unsign(settings.session_secret, "session", request.cookies.get(SESSION_COOKIE))
    if session_id is None:
        return None
    found = await request.app["db"].run(session_db.live_web_session, _hash_id(session_id), request.app["clock"].now())
    if found is None:
        return None
    row, coordinator = found
    return DashboardSession(row.id_hash, coordinator, row.csrf_token)


# --- login form CSRF: a signed random nonce in a cookie, and its MAC in the form ---

def login_csrf(request: web.Request) -> tuple[str, str | None]:
    """The token for the login form, and a new cookie value when the browser has no valid one yet."""
    secret = request.app["settings"].session_secret
    nonce = unsign(secret, "login-cookie", request.cookies.get(LOGIN_COOKIE))
    new_cookie = None
    if nonce is None:
        nonce = secrets.token_urlsafe(16)
        new_cookie = sign(secret, "login-cookie", nonce)
    return _mac(secret, "login-form", nonce), new_cookie


def set_login_cookie(request: web.Request, response: web.StreamResponse, value: str) -> None:
    response.set_cookie(LOGIN_COOKIE, value, **_cookie_options(request, 3600))


def _login_token_ok(request: web.Request, token: str) -> bool:
    secret = request.app["settings"].session_secret
    nonce = unsign(secret, "login-cookie", request.cookies.get(LOGIN_COOKIE))
    return nonce is not None and hmac.compare_digest(token, _mac(secret, "login-form", nonce))


class CsrfRefused(web.HTTPForbidden):
    pass


# Machine endpoints with their own authentication (bearer token, gateway signature, fake operator;
# "/chat/me/": the citizen's own doors behind their chat token, which read no cookie).
NOT_DASHBOARD = ("/api/", "/static/", "/vendor/", "/sms/", "/fake-sms/", "/chat/me/")


def is_dashboard_path(path: str) -> bool:
    return not (path.startswith(NOT_DASHBOARD) or path == "/healthz")


@web.middleware
async def dashboard_sessions(request: web.Request, handler):
    """Loads the session for dashboard paths and refuses POSTs without the right CSRF token."""
    if not is_dashboard_path(request.path):
        return await handler(request)
    request["dashboard_session"] = await _load_session(request)
    if request.method == "POST":
        form = await request.post()
        token = form.get(CSRF_FIELD)
        token = token if isinstance(token, str) else ""
        current: DashboardSession | None = request["dashboard_session"]
        if request.path == "/login":
            ok = _login_token_ok(request, token)
        elif current is None:
            raise web.HTTPSeeOther("/login")
        else:
            ok = hmac.compare_digest(token, current.csrf_token)
        if not ok:
            raise CsrfRefused(
                text="Formularen kunne ikke godkendes (sikkerhedsnøgle mangler eller er forældet). "
                     "Gå tilbage, genindlæs siden og prøv igen.",
            )
    return await handler(request)


def login_required(handler):
    """Pages for logged-in coordinators; others are sent to the login page and back afterwards."""

    @functools.wraps(handler)
    async def wrapper(request: web.Request):
        if request.get("dashboard_session") is None:
            target = request.path_qs if request.method == "GET" else "/"
            raise web.HTTPSeeOther(f"/login?next={quote(target, safe='')}")
        return await handler(request)

    return wrapper


def current_coordinator(request: web.Request) -> Coordinator:
    return request["dashboard_session"].coordinator


_LOCAL_PATH = re.compile(r"/(?![/\\])[A-Za-z0-9/_.~%?=&#+-]*")


def safe_next(target: str | None) -> str:
    """Only local paths: a login link must not send the coordinator to another site. Plain URL
    characters only: a tab, a backslash or a second slash after the first (browsers read
    "/\t/evil.example" and "/\\evil.example" as another host) sends them to the start page."""
    if target and _LOCAL_PATH.fullmatch(target):
        return target
    return "/"
