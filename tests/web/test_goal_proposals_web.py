"""Goals from the preparation over the API and the dashboard's one-click form (issue 14 §1;
bot/goals/proposals.py): the coordinator lists the citizen's wishes and takes one as a goal; another
coordinator's citizen or preparation is 404, garbage a 4xx, a form without the CSRF token 403, and
every call is in the access log."""
from datetime import timedelta

import aiohttp_jinja2
import pytest
import sqlalchemy as sa
from aiohttp import web

from bot.db import preparations as prep_db
from bot.db.appointments import create_appointment
from bot.db.models import AccessLog, Goal
from bot.goals import proposals
from bot.meetings.preparation import split_topics
from bot.service.web.templating import setup_templates
from tests.conftest import T0
from tests.dashboard import ADMIN, logged_in, quiet_app
from tests.web.own_world import MINE, OLES, own_world


def _seed(session):
    world = own_world(session)
    ids = {who: world[who].id for who in ("mette", "bente", "otto")}
    for who, answer in (("bente", "Få et fritidsjob; <b>sove</b> bedre"), ("otto", "Ottos ønske")):
        meeting = create_appointment(session, ids[who], kind="opfoelgning", starts_at=T0 + timedelta(days=2))
        prep_db.save_answer(session, meeting.id, ids[who], "topics", split_topics(answer), T0)
        prep_db.complete(session, meeting.id, None, T0)
        ids[f"{who}_prep"], ids[f"{who}_meeting"] = prep_db.get_preparation(session, meeting.id).id, meeting.id
    return ids


@pytest.fixture
async def client(aiohttp_client, db, clock):
    client = await aiohttp_client(quiet_app(db, clock))
    client.ids = db.call(_seed)
    return client


def goal_count(db) -> int:
    with db.session() as s:
        return s.execute(sa.select(sa.func.count()).select_from(Goal)).scalar_one()


async def test_the_api_lists_and_takes_a_wish_and_logs_it(client, db):
    ids = client.ids
    path = f"/api/citizens/{ids['bente']}/goal-proposals"
    resp = await client.get(path, headers=MINE)
    assert resp.status == 200
    assert await resp.json() == [
        {"preparation_id": ids["bente_prep"], "appointment_id": ids["bente_meeting"], "index": 0,
         "text": "Få et fritidsjob", "meeting_starts_at": (T0 + timedelta(days=2)).isoformat(),
         "completed_at": T0.isoformat()},
        {"preparation_id": ids["bente_prep"], "appointment_id": ids["bente_meeting"], "index": 1,
         "text": "<b>sove</b> bedre", "meeting_starts_at": (T0 + timedelta(days=2)).isoformat(),
         "completed_at": T0.isoformat()}]
    resp = await client.post(path, json={"preparation_id": ids["bente_prep"], "index": 0}, headers=MINE)
    assert resp.status == 201, await resp.text()
    goal = await resp.json()
    assert (goal["text"], goal["source"], goal["status"], goal["created_by"], goal["steps"]) == (
        "Få et fritidsjob", "preparation", "active", ids["mette"], [])
    again = await client.post(path, json={"preparation_id": ids["bente_prep"], "index": 0}, headers=MINE)
    assert again.status == 200 and (await again.json())["id"] == goal["id"]
    assert [p["index"] for p in await (await client.get(path, headers=MINE)).json()] == [1]
    # The admin too (created_by: none, as for the admin's other goals).
    resp = await client.post(path, json={"preparation_id": ids["bente_prep"], "index": 1}, headers=ADMIN)
    assert resp.status == 201 and (await resp.json())["created_by"] is None
    assert goal_count(db) == 2
    with db.session() as s:
        log = list(s.execute(sa.select(AccessLog.action, AccessLog.citizen_id, AccessLog.status)
                             .where(AccessLog.coordinator_id == ids["mette"]).order_by(AccessLog.id)).all())
    assert log == [("view_goal_proposals", ids["bente"], 200), ("take_goal_proposal", ids["bente"], 201),
                   ("take_goal_proposal", ids["bente"], 200), ("view_goal_proposals", ids["bente"], 200)]


