"""Audit and retention (issue 12, point 8).

Was: API reads of a citizen's data, admin actions and alert acknowledge/resolve were not in
`access_log`; an admin erasure recorded no actor; erasure deleted the trail of who viewed the
citizen; nothing was ever deleted by time; a TRACKER_STORE_URL pointing at the wrong store made an
erasure report success while the conversation stayed in Rasa.

- The router: every route that reaches a citizen's data is declared @audited (or named below as
  holding none); the declaration is what writes the row (bot/service/access_log.py).
- Retention with the clock (in-process, SQLite and PostgreSQL): past the period gone, within kept,
  run by the scheduler's tick.
- Against the real processes (the shared stack, real HTTP): reads and changes by a coordinator,
  the admin and on the dashboard are logged with their actor; an admin erasure keeps the trail
  pseudonymised and records the admin; a service whose TRACKER_STORE_URL is not Rasa's store
  refuses to erase (Rasa's own API is asked); the retention pass run by a tick deletes an ended
  course's messages and conversation after the period and keeps another citizen's.
"""
from __future__ import annotations

import time
import uuid
from datetime import datetime, timedelta, timezone

import pytest
import requests
import sqlalchemy as sa
from aiohttp import web

from bot.citizens.retention import Retention, cutoffs, months_before
from bot.core.clock import FixedClock
from bot.core.config import ProactiveSettings, RetentionSettings
from bot.db import fake_sms
from bot.db.access_log import ADMIN, log_access
from bot.db.citizens import create_citizen, set_course_ended_at
from bot.db.coordinators import create_coordinator
from bot.db.messages import log_inbound
from bot.db.models import AccessLog, Citizen, Erasure, FakeSms, InboundMessage, LoginFailure, OutboxMessage, WebSession
from bot.db.outbox import add_message
from bot.db.tracker_events import TrackerEvents
from bot.db.web_sessions import create_web_session, record_login_failure
from bot.scheduler.rasa_client import RasaClient
from bot.scheduler.runner import Scheduler
from bot.service.access_log import ALERT, APPOINTMENT, CITIZEN, VIEW
from bot.service.routes import setup_routes
from tests.conftest import T0
from tests.dashboard import PASSWORD, csrf_token
from tests.security.service_process import ServiceProcess
from tests.service import tracker_url

# --- the router: nothing that reaches a citizen is left out -----------------------------------

# Routes that reach no citizen's data, and why. Everything else must be @audited.
NOT_CITIZEN_DATA = {
    ("GET", "/healthz"): "liveness only",
    ("POST", "/api/coordinators"): "coordinator accounts",
    ("PATCH", "/api/coordinators/{id}"): "coordinator accounts",
    ("POST", "/api/coordinators/{id}/password"): "coordinator accounts",
    ("POST", "/api/coordinators/{id}/token"): "coordinator accounts",
    ("GET", "/api/coordinators"): "colleagues' names, to choose a citizen's new coordinator",
    ("POST", "/sms/delivery-report"): "the operator's signed report about an SMS; no person reads anything",
    ("POST", "/api/scheduler/tick"): "runs what is due, as the scheduler's own loop does; nobody reads a file",
    ("GET", "/vendor/rasa-webchat/index.js"): "a script",
    ("GET", "/chat"): "the citizen's own chat page (their link)",
    ("GET", "/chat/open"): "the citizen's own chat page",
    ("GET", "/chat/me"): "the citizen's own data, read with their own link: not a staff read (docs/privacy.md)",
    ("POST", "/chat/me/steps/{step_id}/done"): "the citizen ticks their own goal step with their own link: "
                                              "recorded on the step (done_by citizen), not a staff action",
    ("GET", "/login"): "login",
    ("POST", "/login"): "login",
    ("POST", "/logout"): "logout",
    ("GET", "/account"): "the coordinator's own account",
    ("POST", "/account/token"): "the coordinator's own account",
    ("GET", "/citizens/new"): "an empty registration form",
}
# What the {id} of a path names, by its first segments.
SUBJECTS = {"/api/citizens/": CITIZEN, "/citizens/": CITIZEN, "/api/appointments/": APPOINTMENT,
            "/appointments/": APPOINTMENT, "/api/alerts/": ALERT, "/alerts/": ALERT}


