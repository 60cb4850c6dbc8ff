"""Attacks on the doors this session opened (issue 14): the outcome routes, the change of coordinator,
the ended-courses report, "Din side" (GET /chat/me), the dashboard forms, the questionnaire actions
and the SMS keyword SKEMA. Each is called by someone who should not (a colleague, a coordinator who
left, the admin where it must not matter, a citizen's chat token on coordinator routes, a coordinator's
token on the citizen's page), with someone else's ids, with text that looks like a command, and with
garbage. Expected: 4xx or a kind answer, never a 500, never someone else's data, nothing lost, every
read in the access log.

In-process (the aiohttp test client, the actions with hand-made trackers as in
tests/actions/test_actions_outcomes.py), on SQLite and PostgreSQL; the clock is tests.conftest.T0.
The defects these attacks found when they were written are fixed; each test now guards its fix."""
from __future__ import annotations

import json
from datetime import timedelta

import pytest
import sqlalchemy as sa
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.citizen import current_citizen
from actions.outcomes import ActionStartQuestionnaire, questionnaire_item, questionnaire_start
from bot.alerts.run import new_alert_text
from bot.channels.keywords import as_rasa_text
from bot.citizens import course
from bot.citizens.chat_links import mint_token, new_link_id
from bot.core.alert_catalogue import Rule
from bot.core.config import ProactiveSettings
from bot.core.texts import COURSE_ENDED, REASSIGNED, REASSIGNED_WITH_HANDOVER
from bot.core.vocabulary import QuestionnaireReason
from bot.db import jobs as job_db
from bot.db import outbox as outbox_db
from bot.db import outcomes as outcome_db
from bot.db.alerts import acknowledge_alert, add_alert
from bot.db.appointments import create_appointment
from bot.db.checkins import add_checkin
from bot.db.citizens import create_citizen, get_citizen
from bot.db.coordinators import create_coordinator, deactivate, set_password_hash
from bot.db.models import AccessLog, Coordinator, CoordinatorChange, Questionnaire
from bot.jobs import planner
from bot.outcomes import record
from bot.outcomes.instruments import FULL_ROUND
from tests.actions.test_actions_outcomes import Conversation, items, responses
from tests.conftest import T0
from tests.dashboard import logged_in, password_hash
from tests.service import service_app
from tests.trackers import PHONE, tracker

SECRET = "test-webchat-secret-0123456789abcdef"
ADMIN = {"Authorization": "Bearer test-admin"}
SETTINGS = ProactiveSettings()
BENTE_PHONE, OTTO_PHONE = PHONE, "+4512345679"  # Bente is the phone the hand-made trackers send from
# What only Bente's file holds: none of it may reach anyone who is not (or no longer) her coordinator.
BENTE_SECRETS = ("Bente Hansen", "Kirkevej 7, lokale 12", "Krisesprog - ring nu", "Kontakt ønsket - Bente")


# --- the people ---------------------------------------------------------------------------------------

def _world(session):
    """Jens has Bente (a check-in, an urgent and an ordinary alert he acknowledged, a meeting, a
    complete WHO-5); Ole has Otto; Mette is a colleague; Karl has left (deactivated)."""
    found: dict = {}
    for name in ("Jens", "Mette", "Ole", "Karl"):
        coordinator, token = create_coordinator(session, name, email=f"{name.lower()}@kommune.dk")
        set_password_hash(session, coordinator, password_hash())
        found[name.lower()] = coordinator.id
        found[f"{name.lower()}_api"] = {"Authorization": f"Bearer {token}"}
    deactivate(session, session.get(Coordinator, found["karl"]), T0 - timedelta(days=1))
    bente = create_citizen(session, name="Bente Hansen", phone=BENTE_PHONE, coordinator_id=found["jens"])
    otto = create_citizen(session, name="Otto", phone=OTTO_PHONE, coordinator_id=found["ole"])
    bente.chat_link_id, otto.chat_link_id = new_link_id(), new_link_id()
    add_checkin(session, bente.id, created_at=T0 - timedelta(days=2), overall="red", focus_areas=["krop"])
    urgent = add_alert(session, bente.id, rule=Rule.CRISIS_LANGUAGE, severity=Rule.CRISIS_LANGUAGE.severity,
                       reason="Krisesprog - ring nu", created_at=T0 - timedelta(days=1))
    ordinary = add_alert(session, bente.id, rule=Rule.CONTACT_REQUEST, severity=Rule.CONTACT_REQUEST.severity,
                         reason="Kontakt ønsket - Bente", created_at=T0 - timedelta(days=1))
    acknowledge_alert(session, urgent, found["jens"], T0 - timedelta(hours=20))  # his own citizen's, not a take-over
    acknowledge_alert(session, ordinary, found["jens"], T0 - timedelta(hours=20))
    meeting = create_appointment(session, bente.id, kind="netvaerksmoede", starts_at=T0 + timedelta(days=2),
                                 location="Kirkevej 7, lokale 12")
    session.flush()
    round_ = record.plan_round(session, bente, reason=QuestionnaireReason.REQUESTED, round_no=None,
                               instruments=["who5"], due_at=T0 - timedelta(days=3), now=T0 - timedelta(days=3),
                               settings=SETTINGS)
    record.begin(session, bente, round_.id, now=T0 - timedelta(days=3), settings=SETTINGS)
    for item, value in enumerate([4, 4, 3, 4, 4]):
        record.answer(session, bente, round_.id, "who5", item, value, now=T0 - timedelta(days=3))
    found.update(bente=bente.id, otto=otto.id, bente_link=bente.chat_link_id, otto_link=otto.chat_link_id,
                 urgent=urgent.id, ordinary=ordinary.id, meeting=meeting.id, round=round_.id)
    return found


