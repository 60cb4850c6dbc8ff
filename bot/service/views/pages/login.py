"""Login and logout. Repeated bad logins are slowed down per account and client address, per account
and per address (bot/service/web/throttle.py). argon2 runs between two short transactions, off the
event loop: read the hash, close the transaction, verify, then record the outcome and the session."""
from __future__ import annotations

from datetime import timedelta
from math import ceil

import aiohttp_jinja2
from aiohttp import web

from bot.core.passwords import verify_in_thread
from bot.db import web_sessions as session_db
from bot.db.coordinators import coordinator_by_email
from bot.service.web.sessions import end_session, login_csrf, safe_next, set_login_cookie, start_session
from bot.service.web.throttle import LoginThrottle, client_address

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


def _stored_hash(session, email: str, ip: str, now, throttle: LoginThrottle):
    """First short transaction: the wait while throttled, else the account's id and password hash
    (None, None for an unknown e-mail: the password is still verified, against a dummy hash)."""
    wait = throttle.wait(session_db.login_failures_since(session, email, ip, now - throttle.window), now)
    if wait > timedelta(0):
        return wait, None, None
    # A deactivated coordinator is not found (bot/db/coordinators.py): their password is verified
    # against the dummy hash and fails like a wrong one.
    coordinator = coordinator_by_email(session, email) if email else None
    if coordinator is None:
        return timedelta(0), None, None
    return timedelta(0), coordinator.id, coordinator.password_hash


def _book(session, email: str, ip: str, now, throttle: LoginThrottle, coordinator_id: int | None) -> timedelta:
    """Second short transaction, after the verification: a failure is recorded; a success clears the
    failures unless failures booked meanwhile (guesses sent in parallel) have made the account wait,
    so parallel guessing cannot slip past the throttle. Returns that wait."""
    if coordinator_id is None:
        session_db.record_login_failure(session, email, ip, now)
        return timedelta(0)
    wait = throttle.wait(session_db.login_failures_since(session, email, ip, now - throttle.window), now)
    if wait > timedelta(0):
        return wait
    session_db.clear_login_failures(session, email, ip)
    session_db.purge_expired(session, now)
    return timedelta(0)


def _too_many(request: web.Request, email: str, next_path: str, wait: timedelta) -> web.Response:
    seconds = ceil(wait.total_seconds())
    response = _render(
        request, email=email, next_path=next_path, status=429,
        error=f"For mange forkerte forsøg. Vent {seconds} sekunder, og prøv igen.",
    )
    response.headers["Retry-After"] = str(seconds)
    return response


async def submit(request: web.Request) -> web.Response:
    form = await request.post()
    email = str(form.get("email", "")).strip().lower()[:254]
    password = str(form.get("password", ""))[:500]
    next_path = safe_next(str(form.get("next", "/")))
    ip = client_address(request.remote, request.headers.getall("X-Forwarded-For", []),
                        request.app["settings"].trusted_proxies)
    now = request.app["clock"].now()
    db = request.app["db"]
    wait, coordinator_id, password_hash = await db.run(_stored_hash, email, ip, now, THROTTLE)
    if wait > timedelta(0):
        return _too_many(request, email, next_path, wait)
    # argon2 outside any transaction and off the event loop (bot/core/passwords.py).
    ok = await verify_in_thread(password_hash, password)
    wait = await db.run(_book, email, ip, now, THROTTLE, coordinator_id if ok else None)
    if wait > timedelta(0):
        return _too_many(request, email, next_path, wait)
    if not ok:
        return _render(request, email=email, next_path=next_path, status=401,
                       error="Forkert e-mail eller adgangskode.")
    response = web.HTTPSeeOther(next_path)
    await start_session(request, response, coordinator_id)
    raise response


async def logout(request: web.Request) -> web.Response:
    response = web.HTTPSeeOther("/login")
    await end_session(request, response)
    raise response