def _routes():
    app = web.Application()
    setup_routes(app)
    for route in app.router.routes():
        path = route.resource.canonical
        if route.method == "HEAD" or path.startswith("/static"):
            continue  # HEAD is GET's twin; static files are the dashboard's CSS and scripts
        yield route.method, path, getattr(route.handler, "audit", None)


def test_every_route_that_reaches_a_citizen_is_audited():
    unaudited, wrong_subject = [], []
    for method, path, audit in _routes():
        if audit is None:
            if (method, path) not in NOT_CITIZEN_DATA:
                unaudited.append(f"{method} {path}")
            continue
        subject = next((kind for prefix, kind in SUBJECTS.items() if path.startswith(prefix + "{id}")), VIEW)
        if audit.via != subject:
            wrong_subject.append(f"{method} {path}: via {audit.via}, its id names a {subject}")
    assert not unaudited, f"routes that reach citizens' data without @audited: {unaudited}"
    assert not wrong_subject, wrong_subject
    # Every route with a citizen's, appointment's or alert's id in its path is audited, none exempt.
    assert not [key for key in NOT_CITIZEN_DATA if any(key[1].startswith(p + "{id}") for p in SUBJECTS)]
    # The list of exemptions names only routes that exist.
    existing = {(m, p) for m, p, _ in _routes()}
    assert set(NOT_CITIZEN_DATA) <= existing, set(NOT_CITIZEN_DATA) - existing


def test_a_new_route_without_the_declaration_fails_the_walk():
    """The walk above is what makes the log hard to forget: prove it sees a forgotten route."""
    async def forgotten(request):  # pragma: no cover - never called
        return web.json_response({})

    app = web.Application()
    setup_routes(app)
    app.router.add_get("/api/citizens/{id}/notes", forgotten)
    missing = [r.resource.canonical for r in app.router.routes()
               if r.method == "GET" and getattr(r.handler, "audit", None) is None
               and ("GET", r.resource.canonical) not in NOT_CITIZEN_DATA and not r.resource.canonical.startswith("/static")]
    assert missing == ["/api/citizens/{id}/notes"]


async def test_nothing_is_shown_when_the_access_cannot_be_logged(aiohttp_client, sqlite_db, clock):
    """Fail closed: a read whose access-log row cannot be written answers 503, without the data."""
    from tests.service import service_app

    def world(session):
        coordinator, token = create_coordinator(session, "Mette")
        return create_citizen(session, name="Bente Hemmelig", phone="+4521000009", coordinator_id=coordinator.id).id, token

    citizen_id, token = sqlite_db.call(world)
    client = await aiohttp_client(service_app(sqlite_db, clock))
    headers = {"Authorization": f"Bearer {token}"}
    assert (await client.get(f"/api/citizens/{citizen_id}", headers=headers)).status == 200
    with sqlite_db.engine.begin() as conn:  # the log refuses every new row, as a full disk would
        conn.execute(sa.text("CREATE TRIGGER log_down BEFORE INSERT ON access_log BEGIN "
                             "SELECT RAISE(ABORT, 'access log unavailable'); END"))
    resp = await client.get(f"/api/citizens/{citizen_id}", headers=headers)
    assert resp.status == 503 and "access log" in (await resp.json())["error"]
    assert "Bente" not in await resp.text()


# --- retention with the clock (in-process) ---------------------------------------------------

POLICY = RetentionSettings()  # the documented defaults: 6 months, 5 years, 24 hours


def test_the_policy_counts_calendar_months_and_years():
    assert months_before(datetime(2026, 8, 31, 10, tzinfo=timezone.utc), 6) == datetime(2026, 2, 28, 10,
                                                                                           tzinfo=timezone.utc)
    assert months_before(datetime(2026, 1, 15, tzinfo=timezone.utc), 1) == datetime(2025, 12, 15, tzinfo=timezone.utc)
    limits = cutoffs(T0, POLICY)
    assert limits.conversations == datetime(2026, 5, 23, 10, tzinfo=timezone.utc)
    assert limits.access_log == datetime(2021, 11, 23, 10, tzinfo=timezone.utc)
    assert (limits.login_failures, limits.sessions) == (T0 - timedelta(hours=24), T0)