@pytest.fixture
def world(db):
    return db.call(_world)


@pytest.fixture
async def api(aiohttp_client, db, clock, world):
    return await aiohttp_client(service_app(db, clock, SMS_DISPATCH_INTERVAL="0", SCHEDULER_INTERVAL_SECONDS="0",
                                            WEBCHAT_JWT_SECRET=SECRET, RASA_SOCKET_URL="https://chat.kommune.dk"))


@pytest.fixture
def dashboard(aiohttp_client, db, clock, world):
    async def login_as(name):
        client = await aiohttp_client(service_app(db, clock, SMS_DISPATCH_INTERVAL="0",
                                                  SCHEDULER_INTERVAL_SECONDS="0"))
        return client, await logged_in(client, f"{name}@kommune.dk")

    return login_as


def chat_bearer(world, who="bente") -> dict:
    return {"Authorization": "Bearer " + mint_token(SECRET, world[f"{who}_link"], T0, timedelta(days=7))}


def audit_rows(db, action=None, citizen_id=None) -> list[tuple]:
    def read(session):
        query = sa.select(AccessLog).order_by(AccessLog.id)
        if action is not None:
            query = query.where(AccessLog.action == action)
        if citizen_id is not None:
            query = query.where(AccessLog.citizen_id == citizen_id)
        return [(r.actor, r.coordinator_id, r.citizen_id, r.action, r.status) for r in session.execute(query).scalars()]
    return db.call(read)


def snapshot(db, world) -> dict:
    """Everything the doors here could change."""
    def read(session):
        def count(model):
            return session.execute(sa.select(sa.func.count()).select_from(model)).scalar()
        bente = get_citizen(session, world["bente"])
        return {"coordinator": bente.coordinator_id, "status": bente.status, "changes": count(CoordinatorChange),
                "rounds": [(q.id, q.status, q.due_at) for q in outcome_db.rounds(session, world["bente"])],
                "jobs": len(job_db.list_jobs(session, citizen_id=world["bente"])),
                "outbox": [m.text for m in outbox_db.list_for_msisdn(session, BENTE_PHONE)]}
    return db.call(read)


# --- who may call: the JSON API -------------------------------------------------------------------------

CITIZEN_ROUTES = [("GET", "/outcomes", None), ("GET", "/questionnaires", None),
                  ("POST", "/questionnaires", {"instrument": "who5"}),
                  ("POST", "/reassign", {"coordinator_id": "METTE"}), ("GET", "/coordinator-changes", None)]
LIST_ROUTES = [("GET", "/api/coordinators"), ("GET", "/api/courses/ended")]


def _body(body, world):
    if body and body.get("coordinator_id") == "METTE":
        return {"coordinator_id": world["mette"]}
    return body


WHO_HAS_NO_STAFF_TOKEN = ("nobody", "karl (deactivated)", "bente's chat token", "admin token + junk",
                          "lower-case bearer", "two tokens")


# One test per route, every kind of caller in a loop: a test's set-up (a database, the world) costs
# more than its requests (docs/testing.md, "Two workers").
@pytest.mark.parametrize("method,path", [(m, p) for m, p, _ in CITIZEN_ROUTES] + LIST_ROUTES)
async def test_no_valid_staff_token_is_401_and_changes_nothing(api, db, world, method, path):
    headers_of = {"nobody": {}, "karl (deactivated)": world["karl_api"], "bente's chat token": chat_bearer(world),
                  "admin token + junk": {"Authorization": "Bearer test-admin-x"},
                  "lower-case bearer": {"Authorization": world["jens_api"]["Authorization"].replace("Bearer",
                                                                                                    "bearer")},
                  "two tokens": {"Authorization": world["jens_api"]["Authorization"] + " " + "test-admin"}}
    body = _body(dict(next((b for m, p, b in CITIZEN_ROUTES if p == path), None) or {}), world) or None
    url = path if path.startswith("/api/") else f"/api/citizens/{world['bente']}{path}"
    before = snapshot(db, world)
    for who in WHO_HAS_NO_STAFF_TOKEN:
        resp = await api.request(method, url, headers=headers_of[who], json=body)
        assert resp.status == 401, (who, url, await resp.text())
        assert "Bente" not in await resp.text()
        assert snapshot(db, world) == before and audit_rows(db) == [], who


