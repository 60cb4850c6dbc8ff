"""Login and logout. Repeated bad logins for one account from one address are slowed down."""
from __future__ import annotations

from datetime import timedelta
from math import ceil

import aiohttp_jinja2
from aiohttp import web

from bot.core.passwords import verify_password
from bot.db import web_sessions as session_db
from bot.db.coordinators import coordinator_by_email
from bot.service.web.sessions import end_session, login_csrf, safe_next, set_login_cookie, start_session
from bot.service.web.throttle import LoginThrottle

THROTTLE = LoginThrottle()


def _render(request: web.Request, *, email: str = "", next_path: str = "/", error: str | None = None,
            status: int = 200) -> web.Response:
    token, new_cookie = login_csrf(request)
    response = aiohttp_jinja2.render_template(
        "login.html", request, {"login_token": token, "email": email, "next": next_path, "error": error},
        status=status,
    )
    if new_cookie:
        set_login_cookie(request, response, new_cookie)
    return response


async def show(request: web.Request) -> web.Response:
    if request.get("dashboard_session") is not None:
        raise web.HTTPSeeOther(safe_next(request.query.get("next")))
    return _render(request, next_path=safe_next(request.query.get("next")))


def _check(session, email: str, password: str, ip: str, now, throttle: LoginThrottle):
    """One transaction: refuse while throttled, else verify and book the outcome."""
    failures = session_db.login_failures_since(session, email, ip, now - throttle.window)
    wait = throttle.wait(failures, now)
    if wait > timedelta(0):
        return None, wait
    coordinator = coordinator_by_email(session, email) if email else None
    if verify_password(coordinator.password_hash if coordinator else None, password):
        session_db.clear_login_failures(session, email, ip)
        session_db.purge_expired(session, now)
        return coordinator, timedelta(0)
    session_db.record_login_failure(session, email, ip, now)
    return None, timedelta(0)


async def submit(request: web.Request) -> web.Response:
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()[:254]
    password = str(form.get("password", ""))[:500]
    next_path = safe_next(str(form.get("next", "/")))
    ip = request.remote or "unknown"
    now = request.app["clock"].now()
    coordinator, wait = await request.app["db"].run(_check, email, password, ip, now, THROTTLE)
    if wait > timedelta(0):
        seconds = ceil(wait.total_seconds())
        response = _render(
            request, email=email, next_path=next_path, status=429,
            error=f"For mange forkerte forsøg. Vent {seconds} sekunder, og prøv igen.",
        )
        response.headers["Retry-After"] = str(seconds)
        return response
    if coordinator is None:
        return _render(request, email=email, next_path=next_path, status=401,
                       error="Forkert e-mail eller adgangskode.")
    response = web.HTTPSeeOther(next_path)
    await start_session(request, response, coordinator.id)
    raise response


async def logout(request: web.Request) -> web.Response:
    response = web.HTTPSeeOther("/login")
    await end_session(request, response)
    raise response