async def _talk(store_url: str, sender: str, texts_at: list[tuple[str, datetime]]) -> None:
    """Conversation events as Rasa's own SQLTrackerStore writes them, with their timestamps."""
    from rasa.core.tracker_store import SQLTrackerStore
    from rasa.shared.core.events import UserUttered
    from rasa.shared.core.trackers import DialogueStateTracker

    url = sa.engine.make_url(store_url)
    store = (SQLTrackerStore(dialect="sqlite", db=url.database) if url.get_backend_name() == "sqlite" else
             SQLTrackerStore(dialect="postgresql", host=url.host, port=url.port, db=url.database, username=url.username))
    try:
        await store.save(DialogueStateTracker.from_events(
            sender, [UserUttered(text, timestamp=at.timestamp()) for text, at in texts_at]))
    finally:
        store.engine.dispose()


def _world(session) -> dict:
    """Ended 7 months ago (past), ended 1 month ago (within), still active; each with an old and a
    new message; plus access log, sessions and login failures of several ages."""
    coordinator, _ = create_coordinator(session, "Mette")
    people = {}
    for name, phone, ended in (("past", "+4521000001", T0 - timedelta(days=213)),
                               ("recent", "+4521000002", T0 - timedelta(days=30)),
                               ("active", "+4521000003", None)):
        citizen = create_citizen(session, name=name, phone=phone, coordinator_id=coordinator.id)
        if ended is not None:
            citizen.status = "inactive"
            set_course_ended_at(session, citizen.id, ended)
        for label, at in (("old", T0 - timedelta(days=220)), ("new", T0 - timedelta(days=2))):
            log_inbound(session, citizen.id, channel="sms", text=f"{name} {label}", received_at=at)
            add_message(session, citizen_id=citizen.id, msisdn=phone, purpose="reply", text=f"svar {label}", segments=1,
                        status="delivered", next_attempt_at=at, created_at=at)
            fake_sms.add(session, direction="mt", msisdn=phone.lstrip("+"), message=f"svar {label}", created_at=at)
        people[name] = citizen.id
    # Still on its way after the period: the dispatcher owns it, retention leaves it.
    add_message(session, citizen_id=people["past"], msisdn="+4521000001", purpose="proactive", text="i kø",
                segments=1, status="queued", next_attempt_at=T0, created_at=T0 - timedelta(days=220))
    log_access(session, coordinator.id, people["active"], "view_citizen", T0 - timedelta(days=6 * 365))
    log_access(session, coordinator.id, people["active"], "view_citizen", T0 - timedelta(days=4 * 365))
    log_access(session, ADMIN, None, "list_citizens", T0 - timedelta(days=6 * 365))
    create_web_session(session, id_hash="expired", coordinator_id=coordinator.id, csrf_token="x",
                       now=T0 - timedelta(hours=9), expires_at=T0 - timedelta(hours=1))
    create_web_session(session, id_hash="live", coordinator_id=coordinator.id, csrf_token="y",
                       now=T0 - timedelta(hours=1), expires_at=T0 + timedelta(hours=7))
    record_login_failure(session, "mette@kommune.dk", "10.0.0.1", T0 - timedelta(hours=25))
    record_login_failure(session, "mette@kommune.dk", "10.0.0.1", T0 - timedelta(hours=1))
    return people


def _left(db, people) -> dict:
    def read(session):
        def texts(model, column, citizen_id):
            return sorted(session.execute(sa.select(column).where(model.citizen_id == citizen_id)).scalars())
        return {
            **{f"inbound {n}": texts(InboundMessage, InboundMessage.text, i) for n, i in people.items()},
            **{f"outbox {n}": texts(OutboxMessage, OutboxMessage.text, i) for n, i in people.items()},
            "fake_sms": sorted(session.execute(sa.select(FakeSms.msisdn + ":" + FakeSms.message)).scalars()),
            "access_log": sorted(session.execute(sa.select(AccessLog.at)).scalars()),
            "sessions": sorted(session.execute(sa.select(WebSession.id_hash)).scalars()),
            "login_failures": sorted(session.execute(sa.select(LoginFailure.failed_at)).scalars()),
        }
    return db.call(read)