@pytest.mark.parametrize("method,path,body", CITIZEN_ROUTES)
async def test_a_colleague_gets_404_for_someone_elses_citizen_and_no_audit_row(api, db, world, method, path, body):
    before = snapshot(db, world)
    for who in ("ole_api", "mette_api"):  # Ole has his own citizens, Mette is the would-be new coordinator
        resp = await api.request(method, f"/api/citizens/{world['bente']}{path}", headers=world[who],
                                 json=_body(body, world))
        text = await resp.text()
        assert resp.status == 404, (who, text)
        assert all(s not in text for s in BENTE_SECRETS)
    assert snapshot(db, world) == before
    assert audit_rows(db, citizen_id=world["bente"]) == []


async def test_a_colleague_cannot_pull_a_citizen_to_themself_or_push_their_own_onto_someone_elses(api, db, world):
    before = snapshot(db, world)
    # Mette names herself as the new coordinator of Jens's Bente; Ole moves Bente to himself.
    for who, target in (("mette_api", "mette"), ("ole_api", "ole"), ("ole_api", "mette")):
        resp = await api.post(f"/api/citizens/{world['bente']}/reassign", headers=world[who],
                              json={"coordinator_id": world[target]})
        assert resp.status == 404
    # Jens giving Bente to Karl, who has left: refused, nothing sent.
    resp = await api.post(f"/api/citizens/{world['bente']}/reassign", headers=world["jens_api"],
                          json={"coordinator_id": world["karl"]})
    assert resp.status == 422
    assert snapshot(db, world) == before


async def test_the_admin_token_reaches_every_citizen_but_is_not_a_citizen_on_chat_me(api, db, world):
    for path in ("/outcomes", "/questionnaires", "/coordinator-changes"):
        resp = await api.get(f"/api/citizens/{world['otto']}{path}", headers=ADMIN)
        assert resp.status == 200, path
    # "Din side" takes only a chat token: not the admin's, a coordinator's, or a deactivated one's.
    for headers in (ADMIN, world["jens_api"], world["karl_api"], {"Authorization": "Bearer " + "9" * 40}):
        resp = await api.get("/chat/me", headers=headers)
        assert resp.status == 403, headers
        assert set(await resp.json()) == {"error"}
    assert audit_rows(db, action="view_outcomes") == [("admin", None, world["otto"], "view_outcomes", 200)]


async def test_each_chat_token_shows_its_own_citizen_only_and_survives_a_change_of_coordinator(api, db, world):
    resp = await api.get("/chat/me", headers=chat_bearer(world, "otto"))
    assert resp.status == 200
    text = await resp.text()
    assert all(s not in text for s in BENTE_SECRETS)
    resp = await api.post(f"/api/citizens/{world['bente']}/reassign", headers=world["jens_api"],
                          json={"coordinator_id": world["mette"]})
    assert resp.status == 200
    resp = await api.get("/chat/me", headers=chat_bearer(world))
    assert resp.status == 200
    body = await resp.json()
    text = json.dumps(body, ensure_ascii=False)
    # Her own meeting place is hers to see; the alerts' reasons and any coordinator's name are not.
    assert "Kirkevej 7, lokale 12" in text
    assert "Krisesprog" not in text and "Kontakt ønsket" not in text and "Jens" not in text and "Mette" not in text
    assert "score" not in text and '"items"' not in text


# --- garbage ------------------------------------------------------------------------------------------

GARBAGE_QUESTIONNAIRE = [
    b"", b"null", b"[]", b'"who5"', b"{", b'{"instrument": null}', b'{"instrument": ["who5"]}',
    b'{"instrument": {"who5": 1}}', b'{"instrument": 5}', b'{"instrument": true}', b'{"instrument": "WHO5"}',
    b'{"instrument": "who5\\u0000"}', b'{"instrument": "\\ud800"}', b'{"instrument": "wh\xc3\xb85"}',
    b'{"instrument": "who5 "}', b'{"instrument": NaN}', b'{"instrument": "' + b"x" * 100_000 + b'"}',
    b"[" * 5000 + b"]" * 5000, b"\xff\xfe",
]


