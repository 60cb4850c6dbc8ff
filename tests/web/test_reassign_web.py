"""A change of coordinator through its adapters (issue 14 §4; the use case is tested in
tests/db/test_reassign.py): POST /api/citizens/{id}/reassign, GET /api/citizens/{id}/coordinator-changes,
GET /api/coordinators, and "Skift koordinator" on the citizen's page. Who may (the coordinator, the
admin; never a colleague pulling a citizen to themself), what is refused (4xx, never 500, nothing
changed), the audit (one row per change), the SMS in the outbox and the history on the page.
On SQLite and PostgreSQL; the clock is tests.conftest.T0 (Monday 23 November 2026, 11.00 in
Copenhagen)."""
from __future__ import annotations

import json
import re

import pytest
import sqlalchemy as sa

from bot.db import outbox as outbox_db
from bot.db.citizens import create_citizen, get_citizen
from bot.db.coordinators import create_coordinator, deactivate, set_password_hash
from bot.db.models import AccessLog, Appointment, CoordinatorChange
from tests.dashboard import csrf_token, dashboard_app, login_per_coordinator, password_hash, quiet_app

ADMIN = {"Authorization": "Bearer test-admin"}
PHONE = "+4512345678"
HANDOVER = "2026-12-01T10:00:00+01:00"  # Tuesday 1 December, 10.00 in Copenhagen
SMS_WITH_HANDOVER = ("Din nye koordinator hedder Mette. Jens har givet din sag videre. "
                     "I mødes alle tre tirsdag 1. december kl. 10. Du kan skrive her som før.")


def _team(session):
    """Jens has Bente; Mette and Ole are colleagues; Karl has left (deactivated)."""
    found = {}
    for name in ("Jens", "Mette", "Ole", "Karl"):
        coordinator, token = create_coordinator(session, name, email=f"{name.lower()}@kommune.dk")
        set_password_hash(session, coordinator, password_hash())
        found[name.lower()] = coordinator.id
        found[f"{name.lower()}_api"] = {"Authorization": f"Bearer {token}"}
    deactivate(session, session.get(type(coordinator), found["karl"]), coordinator.created_at)
    found["bente"] = create_citizen(session, name="Bente", phone=PHONE, coordinator_id=found["jens"]).id
    return found


@pytest.fixture
def team(db):
    return db.call(_team)


@pytest.fixture
async def api(aiohttp_client, db, clock, team):
    return await aiohttp_client(quiet_app(db, clock))


@pytest.fixture
def dashboard(aiohttp_client, db, clock, team):
    return login_per_coordinator(aiohttp_client, db, clock)


def coordinator_of(db, citizen_id):
    return db.call(lambda s: get_citizen(s, citizen_id).coordinator_id)


def outbox(db):
    return [m.text for m in db.call(outbox_db.list_for_msisdn, PHONE)]


def changes(db):
    return db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(CoordinatorChange)).scalar())


def audit(db, citizen_id, action="reassign"):
    """(actor, coordinator_id, status) of the citizen's access-log rows with this action."""
    return db.call(lambda s: [(r.actor, r.coordinator_id, r.status) for r in s.execute(
        sa.select(AccessLog).where(AccessLog.citizen_id == citizen_id, AccessLog.action == action)
        .order_by(AccessLog.id)).scalars()])


def assert_unchanged(db, team):
    assert coordinator_of(db, team["bente"]) == team["jens"]
    assert changes(db) == 0 and outbox(db) == []
    assert db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(Appointment)).scalar()) == 0


# --- the JSON API ---------------------------------------------------------------------------------