def _scheduler(db, tracker: TrackerEvents, clock) -> Scheduler:
    return Scheduler(db, RasaClient("http://127.0.0.1:9", "t", "sms"), ProactiveSettings(), clock,
                     retention=Retention(db, tracker, POLICY))


async def test_the_tick_deletes_what_is_past_its_period_and_keeps_what_is_within(db):
    people = db.call(_world)
    store_url = tracker_url(db.url)
    for name, phone in (("past", "+4521000001"), ("active", "+4521000003")):
        await _talk(store_url, phone, [(f"{name} old", T0 - timedelta(days=220)), (f"{name} new", T0 - timedelta(days=2))])
    tracker = TrackerEvents(store_url)
    scheduler = _scheduler(db, tracker, FixedClock(T0))
    try:
        report = await scheduler.tick()  # the scheduler's own beat: everyone, on its clock
    finally:
        await scheduler.rasa.close()
    assert report["retention"] == {"inbound_messages": 1, "outbox": 1, "fake_sms": 1, "access_log": 2,
                                   "web_sessions": 1, "login_failures": 1, "conversation_events": 1}
    left = _left(db, people)
    # Ended 7 months ago: the old message is gone, the one written 2 days ago stays (its own period).
    assert left["inbound past"] == ["past new"]
    assert left["outbox past"] == ["i kø", "svar new"]  # the queued one is the dispatcher's
    # Within the period, or still on the course: everything stays.
    assert left["inbound recent"] == ["recent new", "recent old"] and left["inbound active"] == ["active new", "active old"]
    assert left["fake_sms"] == sorted(["4521000001:svar new"] + [f"{p}:svar {a}" for p in ("4521000002", "4521000003")
                                                                  for a in ("old", "new")])
    assert left["access_log"] == [T0 - timedelta(days=4 * 365)]  # 6 years old: gone, also the list's
    assert left["sessions"] == ["live"] and left["login_failures"] == [T0 - timedelta(hours=1)]
    # The conversation: the old event of the ended course is gone, the rest stays.
    assert [e["text"] for e in tracker.for_sender("+4521000001") if e["event"] == "user"] == ["past new"]
    assert [e["text"] for e in tracker.for_sender("+4521000003") if e["event"] == "user"] == ["active old", "active new"]
    tracker.dispose()


async def test_the_pass_runs_again_only_after_its_interval_and_a_scoped_tick_stays_with_its_citizens(db):
    people = db.call(_world)
    tracker = TrackerEvents(tracker_url(db.url))
    before = T0 - timedelta(days=700)  # nothing is old enough yet
    clock = FixedClock(before)
    scheduler = _scheduler(db, tracker, clock)
    try:
        assert set((await scheduler.tick())["retention"].values()) == {0}
        clock.set(before + timedelta(minutes=POLICY.interval_minutes - 1))
        assert "retention" not in await scheduler.tick()  # within its interval: not again
        # A tick for named citizens (tests on one shared stack) runs for them only, nothing global.
        scoped = (await scheduler.tick(T0, [people["active"]]))["retention"]
        assert scoped == {"inbound_messages": 0, "outbox": 0, "fake_sms": 0, "access_log": 1, "conversation_events": 0}
        assert _left(db, people)["inbound past"] == ["past new", "past old"]
        assert len(_left(db, people)["sessions"]) == 2
        clock.set(T0)  # the scheduler's own beat, its interval passed
        assert (await scheduler.tick())["retention"]["inbound_messages"] == 1
    finally:
        await scheduler.rasa.close()
        tracker.dispose()


def test_retention_periods_are_settings_with_documented_defaults():
    from bot.core.config import ConfigError, Settings

    assert Settings.from_env({}).retention == RetentionSettings(6, 5, 24, 60)
    custom = Settings.from_env({"RETENTION_CONVERSATION_MONTHS": "3", "RETENTION_ACCESS_LOG_YEARS": "2"}).retention
    assert (custom.conversation_months, custom.access_log_years) == (3, 2)
    for bad in ("0", "-1", "abc", "1.5", "1001"):
        with pytest.raises(ConfigError, match="RETENTION_CONVERSATION_MONTHS"):
            Settings.from_env({"RETENTION_CONVERSATION_MONTHS": bad})


# --- against the real processes ---------------------------------------------------------------