@pytest.mark.parametrize("who", ["jens_api", "ole_api"])
async def test_garbage_asking_for_a_round_is_4xx_and_plans_nothing(api, db, world, who):
    before, expected = snapshot(db, world), []
    for number, raw in enumerate(GARBAGE_QUESTIONNAIRE):
        resp = await api.post(f"/api/citizens/{world['bente']}/questionnaires", data=raw,
                              headers={**world[who], "Content-Type": "application/json"})
        assert 400 <= resp.status < 500, (number, await resp.text())
        assert snapshot(db, world) == before, number
        # A refusal of what Jens sent about his own citizen is audited with its status; Ole's is not.
        if who == "jens_api":
            expected.append(("coordinator", world["jens"], world["bente"], "request_questionnaire", resp.status))
        assert audit_rows(db, action="request_questionnaire") == expected, number


GARBAGE_REASSIGN = [
    {}, {"coordinator_id": None}, {"coordinator_id": "METTE_STR"}, {"coordinator_id": True},
    {"coordinator_id": 0}, {"coordinator_id": -1}, {"coordinator_id": 10 ** 30}, {"coordinator_id": 2.0},
    {"coordinator_id": [1]}, {"coordinator_id": {"id": 1}}, {"coordinator_id": "\u0662"},
    {"coordinator_id": "METTE", "handover_at": "i morgen"}, {"coordinator_id": "METTE", "handover_at": 1700000000},
    {"coordinator_id": "METTE", "handover_at": "2026-12-01T10:00:00"},
    {"coordinator_id": "METTE", "handover_at": "9999-12-31T23:59:59-14:00"},
    {"coordinator_id": "METTE", "handover_at": "0001-01-01T00:00:00+14:00"},
    {"coordinator_id": "METTE", "handover_at": "2020-01-01T10:00:00+01:00"},  # in the past
    {"coordinator_id": "METTE", "citizen_id": "OTTO"}, {"coordinator_id": "METTE", "to": 1},
]


@pytest.mark.parametrize("body", GARBAGE_REASSIGN, ids=range(len(GARBAGE_REASSIGN)))
async def test_garbage_reassigning_is_4xx_and_changes_nothing(api, db, world, body):
    body = {k: (world["mette"] if v == "METTE" else world["otto"] if v == "OTTO" else
                str(world["mette"]) if v == "METTE_STR" else v) for k, v in body.items()}
    before = snapshot(db, world)
    resp = await api.post(f"/api/citizens/{world['bente']}/reassign", headers=world["jens_api"], json=body)
    assert 400 <= resp.status < 500, (body, await resp.text())
    assert snapshot(db, world) == before
    assert get_citizen_coordinator(db, world["otto"]) == world["ole"]


def get_citizen_coordinator(db, citizen_id):
    return db.call(lambda s: get_citizen(s, citizen_id).coordinator_id)


async def test_a_huge_body_is_413_and_duplicated_keys_never_a_500(api, db, world):
    before = snapshot(db, world)
    huge = b'{"coordinator_id": %d, "pad": "' % world["mette"] + b"x" * (3 * 1024 * 1024) + b'"}'
    for path in ("/reassign", "/questionnaires"):
        resp = await api.post(f"/api/citizens/{world['bente']}{path}", data=huge,
                              headers={**world["jens_api"], "Content-Type": "application/json"})
        assert resp.status == 413, path
    assert snapshot(db, world) == before
    # Duplicated keys: JSON takes the last; whichever is taken, it is one of the body's own values
    # and the result is a 2xx or a 4xx, never a 500 and never a third coordinator.
    raw = b'{"coordinator_id": %d, "coordinator_id": %d}' % (world["karl"], world["mette"])
    resp = await api.post(f"/api/citizens/{world['bente']}/reassign", data=raw,
                          headers={**world["jens_api"], "Content-Type": "application/json"})
    assert resp.status in (200, 422)
    assert get_citizen_coordinator(db, world["bente"]) in (world["jens"], world["mette"])


@pytest.mark.parametrize("path_id", ["-1", "0", "99999999999999999999", "\uff11", "\u00b2", "1.0", "1e3", " 1",
                                     "%2e%2e", "%00", "1%0A"])
async def test_ids_in_the_path_that_are_no_ids_are_404(api, db, world, path_id):
    for method, path, body in CITIZEN_ROUTES:
        resp = await api.request(method, f"/api/citizens/{path_id}{path}", headers=ADMIN, json=_body(body, world))
        assert resp.status == 404, (path_id, path, await resp.text())
    assert audit_rows(db) == []


async def test_a_coordinator_id_of_someone_elses_citizen_or_a_citizen_id_is_no_coordinator(api, db, world):
    before = snapshot(db, world)
    # Otto's id as a coordinator id, and a query string trying to widen the scope.
    for body in ({"coordinator_id": world["otto"] + 1000}, {"coordinator_id": 999_999_999}):
        resp = await api.post(f"/api/citizens/{world['bente']}/reassign?coordinator_id={world['ole']}",
                              headers=world["jens_api"], json=body)
        assert resp.status == 422
    for query in ("?scope=", "?coordinator_id=", "?citizen_id="):
        resp = await api.get(f"/api/courses/ended{query}{world['ole']}", headers=world["jens_api"])
        assert resp.status == 200 and "Otto" not in await resp.text()
    assert snapshot(db, world) == before


