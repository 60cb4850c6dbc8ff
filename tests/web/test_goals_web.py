"""Goals and the plan over the JSON API and in the dashboard (issue 14 §1): happy paths, another
coordinator's (or another citizen's) ids are 404 on every route, no login is 401, garbage is a 4xx
and never a 500, the page's forms need the CSRF token, and the agenda shows the goals."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.db.appointments import create_appointment
from bot.db.citizens import get_citizen
from bot.db.models import AccessLog, Goal, GoalStep
from bot.goals import plan
from tests.conftest import T0
from tests.dashboard import ADMIN, dashboard_app, logged_in, make_citizen, make_coordinator


def seed(session):
    mette = make_coordinator(session, "Mette", "mette@kommune.dk", token="mette-token")
    ole = make_coordinator(session, "Ole", "ole@kommune.dk", token="ole-token")
    bente = make_citizen(session, mette, "Bente", "+4512345678")
    karen = make_citizen(session, mette, "Karen", "+4512345679")
    otto = make_citizen(session, ole, "Otto", "+4512345670")
    karens = plan.add_goal(session, karen.id, mette.id, "Karens mål", now=T0)
    karens_step = plan.add_step(session, karens.id, mette.id, "Karens trin", "Du", None, now=T0)
    ottos = plan.add_goal(session, otto.id, ole.id, "Ottos mål", now=T0)
    ottos_step = plan.add_step(session, ottos.id, ole.id, "Ottos trin", "Du", None, now=T0)
    meeting = create_appointment(session, bente.id, kind="opfoelgning", starts_at=T0 + timedelta(days=2))
    return {"mette": mette.id, "bente": bente.id, "karen": karen.id, "otto": otto.id, "karens": karens.id,
            "karens_step": karens_step.id, "ottos": ottos.id, "ottos_step": ottos_step.id, "meeting": meeting.id}


MINE = {"Authorization": "Bearer mette-token"}


@pytest.fixture
async def client(aiohttp_client, db, clock):
    client = await aiohttp_client(dashboard_app(db, clock, SCHEDULER_INTERVAL_SECONDS="0", SMS_DISPATCH_INTERVAL="0"))
    client.ids = db.call(seed)
    return client


async def test_the_api_adds_changes_and_ticks_and_logs_every_access(client, db):
    ids = client.ids
    path = f"/api/citizens/{ids['bente']}/goals"
    assert await (await client.get(path, headers=MINE)).json() == []
    resp = await client.post(path, json={"text": "Jeg vil have et arbejde"}, headers=MINE)
    assert resp.status == 201, await resp.text()
    goal = await resp.json()
    assert (goal["text"], goal["status"], goal["source"], goal["created_by"], goal["steps"]) == (
        "Jeg vil have et arbejde", "active", "coordinator", ids["mette"], [])
    resp = await client.post(f"/api/goals/{goal['id']}/steps",
                             json={"text": "Ring til jobcentret", "owner": "Du", "due_date": "2026-12-01"}, headers=MINE)
    assert resp.status == 201, await resp.text()
    step = await resp.json()
    assert (step["owner"], step["due_date"], step["done"]) == ("Du", "2026-12-01", False)
    resp = await client.post(f"/api/steps/{step['id']}/done", json={"done": True}, headers=MINE)
    assert resp.status == 200 and (await resp.json())["done_by"] == "coordinator"
    resp = await client.patch(f"/api/goals/{goal['id']}", json={"status": "reached", "text": "Et arbejde"},
                              headers=MINE)
    changed = await resp.json()
    assert resp.status == 200 and (changed["status"], changed["text"], changed["reached_at"]) == (
        "reached", "Et arbejde", T0.isoformat())
    assert [s["done"] for s in changed["steps"]] == [True]
    listed = await (await client.get(path, headers=MINE)).json()
    assert [(g["text"], [s["text"] for s in g["steps"]]) for g in listed] == [("Et arbejde", ["Ring til jobcentret"])]
    # The admin reaches it too.
    assert len(await (await client.get(path, headers=ADMIN)).json()) == 1
    with db.session() as s:
        log = list(s.execute(sa.select(AccessLog.action, AccessLog.citizen_id, AccessLog.status)
                             .where(AccessLog.coordinator_id == ids["mette"]).order_by(AccessLog.id)).all())
    assert log == [("view_goals", ids["bente"], 200), ("add_goal", ids["bente"], 201),
                   ("add_goal_step", ids["bente"], 201), ("tick_goal_step", ids["bente"], 200),
                   ("change_goal", ids["bente"], 200), ("view_goals", ids["bente"], 200)]


def _routes(ids, *, citizen, goal, step):
    return [("GET", f"/api/citizens/{citizen}/goals", None),
            ("POST", f"/api/citizens/{citizen}/goals", {"text": "x"}),
            ("PATCH", f"/api/goals/{goal}", {"status": "dropped"}),
            ("POST", f"/api/goals/{goal}/steps", {"text": "x"}),
            ("POST", f"/api/steps/{step}/done", {"done": True})]


async def test_another_coordinators_ids_are_not_found_on_every_route(client, db):
    ids = client.ids
    for ident in ({"citizen": ids["otto"], "goal": ids["ottos"], "step": ids["ottos_step"]},
                  {"citizen": 999999, "goal": 999999, "step": 999999},
                  {"citizen": "abc", "goal": "99999999999999999999", "step": "²"}):
        for method, path, body in _routes(ids, **ident):
            resp = await client.request(method, path, json=body, headers=MINE)
            assert resp.status == 404, (method, path, resp.status)
    with db.session() as s:
        assert s.get(Goal, ids["ottos"]).status == "active" and s.get(GoalStep, ids["ottos_step"]).done_at is None
        assert s.execute(sa.select(sa.func.count()).select_from(Goal)).scalar_one() == 2


async def test_unauthenticated_is_401(client):
    ids = client.ids
    for method, path, body in _routes(ids, citizen=ids["karen"], goal=ids["karens"], step=ids["karens_step"]):
        for headers in ({}, {"Authorization": "Bearer wrong"}):
            resp = await client.request(method, path, json=body, headers=headers)
            assert resp.status == 401, (method, path)


@pytest.mark.parametrize("route, body", [
    ("goals", {"text": ""}), ("goals", {"text": "x" * 10_000}), ("goals", {}), ("goals", {"text": 5}),
    ("goals", {"text": "ok", "source": "sms"}), ("goals", []), ("goals", "mål"),
    ("patch", {"status": "done"}), ("patch", {"text": "x" * 10_000}), ("patch", {}), ("patch", {"owner": "x"}),
    ("steps", {"text": ""}), ("steps", {"text": "x" * 10_000}), ("steps", {"text": "ok", "due_date": "tomorrow"}),
    ("steps", {"text": "ok", "owner": "x" * 10_000}), ("steps", {"text": "ok", "due_date": 5}),
    ("done", {"done": "yes"}), ("done", {}), ("done", {"done": 1}), ("done", None),
])
async def test_garbage_bodies_are_4xx_never_500(client, db, route, body):
    ids = client.ids
    method, path = {"goals": ("POST", f"/api/citizens/{ids['karen']}/goals"),
                    "patch": ("PATCH", f"/api/goals/{ids['karens']}"),
                    "steps": ("POST", f"/api/goals/{ids['karens']}/steps"),
                    "done": ("POST", f"/api/steps/{ids['karens_step']}/done")}[route]
    resp = await client.request(method, path, json=body, headers=MINE)
    assert 400 <= resp.status < 500 and resp.status != 404, (resp.status, await resp.text())
    resp = await client.request(method, path, data=b"{not json", headers=MINE)
    assert resp.status == 422
    with db.session() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Goal)).scalar_one() == 2
        assert s.execute(sa.select(sa.func.count()).select_from(GoalStep)).scalar_one() == 2
        assert s.get(Goal, ids["karens"]).text == "Karens mål" and s.get(GoalStep, ids["karens_step"]).done_at is None
        # A refusal of JSON it could read is logged for the citizen it concerns (None sends no body at all).
        refused = s.execute(sa.select(AccessLog.citizen_id).where(AccessLog.status == 422)).scalars().first()
        assert body is None or refused == ids["karen"]


# --- the dashboard ------------------------------------------------------------------------------

@pytest.fixture
async def mette(client):
    return await logged_in(client, "mette@kommune.dk")


async def test_the_page_forms_add_a_goal_a_step_and_tick_it(client, db, mette):
    ids = client.ids
    page = f"/citizens/{ids['bente']}"
    html = await (await client.get(page)).text()
    assert ">Mål og plan</h2>" in html and "Borgeren har ingen mål endnu." in html
    resp = await client.post(f"{page}/goals", data={"csrf_token": mette, "text": "Komme ud at gå"},
                             allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == f"{page}#h-goals"
    goal_id = db.call(lambda s: s.execute(sa.select(Goal.id).where(Goal.citizen_id == ids["bente"])).scalar_one())
    resp = await client.post(f"{page}/goals/{goal_id}/steps", data={
        "csrf_token": mette, "text": "Gå en tur mandag", "owner": "Du", "due_date": "2026-11-30"}, allow_redirects=False)
    assert resp.status == 303
    step_id = db.call(lambda s: s.execute(sa.select(GoalStep.id).where(GoalStep.goal_id == goal_id)).scalar_one())
    resp = await client.post(f"{page}/steps/{step_id}/done", data={"csrf_token": mette, "done": "1"},
                             allow_redirects=False)
    assert resp.status == 303
    db.call(lambda s: plan.record_progress(s, get_citizen(s, ids["bente"]), goal_id, "lidt", T0 + timedelta(hours=1)))
    html = await (await client.get(page)).text()
    assert "Komme ud at gå" in html and "Gå en tur mandag" in html and "30.11.2026" in html
    assert f'data-step-id="{step_id}" data-done="yes"' in html and 'data-progress="lidt">Lidt</strong>' in html
    resp = await client.post(f"{page}/steps/{step_id}/done", data={"csrf_token": mette, "done": "0"},
                             allow_redirects=False)
    assert resp.status == 303 and db.call(lambda s: s.get(GoalStep, step_id).done_at) is None
    resp = await client.post(f"{page}/goals/{goal_id}", data={"csrf_token": mette, "status": "reached"},
                             allow_redirects=False)
    assert resp.status == 303 and db.call(lambda s: s.get(Goal, goal_id).status) == "reached"
    with db.session() as s:
        actions = list(s.execute(sa.select(AccessLog.action).where(AccessLog.citizen_id == ids["bente"],
                                                                   AccessLog.status == 303)).scalars())
    assert actions == ["add_goal", "add_goal_step", "tick_goal_step", "tick_goal_step", "change_goal"]


async def test_the_page_forms_need_the_csrf_token(client, db, mette):
    ids = client.ids
    page = f"/citizens/{ids['karen']}"
    for path, data in ((f"{page}/goals", {"text": "x"}), (f"{page}/goals/{ids['karens']}/steps", {"text": "x"}),
                       (f"{page}/steps/{ids['karens_step']}/done", {"done": "1"}),
                       (f"{page}/goals/{ids['karens']}", {"status": "dropped"})):
        for token in ({}, {"csrf_token": "forged"}):
            resp = await client.post(path, data={**data, **token}, allow_redirects=False)
            assert resp.status == 403, path
    with db.session() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Goal)).scalar_one() == 2
        assert s.get(GoalStep, ids["karens_step"]).done_at is None


async def test_the_page_forms_refuse_garbage_and_other_ids(client, db, mette):
    ids = client.ids
    page = f"/citizens/{ids['karen']}"
    for data in ({"text": ""}, {"text": "x" * 10_000}, {"text": "a\x00b"}):
        resp = await client.post(f"{page}/goals", data={"csrf_token": mette, **data})
        assert resp.status == 422 and "egne ord" in await resp.text()
    resp = await client.post(f"{page}/goals/{ids['karens']}/steps",
                             data={"csrf_token": mette, "text": "ok", "due_date": "tomorrow"})
    assert resp.status == 422 and "rigtig dato" in await resp.text()
    resp = await client.post(f"{page}/steps/{ids['karens_step']}/done", data={"csrf_token": mette, "done": "yes"})
    assert resp.status == 422
    resp = await client.post(f"{page}/goals/{ids['karens']}", data={"csrf_token": mette, "status": "done"})
    assert resp.status == 422
    # Ole's citizen, and Karen's goal and step through Bente's page: not found.
    bente = f"/citizens/{ids['bente']}"
    for path, data in ((f"/citizens/{ids['otto']}/goals", {"text": "x"}),
                       (f"/citizens/{ids['otto']}/goals/{ids['ottos']}/steps", {"text": "x"}),
                       (f"/citizens/{ids['otto']}/steps/{ids['ottos_step']}/done", {"done": "1"}),
                       (f"{bente}/goals/{ids['karens']}/steps", {"text": "x"}),
                       (f"{bente}/goals/{ids['karens']}", {"status": "dropped"}),
                       (f"{bente}/steps/{ids['karens_step']}/done", {"done": "1"}),
                       (f"{bente}/goals/{ids['ottos']}", {"status": "dropped"}),
                       (f"{bente}/goals/abc/steps", {"text": "x"}),
                       (f"{bente}/steps/99999999999999999999/done", {"done": "1"})):
        resp = await client.post(path, data={"csrf_token": mette, **data}, allow_redirects=False)
        assert resp.status == 404, path
    with db.session() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Goal)).scalar_one() == 2
        assert s.execute(sa.select(sa.func.count()).select_from(GoalStep)).scalar_one() == 2
        assert s.get(Goal, ids["karens"]).status == "active" and s.get(GoalStep, ids["karens_step"]).done_at is None


async def test_the_agenda_shows_the_active_goals_and_their_steps(client, db, mette):
    ids = client.ids

    def goals(session):
        goal = plan.add_goal(session, ids["bente"], ids["mette"], "Sove bedre om natten", now=T0)
        plan.add_step(session, goal.id, ids["mette"], "Gå i seng kl. 23", "Du", None, now=T0)
        plan.record_progress(session, get_citizen(session, ids["bente"]), goal.id, "nej", T0)
        dropped = plan.add_goal(session, ids["bente"], ids["mette"], "Et droppet mål", now=T0)
        plan.change_goal(session, dropped.id, ids["mette"], {"status": "dropped"}, now=T0)

    db.call(goals)
    html = await (await client.get(f"/appointments/{ids['meeting']}/agenda")).text()
    assert "Borgerens mål og plan" in html and "Sove bedre om natten" in html and "Gå i seng kl. 23" in html
    assert "Borgeren" in html and "sidst: nej" in html and "Et droppet mål" not in html
    assert "Karens mål" not in html and "Ottos mål" not in html