def _entries(stack_db, **where) -> list[tuple]:
    def read(session):
        query = sa.select(AccessLog).order_by(AccessLog.id)
        for column, value in where.items():
            query = query.where(getattr(AccessLog, column) == value)
        return [(e.actor, e.coordinator_id, e.action, e.status) for e in session.execute(query).scalars()]
    return stack_db.call(read)


def _crisis_alert(stack, citizen: dict) -> int:
    """The citizen writes something that raises an urgent alert (and starts a conversation)."""
    assert stack.text_and_wait(citizen["phone"], "jeg vil ikke leve mere")
    for _ in range(60):
        alerts = stack.api("GET", f"/api/alerts?citizen_id={citizen['id']}", citizen["token"]).json()
        if alerts:
            return alerts[0]["id"]
        time.sleep(0.5)
    raise AssertionError("no alert")


def _browser(stack, coordinator_id: int) -> tuple[requests.Session, str]:
    email = f"audit-{uuid.uuid4().hex[:8]}@kommune.invalid"
    assert stack.api("PATCH", f"/api/coordinators/{coordinator_id}", json={"email": email}).status_code == 200
    assert stack.api("POST", f"/api/coordinators/{coordinator_id}/password", json={"password": PASSWORD}).ok
    browser = requests.Session()
    login = browser.get(f"{stack.service_url}/login", timeout=10)
    resp = browser.post(f"{stack.service_url}/login", timeout=30, allow_redirects=False,
                        data={"csrf_token": csrf_token(login.text), "email": email, "password": PASSWORD, "next": "/"})
    assert resp.status_code == 303
    return browser, csrf_token(browser.get(f"{stack.service_url}/", timeout=10).text)


@pytest.mark.e2e
def test_every_read_and_change_is_logged_with_its_actor_and_an_admin_erasure_keeps_the_trail(stack, stack_db):
    citizen = stack.new_citizen(prefix="+4532")
    cid, mette, token = citizen["id"], citizen["coordinator_id"], citizen["token"]
    alert_id = _crisis_alert(stack, citizen)
    # The coordinator reads through the API ...
    for path in ("", "/checkins", "/messages", "/agreements", "/appointments", "/jobs", "/export"):
        assert stack.api("GET", f"/api/citizens/{cid}{path}", token).status_code == 200, path
    assert stack.api("POST", f"/api/alerts/{alert_id}/acknowledge", token).status_code == 200
    assert stack.api("POST", f"/api/alerts/{alert_id}/resolve", token, json={"note": "Ringet op"}).status_code == 200
    # ... the admin reads and changes (was: nothing logged for the admin token) ...
    assert stack.api("GET", f"/api/citizens/{cid}").status_code == 200
    assert stack.api("PATCH", f"/api/citizens/{cid}", json={"checkin_interval_days": 0}).status_code == 422
    assert stack.api("PATCH", f"/api/citizens/{cid}", json={"checkin_interval_days": 14}).status_code == 200
    # ... the coordinator on the dashboard ...
    browser, _csrf = _browser(stack, mette)
    assert browser.get(f"{stack.service_url}/citizens/{cid}", timeout=10).status_code == 200
    # ... and another coordinator's probe finds nothing, so nothing is logged about it.
    other = stack.new_citizen(prefix="+4532")
    assert stack.api("GET", f"/api/citizens/{cid}", other["token"]).status_code == 404

    trail = _entries(stack_db, citizen_id=cid)
    coordinator = [(a, c, act, s) for a, c, act, s in trail if a == "coordinator"]
    assert {act for _, c, act, _ in coordinator if c == mette} >= {
        "view_citizen", "view_checkins", "view_messages", "view_agreements", "view_appointments", "view_jobs",
        "export", "list_alerts", "acknowledge_alert", "resolve_alert"}
    assert ("admin", None, "view_citizen", 200) in trail and ("admin", None, "update", 422) in trail
    assert ("admin", None, "update", 200) in trail
    assert ("coordinator", mette, "view_citizen", 200) in trail[-3:]  # the dashboard page
    assert all(c != other["coordinator_id"] for _, c, _, _ in trail)

    # The admin erases: done only after Rasa itself shows the conversation gone.
    assert any(e["event"] == "user" for e in stack.tracker_events(citizen["phone"]))
    resp = stack.api("POST", f"/api/citizens/{cid}/erase", json={"confirm_phone": citizen["phone"]})
    assert resp.status_code == 200, resp.text
    body = resp.json()
    assert body["tracker_verified"] is True and body["rows"]["conversation_events"] > 0
    assert not [e for e in stack.tracker_events(citizen["phone"]) if e["event"] in ("user", "bot")]
    erasure = stack_db.call(lambda s: s.get(Erasure, body["erasure_id"]))
    assert (erasure.actor, erasure.erased_by, erasure.citizen_id) == ("admin", None, cid)
    assert erasure.tracker_verified_at is not None
    # The trail is kept, pseudonymised: no citizen id, the erasure instead; and it ends with the erasure.
    assert _entries(stack_db, citizen_id=cid) == []
    kept = _entries(stack_db, erasure_id=erasure.id)
    assert kept[:-1] == trail and kept[-1] == ("admin", None, "erase", None)
    assert stack_db.call(lambda s: s.get(Citizen, cid)) is None