# --- the old coordinator after the change -----------------------------------------------------------------

async def _hand_bente_to_mette(api, world):
    resp = await api.post(f"/api/citizens/{world['bente']}/reassign", headers=world["jens_api"],
                          json={"coordinator_id": world["mette"], "handover_at": "2026-12-01T10:00:00+01:00"})
    assert resp.status == 200, await resp.text()
    return (await resp.json())["handover"]["id"]


async def test_the_old_coordinator_loses_every_api_door_to_the_citizen(api, db, world):
    handover = await _hand_bente_to_mette(api, world)
    jens, bente = world["jens_api"], world["bente"]
    for path in ("", "/outcomes", "/questionnaires", "/coordinator-changes", "/checkins", "/appointments",
                 "/agreements", "/messages", "/jobs", "/export"):
        resp = await api.get(f"/api/citizens/{bente}{path}", headers=jens)
        assert resp.status == 404, path
    for path in (f"/api/appointments/{world['meeting']}", f"/api/appointments/{handover}",
                 f"/api/appointments/{world['meeting']}/preparation"):
        assert (await api.get(path, headers=jens)).status == 404, path
    for method, path, body in (("POST", f"/api/citizens/{bente}/questionnaires", {"instrument": "who5"}),
                               ("POST", f"/api/citizens/{bente}/reassign", {"coordinator_id": world["jens"]}),
                               ("POST", f"/api/citizens/{bente}/chat-link", {}),
                               ("PATCH", f"/api/citizens/{bente}", {"status": "inactive"}),
                               ("POST", f"/api/alerts/{world['ordinary']}/resolve", {"note": "Ringet op"}),
                               ("POST", f"/api/alerts/{world['ordinary']}/acknowledge", {})):
        resp = await api.request(method, path, headers=jens, json=body)
        assert resp.status == 404, (method, path, await resp.text())
    listed = await (await api.get("/api/alerts", headers=jens)).json()
    assert world["ordinary"] not in [a["id"] for a in listed]


async def test_the_old_coordinator_does_not_keep_the_urgent_alert_of_their_own_former_citizen(api, db, world):
    await _hand_bente_to_mette(api, world)
    listed = await (await api.get("/api/alerts", headers=world["jens_api"])).json()
    assert world["urgent"] not in [a["id"] for a in listed]
    resp = await api.post(f"/api/alerts/{world['urgent']}/resolve", headers=world["jens_api"],
                          json={"note": "Ringet op"})
    assert resp.status == 404


async def test_the_old_coordinator_loses_every_dashboard_page_of_the_citizen(api, dashboard, db, world):
    handover = await _hand_bente_to_mette(api, world)
    client, token = await dashboard("jens")
    bente = world["bente"]
    for path in (f"/citizens/{bente}", f"/citizens/{bente}/export", f"/appointments/{world['meeting']}/agenda",
                 f"/appointments/{handover}/agenda", f"/appointments/{world['meeting']}/edit",
                 f"/citizens/{bente}/appointments/new"):
        resp = await client.get(path, allow_redirects=False)
        assert resp.status == 404, path
    for path, data in ((f"/citizens/{bente}/questionnaires", {"instrument": "who5"}),
                       (f"/citizens/{bente}/reassign", {"coordinator_id": str(world["jens"])}),
                       (f"/citizens/{bente}/course", {"status": "inactive", "end_reason": "moved",
                                                      "checkin_interval_days": "7"}),
                       (f"/alerts/{world['ordinary']}/resolve", {})):
        resp = await client.post(path, data={"csrf_token": token, **data}, allow_redirects=False)
        assert resp.status == 404, path
    overview = await (await client.get("/")).text()
    assert "Bente" not in overview and "Kirkevej" not in overview
    alerts_page = await (await client.get("/alerts")).text()
    assert "Kontakt ønsket" not in alerts_page
    assert get_citizen_coordinator(db, bente) == world["mette"]


async def test_the_old_coordinators_alerts_page_shows_nothing_of_the_former_citizen(api, dashboard, world):
    await _hand_bente_to_mette(api, world)
    client, _ = await dashboard("jens")
    alerts_page = await (await client.get("/alerts?view=all")).text()
    assert "Bente" not in alerts_page and "Krisesprog" not in alerts_page