async def test_the_api_refuses_someone_elses_and_garbage(client, db):
    ids = client.ids
    bentes = f"/api/citizens/{ids['bente']}/goal-proposals"
    take = {"preparation_id": ids["bente_prep"], "index": 0}
    for headers in (OLES, {}, {"Authorization": "Bearer nope"}):
        for method, body in (("GET", None), ("POST", take)):
            resp = await client.request(method, bentes, json=body, headers=headers)
            assert resp.status in ((404,) if headers is OLES else (401,)), (headers, method, resp.status)
    # Otto's preparation under Bente, or a wish that is not there: 404.
    for body in ({"preparation_id": ids["otto_prep"], "index": 0}, {"preparation_id": ids["bente_prep"], "index": 5},
                 {"preparation_id": 999_999, "index": 0}):
        assert (await client.post(bentes, json=body, headers=MINE)).status == 404, body
    for body in ({}, {"preparation_id": str(ids["bente_prep"]), "index": 0}, {"preparation_id": True, "index": 0},
                 {"preparation_id": ids["bente_prep"], "index": -1}, {"preparation_id": 10**40, "index": 0},
                 {"preparation_id": ids["bente_prep"], "index": 1.5}, [], "x"):
        resp = await client.post(bentes, json=body, headers=MINE)
        assert resp.status == 422, (body, resp.status)
    for path in ("/api/citizens/abc/goal-proposals", "/api/citizens/99999999999/goal-proposals"):
        assert (await client.get(path, headers=MINE)).status == 404
    assert goal_count(db) == 0


async def test_the_dashboard_form_takes_a_wish_with_one_click(client, db):
    ids = client.ids
    csrf = await logged_in(client, "mette@kommune.dk")
    path = f"/citizens/{ids['bente']}/goal-proposals"
    form = {"csrf_token": csrf, "preparation_id": str(ids["bente_prep"]), "index": "0"}
    # The citizen's page offers the wish in the goal panel, with the button that posts this form.
    page = await (await client.get(f"/citizens/{ids['bente']}")).text()
    assert "Forslag fra borgerens forberedelse" in page and "Få et fritidsjob" in page
    assert f'action="{path}"' in page and 'aria-label="Gør til mål: Få et fritidsjob"' in page
    # Without the session's CSRF token: refused.
    resp = await client.post(path, data={**form, "csrf_token": "forged"}, allow_redirects=False)
    assert resp.status == 403 and goal_count(db) == 0
    resp = await client.post(path, data=form, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == f"/citizens/{ids['bente']}#h-goals"
    # Twice (a double click): one goal.
    assert (await client.post(path, data=form, allow_redirects=False)).status == 303
    with db.session() as s:
        assert list(s.execute(sa.select(Goal.citizen_id, Goal.text, Goal.source, Goal.created_by))) == [
            (ids["bente"], "Få et fritidsjob", "preparation", ids["mette"])]
    # Otto is Ole's; Otto's preparation is not Bente's; garbage is no proposal.
    for target, data in ((f"/citizens/{ids['otto']}/goal-proposals", {**form, "preparation_id": str(ids["otto_prep"])}),
                         (path, {**form, "preparation_id": str(ids["otto_prep"])}),
                         (path, {**form, "index": "9"}), (path, {**form, "index": "-1"}),
                         (path, {**form, "preparation_id": "9" * 40}), (path, {**form, "index": "x"}),
                         (path, {"csrf_token": csrf}), ("/citizens/abc/goal-proposals", form)):
        resp = await client.post(target, data=data, allow_redirects=False)
        assert resp.status == 404, (target, data, resp.status)
    assert goal_count(db) == 1
    # Taken: the page shows it as a goal, no longer as a proposal.
    page = await (await client.get(f"/citizens/{ids['bente']}")).text()
    assert 'aria-label="Gør til mål: Få et fritidsjob"' not in page and "Få et fritidsjob" in page


def test_the_panel_partial_offers_each_wish_as_text_with_its_own_button():
    """templates/goal_proposals.html, for the goal panel of the citizen's page: the citizen's words
    escaped, one form per wish with the CSRF token, a button named after the wish."""
    app = web.Application()  # the app's template setup, without a database
    setup_templates(app)
    found = [proposals.Proposal(12, 7, 1, "<b>sove</b> bedre", T0 + timedelta(days=2), T0)]
    html = aiohttp_jinja2.get_env(app).get_template("goal_proposals.html").render(
        citizen=type("C", (), {"id": 3})(), goal_proposals=found, csrf_token="tok")
    assert "<b>" not in html and "&lt;b&gt;sove&lt;/b&gt; bedre" in html
    assert 'action="/citizens/3/goal-proposals"' in html and 'name="csrf_token" value="tok"' in html
    assert 'name="preparation_id" value="12"' in html and 'name="index" value="1"' in html
    assert 'aria-label="Gør til mål: &lt;b&gt;sove&lt;/b&gt; bedre"' in html and ">Gør til mål</button>" in html
    assert "to uger" in html and proposals.PROPOSAL_DAYS == 14  # the panel's words say how long
    assert aiohttp_jinja2.get_env(app).get_template("goal_proposals.html").render(
        citizen=None, goal_proposals=[], csrf_token="").strip() == ""
