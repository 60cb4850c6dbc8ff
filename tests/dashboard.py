"""Helpers for dashboard tests: an app on the test database, coordinators with passwords, and a
logged-in client that carries its CSRF token like a browser does."""
from __future__ import annotations

import re

from argon2 import PasswordHasher, profiles

from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator, set_password_hash
from tests.service import service_app

ADMIN = {"Authorization": "Bearer test-admin"}
PASSWORD = "korrekt-hest-batteri"
# A real argon2id hash with argon2-cffi's cheapest parameters ("for testing"): the service's own
# verify_password reads the parameters from the hash, so a login is checked as in production,
# without the 0.1-0.3 s that every production-strength hash and verification costs (four
# coordinators per test made the web tests spend most of their time in argon2). The production
# parameters are the library's defaults (bot/core/passwords.py); the tests of logins that must cost
# real argon2 time (tests/security/test_links_and_sessions.py) hash with them.
_TEST_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)


def password_hash(password: str = PASSWORD) -> str:
    return _TEST_HASHER.hash(password)

_CSRF = re.compile(r'name="csrf_token" value="([^"]*)"')


def dashboard_app(db, clock, **env):
    return service_app(db, clock, **env)


def quiet_app(db, clock, **env):
    """The service without its own background loops (SMS dispatcher, scheduler): what a test reads
    from the outbox or the job table is what the request left there."""
    return service_app(db, clock, SMS_DISPATCH_INTERVAL="0", SCHEDULER_INTERVAL_SECONDS="0", **env)


def login_per_coordinator(aiohttp_client, db, clock):
    """`await login_as(name)`: a logged-in client for name@kommune.dk, each on its own quiet app
    instance over the one shared database."""

    async def login_as(name):
        client = await aiohttp_client(quiet_app(db, clock))
        return client, await logged_in(client, f"{name}@kommune.dk")

    return login_as


def make_coordinator(session, name: str, email: str, password: str = PASSWORD, **fields):
    coordinator, token = create_coordinator(session, name, email=email, **fields)
    set_password_hash(session, coordinator, password_hash(password))
    return coordinator


def make_citizen(session, coordinator, name: str, phone: str, **fields):
    return create_citizen(session, name=name, phone=phone, coordinator_id=coordinator.id, **fields)


def csrf_token(html: str) -> str:
    match = _CSRF.search(html)
    assert match, "no CSRF field in the page"
    return match.group(1)


async def login(client, email: str, password: str = PASSWORD):
    page = await client.get("/login")
    token = csrf_token(await page.text())
    return await client.post("/login", data={"csrf_token": token, "email": email, "password": password,
                                             "next": "/"}, allow_redirects=False)


async def logged_in(client, email: str, password: str = PASSWORD) -> str:
    """Logs in and returns the session's CSRF token."""
    resp = await login(client, email, password)
    assert resp.status == 303, await resp.text()
    home = await client.get("/")
    return csrf_token(await home.text())