async def test_the_new_coordinator_sees_and_every_read_is_audited(api, db, world):
    await _hand_bente_to_mette(api, world)
    mette, bente = world["mette_api"], world["bente"]
    for path, action in (("/outcomes", "view_outcomes"), ("/questionnaires", "view_questionnaires"),
                         ("/coordinator-changes", "view_coordinator_changes")):
        resp = await api.get(f"/api/citizens/{bente}{path}", headers=mette)
        assert resp.status == 200, path
        assert audit_rows(db, action=action) == [("coordinator", world["mette"], bente, action, 200)]
    outcomes = await (await api.get(f"/api/citizens/{bente}/outcomes", headers=mette)).json()
    assert [o["score"] for o in outcomes] == [76]  # the answers moved with her
    resp = await api.get("/api/courses/ended", headers=mette)
    assert resp.status == 200
    assert audit_rows(db, action="list_ended_courses") == [("coordinator", world["mette"], None,
                                                            "list_ended_courses", 200)]


# --- the dashboard forms ------------------------------------------------------------------------------

@pytest.mark.parametrize("interval", [pytest.param("\u00b2", id="superscript-two"),
                                      pytest.param("\u00b9\u00b2", id="superscripts"),
                                      pytest.param("9" * 5000, id="5000-digits"),
                                      pytest.param("9" * 30, id="30-digits"),
                                      pytest.param("\u0661\u0662", id="arabic-indic"), "-1", "7.0", ""])
async def test_the_course_form_never_answers_500(dashboard, db, world, interval):
    client, token = await dashboard("jens")
    before = snapshot(db, world)
    resp = await client.post(f"/citizens/{world['bente']}/course", allow_redirects=False,
                             data={"csrf_token": token, "checkin_interval_days": interval, "status": "inactive",
                                   "end_reason": "moved"})
    assert resp.status < 500, (interval, resp.status)
    if resp.status != 303:
        assert snapshot(db, world) == before


@pytest.mark.parametrize("target", ["", "MINE", "KARL", "OTTO_AS_COORDINATOR", "\u0662", "99999999999999999999",
                                    "-1", "1 OR 1=1", "x" * 10_000])
async def test_the_reassign_form_refuses_in_danish_and_changes_nothing(dashboard, db, world, target):
    value = {"MINE": str(world["jens"]), "KARL": str(world["karl"]),
             "OTTO_AS_COORDINATOR": str(world["otto"] + 1000)}.get(target, target)
    client, token = await dashboard("jens")
    before = snapshot(db, world)
    resp = await client.post(f"/citizens/{world['bente']}/reassign", allow_redirects=False,
                             data={"csrf_token": token, "coordinator_id": value})
    assert resp.status == 422, (target, resp.status)
    assert "koordinator" in (await resp.text()).lower() or "kollega" in (await resp.text()).lower()
    assert snapshot(db, world) == before


@pytest.mark.parametrize("date_,time_", [("2026-13-01", "10:00"), ("9999-12-31", "23:59"), ("0001-01-01", "00:00"),
                                         ("2026-12-01", "25:00"), ("2026-12-01", ""), ("x" * 5000, "10:00"),
                                         ("2020-01-01", "10:00")])
async def test_the_reassign_forms_handover_garbage_is_422(dashboard, db, world, date_, time_):
    client, token = await dashboard("jens")
    before = snapshot(db, world)
    resp = await client.post(f"/citizens/{world['bente']}/reassign", allow_redirects=False,
                             data={"csrf_token": token, "coordinator_id": str(world["mette"]),
                                   "handover_date": date_, "handover_time": time_})
    assert resp.status == 422, (date_, time_, resp.status)
    assert snapshot(db, world) == before


async def test_the_questionnaire_form_takes_only_a_known_instrument_for_ones_own_citizen(dashboard, db, world):
    client, token = await dashboard("jens")
    before = snapshot(db, world)
    for instrument in ("", "WHO5", "who5\u0000", "inspire_o'; --", "x" * 10_000):
        resp = await client.post(f"/citizens/{world['bente']}/questionnaires", allow_redirects=False,
                                 data={"csrf_token": token, "instrument": instrument})
        assert resp.status == 422, instrument
    resp = await client.post(f"/citizens/{world['otto']}/questionnaires", allow_redirects=False,
                             data={"csrf_token": token, "instrument": "who5"})
    assert resp.status == 404
    assert snapshot(db, world) == before


async def test_send_who5_after_a_resumed_course_is_really_sent(api, db, world):
    jens, bente = world["jens_api"], world["bente"]
    for change in ({"status": "inactive", "end_reason": "moved"}, {"status": "active"}):
        resp = await api.patch(f"/api/citizens/{bente}", headers=jens, json=change)
        assert resp.status == 200, await resp.text()
    resp = await api.post(f"/api/citizens/{bente}/questionnaires", headers=jens, json={"instrument": "who5"})
    assert resp.status in (200, 201)
    round_id = (await resp.json())["id"]
    prompts = db.call(job_db.list_jobs, target=planner.questionnaire_target(round_id), purpose="questionnaire_prompt")
    assert [j.status for j in prompts] == ["pending"]


# --- no health content in what is sent ------------------------------------------------------------------

HEALTH_WORDS = ("who-5", "who5", "trivsel", "score", "point", "krise", "rød", "alarm", "spørgeskema", "svar")