async def test_the_coordinator_gives_a_citizen_to_a_colleague_with_a_handover_meeting(api, db, team):
    jens, mette = team["jens_api"], team["mette_api"]
    resp = await api.post(f"/api/citizens/{team['bente']}/reassign", headers=jens,
                          json={"coordinator_id": team["mette"], "handover_at": HANDOVER})
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["citizen"]["id"] == team["bente"] and body["citizen"]["coordinator_id"] == team["mette"]
    change = body["change"]
    assert {k: change[k] for k in ("from_coordinator_id", "from_coordinator_name", "to_coordinator_id",
                                   "to_coordinator_name", "changed_by", "changed_by_name", "actor", "changed_at")} == {
        "from_coordinator_id": team["jens"], "from_coordinator_name": "Jens", "to_coordinator_id": team["mette"],
        "to_coordinator_name": "Mette", "changed_by": team["jens"], "changed_by_name": "Jens", "actor": "coordinator",
        "changed_at": "2026-11-23T10:00:00+00:00"}
    handover = body["handover"]
    assert (handover["kind"], handover["title"], handover["starts_at"], handover["status"]) == (
        "opfoelgning", "Overdragelse: Jens og Mette", "2026-12-01T09:00:00+00:00", "planned")
    assert change["handover_appointment_id"] == handover["id"]
    assert "appointment_reminder" in {j["purpose"] for j in handover["jobs"]}  # reminded like any meeting
    # The citizen is told, by SMS (in the outbox, proactive); the old coordinator loses sight at once.
    assert outbox(db) == [SMS_WITH_HANDOVER]
    assert (await api.get(f"/api/citizens/{team['bente']}", headers=jens)).status == 404
    assert (await api.get(f"/api/citizens/{team['bente']}/coordinator-changes", headers=jens)).status == 404
    assert (await api.get(f"/api/citizens/{team['bente']}", headers=mette)).status == 200
    history = await (await api.get(f"/api/citizens/{team['bente']}/coordinator-changes", headers=mette)).json()
    assert history == [change]
    appointments = await (await api.get(f"/api/citizens/{team['bente']}/appointments", headers=mette)).json()
    assert [a["id"] for a in appointments] == [handover["id"]]
    # One audit row for the change (the use case's), and the history read by Mette.
    assert audit(db, team["bente"]) == [("coordinator", team["jens"], None)]
    assert audit(db, team["bente"], "view_coordinator_changes") == [("coordinator", team["mette"], 200)]


async def test_the_admin_reassigns_with_a_handover_meeting_and_it_is_logged_once(api, db, team):
    resp = await api.post(f"/api/citizens/{team['bente']}/reassign", headers=ADMIN,
                          json={"coordinator_id": team["mette"], "handover_at": "2026-12-01T09:00:00Z"})
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert (body["change"]["actor"], body["change"]["changed_by"], body["change"]["changed_by_name"]) == (
        "admin", None, None)
    assert body["handover"]["starts_at"] == "2026-12-01T09:00:00+00:00"
    assert coordinator_of(db, team["bente"]) == team["mette"] and outbox(db) == [SMS_WITH_HANDOVER]
    # The admin still sees the citizen afterwards, yet the change is one row, not two.
    assert audit(db, team["bente"]) == [("admin", None, None)]
    assert (await api.get(f"/api/citizens/{team['bente']}", headers=team["jens_api"])).status == 404
    assert (await api.get(f"/api/citizens/{team['bente']}", headers=team["mette_api"])).status == 200
    # Without a meeting the SMS names none, and the history lists both changes, newest first.
    resp = await api.post(f"/api/citizens/{team['bente']}/reassign", headers=team["mette_api"],
                          json={"coordinator_id": team["ole"]})
    assert resp.status == 200 and (await resp.json())["handover"] is None
    assert outbox(db)[-1] == "Din nye koordinator hedder Ole. Mette har givet din sag videre. Du kan skrive her som før."
    history = await (await api.get(f"/api/citizens/{team['bente']}/coordinator-changes", headers=ADMIN)).json()
    assert [(c["from_coordinator_name"], c["to_coordinator_name"]) for c in history] == [("Mette", "Ole"),
                                                                                          ("Jens", "Mette")]


@pytest.mark.parametrize("who, to", [("mette", "mette"), ("mette", "ole"), ("ole", "ole")])
async def test_a_colleague_cannot_take_or_move_someone_elses_citizen(api, db, team, who, to):
    """Pulling Jens's citizen to oneself, or moving them elsewhere: not found, as everywhere else."""
    resp = await api.post(f"/api/citizens/{team['bente']}/reassign", headers=team[f"{who}_api"],
                          json={"coordinator_id": team[to], "handover_at": HANDOVER})
    assert resp.status == 404
    assert (await api.get(f"/api/citizens/{team['bente']}/coordinator-changes", headers=team[f"{who}_api"])).status == 404
    assert_unchanged(db, team)
    assert audit(db, team["bente"]) == []  # a 404 showed and did nothing


@pytest.mark.parametrize("target", ["jens", "karl", 10 ** 8])
async def test_unknown_deactivated_or_the_same_coordinator_is_refused(api, db, team, target):
    coordinator_id = team[target] if isinstance(target, str) else target
    resp = await api.post(f"/api/citizens/{team['bente']}/reassign", headers=team["jens_api"],
                          json={"coordinator_id": coordinator_id, "handover_at": HANDOVER})
    assert resp.status == 422 and "coordinator" in (await resp.json())["error"]
    assert_unchanged(db, team)
    assert audit(db, team["bente"]) == [("coordinator", team["jens"], 422)]  # a refusal is logged with its status