@pytest.mark.e2e
def test_a_service_on_the_wrong_tracker_store_refuses_to_erase(stack, stack_db, tmp_path):
    citizen = stack.new_citizen(prefix="+4532")
    assert stack.text_and_wait(citizen["phone"], "hej")
    stored = [e for e in stack.tracker_events(citizen["phone"]) if e["event"] == "user"]
    assert stored
    # The same service, but TRACKER_STORE_URL names another database than Rasa's endpoints.yml.
    wrong = ServiceProcess(tmp_path, {**stack.env, "TRACKER_STORE_URL": f"sqlite:///{tmp_path / 'not-rasas.db'}"})
    try:
        resp = requests.post(f"{wrong.url}/api/citizens/{citizen['id']}/erase", json={"confirm_phone": citizen["phone"]},
                             headers=stack.admin(), timeout=60)
    finally:
        wrong.stop()
    assert resp.status_code == 502, resp.text  # was 200 with the conversation still there
    body = resp.json()
    assert body["erased"] is False and "TRACKER_STORE_URL" in body["error"] and "Nothing was erased" in body["error"]
    assert stack.api("GET", f"/api/citizens/{citizen['id']}", citizen["token"]).status_code == 200
    assert [e for e in stack.tracker_events(citizen["phone"]) if e["event"] == "user"] == stored
    assert stack_db.call(lambda s: s.execute(sa.select(Erasure).where(Erasure.citizen_id == citizen["id"])).first()) \
        is None
    # The right store: done.
    ok = stack.api("POST", f"/api/citizens/{citizen['id']}/erase", citizen["token"],
                   json={"confirm_phone": citizen["phone"]})
    assert ok.status_code == 200 and ok.json()["tracker_verified"] is True


@pytest.mark.e2e
def test_a_tick_deletes_an_ended_courses_messages_and_conversation_after_the_period(stack, stack_db):
    ended, active = stack.new_citizen(prefix="+4532"), stack.new_citizen(prefix="+4532")
    for citizen in (ended, active):
        assert stack.text_and_wait(citizen["phone"], "hej")
    assert stack.api("PATCH", f"/api/citizens/{ended['id']}", ended["token"], json={"status": "inactive"}).ok

    def messages(citizen):
        return stack.api("GET", f"/api/citizens/{citizen['id']}/messages", citizen["token"]).json()

    def said(citizen):
        return [e for e in stack.tracker_events(citizen["phone"]) if e["event"] == "user"]

    # Within the period (5 months after the end) everything stays.
    stack.tick(stack.now() + timedelta(days=150), [ended, active])
    assert messages(ended) and said(ended)
    # Past it (7 months): the ended course's messages and conversation are gone; the other citizen's stay.
    report = stack.tick(stack.now() + timedelta(days=213), [ended, active])
    assert report["retention"]["inbound_messages"] >= 1 and report["retention"]["conversation_events"] >= 1
    assert [m for m in messages(ended) if m["direction"] == "in"] == [] and said(ended) == []
    assert [m["text"] for m in messages(active) if m["direction"] == "in"] == ["hej"] and said(active)
    # The citizen and their structured record stay: erasing a person is the coordinator's decision.
    assert stack.api("GET", f"/api/citizens/{ended['id']}", ended["token"]).status_code == 200