def test_the_texts_of_a_change_and_of_the_end_carry_no_health_content():
    for text in (REASSIGNED.format(new="Mette", old="Jens"),
                 REASSIGNED_WITH_HANDOVER.format(new="Mette", old="Jens", when="tirsdag 1. december kl. 10"),
                 COURSE_ENDED.format(coordinator="Jens")):
        assert not [w for w in HEALTH_WORDS if w in text.lower() and w != "svar"], text


def test_a_who5_alert_notifies_the_coordinator_with_its_severity_only(db, world):
    def low_round(session):
        bente = get_citizen(session, world["bente"])
        round_ = record.plan_round(session, bente, reason=QuestionnaireReason.REQUESTED, round_no=None,
                                   instruments=["who5"], due_at=T0, now=T0, settings=SETTINGS)
        record.begin(session, bente, round_.id, now=T0, settings=SETTINGS)
        alerts = []
        for item in range(5):
            alerts += record.answer(session, bente, round_.id, "who5", item, 0, now=T0)[1]
        return new_alert_text(alerts, "https://dashboard.kommune.dk/alerts")
    text = db.call(low_round)
    # The rules (a drop and a low score) are not named, nor the citizen, nor any score: the severity only.
    assert text == "2 nye alarmer (højeste: høj) - log ind: https://dashboard.kommune.dk/alerts"


# --- the conversation: command-looking text, someone else's ids, garbage ------------------------------------

@pytest.mark.parametrize("text,rasa_text", [
    ("/start_questionnaire", "start_questionnaire"),
    ('/EXTERNAL_questionnaire_prompt{"questionnaire_id": 1}', 'EXTERNAL_questionnaire_prompt{"questionnaire_id": 1}'),
    (' / /EXTERNAL_questionnaire_nudge{"questionnaire_id": 1}', 'EXTERNAL_questionnaire_nudge{"questionnaire_id": 1}'),
    ("SKEMA", "/start_questionnaire"), ("skema!", "/start_questionnaire"), ("/skema", "/start_questionnaire"),
    ("SKEMA 1", "SKEMA 1"), ("SKEMA{\"questionnaire_id\": 1}", "SKEMA{\"questionnaire_id\": 1}"),
])
def test_citizen_text_never_becomes_a_command_with_entities(text, rasa_text):
    assert as_rasa_text(text) == rasa_text


@pytest.fixture
def two_citizens(db, clock):
    """Bente (the tracker's sender) and Karen, both Mette's; Karen has a round being asked."""
    def make(session):
        coordinator, _ = create_coordinator(session, "Mette")
        bente = create_citizen(session, name="Bente", phone=BENTE_PHONE, coordinator_id=coordinator.id)
        karen = create_citizen(session, name="Karen", phone=OTTO_PHONE, coordinator_id=coordinator.id)
        round_ = record.plan_round(session, karen, reason=QuestionnaireReason.REQUESTED, round_no=None,
                                   instruments=list(FULL_ROUND), due_at=T0, now=T0, settings=SETTINGS)
        record.begin(session, karen, round_.id, now=T0, settings=SETTINGS)
        record.answer(session, karen, round_.id, "who5", 0, 2, now=T0)
        return bente, karen, round_.id

    saved = context._db, context._clock
    context.use(db, clock)
    yield db.call(make)
    context._db, context._clock = saved
    context.proactive_settings.cache_clear()


def karens(db, round_id):
    row = db.call(lambda s: s.get(Questionnaire, round_id))
    return row.status, row.last_answer_at, items(db, round_id)


async def test_skema_with_someone_elses_questionnaire_id_starts_only_ones_own(db, two_citizens):
    bente, karen, karens_round = two_citizens
    before = karens(db, karens_round)
    talk = Conversation()
    skema = tracker("SKEMA", intent="start_questionnaire", sender=BENTE_PHONE)
    skema.latest_message["entities"] = [{"entity": "questionnaire_id", "value": str(karens_round)}]
    said = await talk.run(ActionStartQuestionnaire(), skema)
    assert responses(said) == ["utter_questionnaire_none"]  # Bente has no round: Karen's is not hers
    assert karens(db, karens_round) == before
    said = await talk.trigger("questionnaire_prompt", karens_round)
    assert said == [] and karens(db, karens_round) == before


@pytest.mark.parametrize("questionnaire_id", ["-1", "0", "1e3", "", "null", "\u0661",
                                              "[1]", "1; DROP TABLE questionnaires"])
async def test_garbage_ids_in_a_trigger_say_nothing_and_never_raise(db, two_citizens, questionnaire_id):
    _, _, karens_round = two_citizens
    before = karens(db, karens_round)
    talk = Conversation()
    assert await talk.trigger("questionnaire_prompt", questionnaire_id) == []
    assert karens(db, karens_round) == before