GARBAGE = [
    b"not json", b"", b"[1, 2]", b"null", b'{"coordinator_id": ', b"\xff\xfe",
    {}, {"coordinator_id": "2"}, {"coordinator_id": True}, {"coordinator_id": None}, {"coordinator_id": 2.0},
    {"coordinator_id": [2]}, {"coordinator_id": 2 ** 70}, {"coordinator_id": -1},
    {"coordinator_id": "METTE", "handover_at": "tomorrow"},
    {"coordinator_id": "METTE", "handover_at": "2026-12-01T10:00:00"},  # naive: refused, not guessed
    {"coordinator_id": "METTE", "handover_at": "2026-11-01T10:00:00+01:00"},  # in the past
    {"coordinator_id": "METTE", "handover_at": "2030-12-01T10:00:00+01:00"},  # more than two years ahead
    {"coordinator_id": "METTE", "handover_at": "9999-12-31T23:59:59-14:00"},  # past year 9999 in UTC
    {"coordinator_id": "METTE", "handover_at": "0001-01-01T00:00:00+14:00"},
    {"coordinator_id": "METTE", "handover_at": 1796119200},
    {"coordinator_id": "METTE", "handover_at": "\x00"},
    {"coordinator_id": "METTE", "note": "hej"},  # an unknown field
]


@pytest.mark.parametrize("body", GARBAGE)
@pytest.mark.parametrize("who", ["jens_api", "admin"])
async def test_garbage_is_refused_with_4xx_and_changes_nothing(api, db, team, body, who):
    if isinstance(body, dict) and body.get("coordinator_id") == "METTE":
        body = {**body, "coordinator_id": team["mette"]}
    data = body if isinstance(body, bytes) else json.dumps(body)
    headers = {**(ADMIN if who == "admin" else team[who]), "Content-Type": "application/json"}
    resp = await api.post(f"/api/citizens/{team['bente']}/reassign", headers=headers, data=data)
    assert 400 <= resp.status < 500 and resp.status != 404, (resp.status, await resp.text())
    assert "error" in await resp.json()
    assert_unchanged(db, team)


@pytest.mark.parametrize("path", ["/api/citizens/abc/reassign", "/api/citizens/99999999/reassign",
                                  "/api/citizens/0/reassign", "/api/citizens/1234567890123/reassign",
                                  "/api/citizens/²/reassign"])
async def test_no_such_citizen_is_404(api, db, team, path):
    resp = await api.post(path, headers=ADMIN, json={"coordinator_id": team["mette"]})
    assert resp.status == 404
    assert (await api.get(path.replace("reassign", "coordinator-changes"), headers=ADMIN)).status == 404
    assert_unchanged(db, team)


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}])
async def test_unauthenticated_is_401(api, db, team, headers):
    resp = await api.post(f"/api/citizens/{team['bente']}/reassign", headers=headers,
                          json={"coordinator_id": team["mette"]})
    assert resp.status == 401
    assert (await api.get(f"/api/citizens/{team['bente']}/coordinator-changes", headers=headers)).status == 401
    assert (await api.get("/api/coordinators", headers=headers)).status == 401
    assert_unchanged(db, team)


async def test_the_colleagues_to_choose_from_are_the_active_coordinators(api, team):
    for headers in (ADMIN, team["ole_api"]):
        resp = await api.get("/api/coordinators", headers=headers)
        assert resp.status == 200
        assert await resp.json() == [{"id": team[n], "name": n.capitalize()} for n in ("jens", "mette", "ole")]


# --- the dashboard ------------------------------------------------------------------------------

def coordinator_panel(html: str) -> str:
    start = html.index('id="h-coordinator"')
    return html[start:html.index("</section>", start)]