@pytest.mark.parametrize("params", [
    {"questionnaire_id": "KAREN", "instrument": "who5", "item": 1},
    {"questionnaire_id": -1, "instrument": "who5", "item": 1},
    {"questionnaire_id": None, "instrument": "who5", "item": 1},
    {"questionnaire_id": [1], "instrument": "who5", "item": 1},
    {"questionnaire_id": "BENTE", "instrument": "who5", "item": 10 ** 20},
    {"questionnaire_id": "BENTE", "instrument": "who5", "item": -1},
    {"questionnaire_id": "BENTE", "instrument": ["who5"], "item": 0},
    {"questionnaire_id": "BENTE", "instrument": "inspire_o\u0000", "item": 0},
    {"questionnaire_id": "BENTE", "instrument": "who5", "item": "0x1"},
    {},
], ids=range(10))
async def test_garbage_or_foreign_params_in_an_answer_store_nothing_and_never_raise(db, two_citizens, params):
    bente, karen, karens_round = two_citizens
    bentes_round = db.call(lambda s: record.plan_round(s, get_citizen(s, bente.id), reason="requested", round_no=None,
                                                       instruments=["who5"], due_at=T0, now=T0, settings=SETTINGS)).id
    db.call(lambda s: record.begin(s, get_citizen(s, bente.id), bentes_round, now=T0, settings=SETTINGS))
    params = {k: ({"KAREN": karens_round, "BENTE": bentes_round}.get(v, v) if isinstance(v, str) else v)
              for k, v in params.items()}
    before, bentes_before = karens(db, karens_round), karens(db, bentes_round)
    info = await _info(bente.id)
    for handler, answer in ((questionnaire_item, "3"), (questionnaire_start, "yes"), (questionnaire_item, "stopped")):
        dispatcher = CollectingDispatcher()
        await handler(dispatcher, tracker("3", sender=BENTE_PHONE), info, answer, params)
    assert karens(db, karens_round) == before
    if params.get("questionnaire_id") != bentes_round or params.get("item") not in range(5) \
            or params.get("instrument") != "who5":
        assert karens(db, bentes_round) == bentes_before


async def test_huge_ids_from_the_dialogue_say_nothing_and_never_raise(request, db, db_url, two_citizens):
    bente, _, karens_round = two_citizens
    before = karens(db, karens_round)
    assert await Conversation().trigger("questionnaire_prompt", "99999999999999999999") == []
    info = await _info(bente.id)
    for handler, answer in ((questionnaire_item, "3"), (questionnaire_start, "yes"), (questionnaire_start, "no"),
                            (questionnaire_item, "stopped")):
        await handler(CollectingDispatcher(), tracker("3", sender=BENTE_PHONE), info, answer,
                      {"questionnaire_id": 10 ** 20, "instrument": "who5", "item": 1})
    assert karens(db, karens_round) == before


async def _info(citizen_id):
    info = await current_citizen(tracker("", sender=BENTE_PHONE))
    assert info.citizen.id == citizen_id
    return info


async def test_a_stale_answer_does_not_rewrite_a_complete_round(db, two_citizens):
    bente, _, _ = two_citizens

    def complete(session):
        citizen = get_citizen(session, bente.id)
        round_ = record.plan_round(session, citizen, reason="requested", round_no=None, instruments=["who5"],
                                   due_at=T0, now=T0, settings=SETTINGS)
        record.begin(session, citizen, round_.id, now=T0, settings=SETTINGS)
        for item in range(5):
            record.answer(session, citizen, round_.id, "who5", item, 5, now=T0)
        return round_.id

    round_id = db.call(complete)
    info = await _info(bente.id)
    await questionnaire_item(CollectingDispatcher(), tracker("0", sender=BENTE_PHONE), info, "0",
                             {"questionnaire_id": round_id, "instrument": "who5", "item": 2})
    row = db.call(lambda s: outcome_db.measures(s, round_id)["who5"])
    assert (row.items, row.score) == ([5, 5, 5, 5, 5], 100)


async def test_an_answer_after_the_course_ended_mid_round_gets_a_kind_answer(db, two_citizens):
    bente, _, _ = two_citizens
    round_id = db.call(lambda s: record.plan_round(s, get_citizen(s, bente.id), reason="requested", round_no=None,
                                                   instruments=list(FULL_ROUND), due_at=T0, now=T0,
                                                   settings=SETTINGS)).id
    talk = Conversation()
    await talk.trigger("questionnaire_prompt", round_id)
    await talk.reply("ja", intent="affirm")
    await talk.reply("3")
    db.call(lambda s: course.set_course(s, get_citizen(s, bente.id), "inactive", T0, SETTINGS, end_reason="moved"))
    said = await talk.reply("4")
    assert items(db, round_id)["who5"][:2] == [3, None]  # nothing stored for a declined round
    assert said, "the citizen's answer was met with silence"