async def test_the_page_form_hands_the_citizen_over_and_the_new_coordinator_sees_the_history(dashboard, db, team):
    client, token = await dashboard("jens")
    panel = coordinator_panel(await (await client.get(f"/citizens/{team['bente']}")).text())
    assert "Skift koordinator" in panel and "Overdragelsesmøde" in panel
    assert "samme koordinator hele forløbet" in panel
    options = dict((name, value) for value, name in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)<', panel))
    assert options == {"Mette": str(team["mette"]), "Ole": str(team["ole"])}  # not Jens himself, not Karl (left)
    resp = await client.post(f"/citizens/{team['bente']}/reassign", allow_redirects=False, data={
        "csrf_token": token, "coordinator_id": str(team["mette"]), "handover_date": "2026-12-01",
        "handover_time": "10:00"})
    assert resp.status == 303 and resp.headers["Location"] == "/"  # not the citizen's page: it is not Jens's now
    assert coordinator_of(db, team["bente"]) == team["mette"] and outbox(db) == [SMS_WITH_HANDOVER]
    assert (await client.get(f"/citizens/{team['bente']}")).status == 404
    assert "Bente" not in await (await client.get("/")).text()
    assert audit(db, team["bente"]) == [("coordinator", team["jens"], None)]

    mette, _ = await dashboard("mette")
    assert "Bente" in await (await mette.get("/")).text()
    html = await (await mette.get(f"/citizens/{team['bente']}")).text()
    panel = coordinator_panel(html)
    assert "Koordinator skiftet fra Jens til Mette 23. nov. 2026" in panel and "af Jens" in panel
    assert "Overdragelse: Jens og Mette" in html and "tirs. 1. dec. 2026 kl. 10.00" in html
    options = dict((name, value) for value, name in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)<', panel))
    assert set(options) == {"Jens", "Ole"}


async def test_the_page_form_needs_the_csrf_token(dashboard, db, team):
    client, token = await dashboard("jens")
    for data in ({}, {"csrf_token": "forged"}):
        resp = await client.post(f"/citizens/{team['bente']}/reassign", allow_redirects=False,
                                 data={**data, "coordinator_id": str(team["mette"])})
        assert resp.status == 403
    assert_unchanged(db, team)


@pytest.mark.parametrize("form, message", [
    ({"coordinator_id": ""}, "Vælg den kollega"),
    ({"coordinator_id": "MINE"}, "Vælg den kollega"),
    ({"coordinator_id": "KARL"}, "Vælg den kollega"),
    ({"coordinator_id": "abc"}, "Vælg den kollega"),
    ({"coordinator_id": "99999999"}, "Vælg den kollega"),
    ({"coordinator_id": "METTE", "handover_date": "2026-11-20", "handover_time": "10:00"}, "ligger i fortiden"),
    ({"coordinator_id": "METTE", "handover_date": "i morgen", "handover_time": "10:00"}, "Skriv en dato"),
    ({"coordinator_id": "METTE", "handover_date": "2026-12-01", "handover_time": ""}, "Skriv et klokkeslæt"),
    ({"coordinator_id": "METTE", "handover_date": "0001-01-01", "handover_time": "00:30"}, "Skriv en dato"),
    ({"coordinator_id": "METTE", "handover_date": "9999-12-31", "handover_time": "23:59"}, "mere end to år"),
])
async def test_the_page_form_refuses_in_danish_and_changes_nothing(dashboard, db, team, form, message):
    client, token = await dashboard("jens")
    names = {"MINE": "jens", "KARL": "karl", "METTE": "mette"}
    form = {k: (str(team[names[v]]) if v in names else v) for k, v in form.items()}
    resp = await client.post(f"/citizens/{team['bente']}/reassign", allow_redirects=False,
                             data={"csrf_token": token, **form})
    assert resp.status == 422
    panel = coordinator_panel(await resp.text())
    assert message in panel and "<details class=\"no-print\" open>" in panel
    assert_unchanged(db, team)


async def test_a_colleague_cannot_use_the_page_form_on_someone_elses_citizen(dashboard, db, team):
    client, token = await dashboard("mette")
    resp = await client.post(f"/citizens/{team['bente']}/reassign", allow_redirects=False,
                             data={"csrf_token": token, "coordinator_id": str(team["mette"])})
    assert resp.status == 404
    assert_unchanged(db, team)
    assert audit(db, team["bente"]) == []


async def test_the_page_form_without_login_goes_to_the_login_page(aiohttp_client, db, clock, team):
    client = await aiohttp_client(dashboard_app(db, clock))
    resp = await client.post(f"/citizens/{team['bente']}/reassign", allow_redirects=False,
                             data={"coordinator_id": str(team["mette"])})
    assert resp.status == 303 and resp.headers["Location"].startswith("/login")
    assert_unchanged(db, team)
    assert csrf_token(await (await client.get("/login")).text())
