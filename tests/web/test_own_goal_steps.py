"""The citizen ticks off their own goal steps on "Din side" (issue 14 §1, "ticked off by either
side"): POST /chat/me/steps/{id}/done with the chat token, as GET /chat/me reads the page. Only a
step of the citizen's own active goals; someone else's, a dropped goal's, garbage or huge ids are
404; the token is checked first (401/403 for a caller without a working link, whatever else they
send); a coordinator's session cookie or API token opens nothing here; the step records that the
citizen ticked it and the coordinator sees so. Never a 500, nothing changed by a refusal."""
import json
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.citizens.chat_links import mint_token, new_link_id
from bot.core.readability import lix
from bot.db.models import AccessLog, GoalStep
from bot.goals import plan
from tests.conftest import T0
from tests.dashboard import ADMIN, PASSWORD, csrf_token, login, quiet_app
from tests.web.own_world import MINE, SECRET, link_token, own_world


def _seed(session):
    world = own_world(session)
    mette, ole, bente, otto = world["mette"], world["ole"], world["bente"], world["otto"]
    goal = plan.add_goal(session, bente.id, mette.id, "Jeg vil have et fritidsjob", now=T0 - timedelta(days=3))
    mine = plan.add_step(session, goal.id, mette.id, "Skrive en ansøgning", "Du", None, now=T0 - timedelta(days=3))
    theirs = plan.add_step(session, goal.id, mette.id, "Finde tre steder", "Jobcentret", None, now=T0 - timedelta(days=3))
    by_coordinator = plan.add_step(session, goal.id, mette.id, "Ringe til Mette", "Du", None, now=T0 - timedelta(days=3))
    plan.tick_step(session, by_coordinator.id, done=True, now=T0 - timedelta(days=1), scope=mette.id)
    dropped = plan.add_goal(session, bente.id, mette.id, "Et droppet mål", now=T0 - timedelta(days=3))
    in_dropped = plan.add_step(session, dropped.id, mette.id, "Trin i et droppet mål", "Du", None, now=T0)
    plan.change_goal(session, dropped.id, mette.id, {"status": "dropped"}, now=T0)
    ottos_goal = plan.add_goal(session, otto.id, ole.id, "Otto vil flytte", now=T0)
    ottos = plan.add_step(session, ottos_goal.id, ole.id, "Ottos trin", "Du", None, now=T0)
    return {"bente": (bente.id, bente.chat_link_id), "otto": (otto.id, otto.chat_link_id), "mine": mine.id,
            "theirs": theirs.id, "by_coordinator": by_coordinator.id, "in_dropped": in_dropped.id, "ottos": ottos.id}


@pytest.fixture
async def client(aiohttp_client, db, clock):
    client = await aiohttp_client(quiet_app(db, clock, WEBCHAT_JWT_SECRET=SECRET))
    client.ids = db.call(_seed)
    return client


def bearer(client, who: str = "bente", **kwargs) -> dict:
    return {"Authorization": f"Bearer {token(client, who, **kwargs)}"}


def token(client, who: str = "bente", **kwargs) -> str:
    return link_token(client.ids[who][1], **kwargs)


def tick(client, step_id, body=None, headers=None, **kwargs):
    return client.post(f"/chat/me/steps/{step_id}/done", json={"done": True} if body is None else body,
                       headers=bearer(client) if headers is None else headers, **kwargs)


def steps(db) -> dict[int, tuple]:
    with db.session() as s:
        return {row.id: (row.done_at, row.done_by) for row in s.execute(sa.select(GoalStep)).scalars()}


def _nested(depth: int):
    value = True
    for _ in range(depth):
        value = [value]
    return {"done": value}


async def own_steps(client) -> dict[int, dict]:
    page = await (await client.get("/chat/me", headers=bearer(client))).json()
    return {s["id"]: s for g in page["goals"] for s in g["steps"]}


async def test_the_citizen_ticks_a_step_and_takes_their_own_tick_back(client, db):
    ids = client.ids
    resp = await tick(client, ids["mine"])
    assert resp.status == 200, await resp.text()
    assert resp.headers["Cache-Control"] == "no-store"
    assert await resp.json() == {"id": ids["mine"], "text": "Skrive en ansøgning", "who": "Du", "yours": True,
                                 "due": None, "due_words": None, "done": True, "ticked_by_you": True}
    assert steps(db)[ids["mine"]] == (T0, "citizen")
    assert (await own_steps(client))[ids["mine"]]["done"] is True
    # Someone else's step on the citizen's goal ("Det er gjort") may be ticked too.
    assert (await tick(client, ids["theirs"])).status == 200
    # The coordinator sees who ticked it: the API's done_by and "af borgeren" on the goal panel.
    goals = await (await client.get(f"/api/citizens/{ids['bente'][0]}/goals", headers=MINE)).json()
    assert {s["text"]: s["done_by"] for s in goals[0]["steps"]} == {
        "Skrive en ansøgning": "citizen", "Finde tre steder": "citizen", "Ringe til Mette": "coordinator"}
    # Ticked again: nothing moves. Taken back: open again, who and when cleared.
    assert (await tick(client, ids["mine"])).status == 200 and steps(db)[ids["mine"]] == (T0, "citizen")
    resp = await tick(client, ids["mine"], {"done": False})
    assert resp.status == 200 and (await resp.json())["done"] is False
    assert steps(db)[ids["mine"]] == (None, None)
    # The citizen's own action on their own data: on the step, not in the staff access log.
    with db.session() as s:
        assert s.execute(sa.select(AccessLog.action).where(AccessLog.coordinator_id.is_(None))).all() == []
        assert "tick" not in " ".join(a for (a,) in s.execute(sa.select(AccessLog.action)).all())


async def test_what_the_coordinator_marked_done_stays_done(client, db):
    ids = client.ids
    before = steps(db)
    resp = await tick(client, ids["by_coordinator"], {"done": False})
    assert resp.status == 422 and set(await resp.json()) == {"error"}
    assert (await tick(client, ids["by_coordinator"])).status == 200  # already done: stays the coordinator's
    assert steps(db) == before
    shown = (await own_steps(client))[ids["by_coordinator"]]
    assert shown["done"] is True and shown["ticked_by_you"] is False


async def test_only_the_citizens_own_active_steps_and_never_a_500(client, db):
    ids = client.ids
    before = steps(db)
    # Someone else's step, a dropped goal's step, ids that are no step or no id at all: 404.
    for step_id in (ids["ottos"], ids["in_dropped"], 999999, 0, "abc", "-1", "1.0", "%C2%B2", "%D9%A1%D9%A2",
                    "0x1", "9" * 10, "9" * 40, "1%00", "%20" + str(ids["mine"])):
        resp = await tick(client, step_id)
        assert resp.status == 404, (step_id, resp.status)
        assert await resp.json() == {"error": "not found"}
    # Otto's link does not reach Bente's step either.
    assert (await tick(client, ids["mine"], headers=bearer(client, "otto"))).status == 404
    # Bodies that are not {"done": true|false}: 422, or 400 nested too deeply, 413 too large.
    for body, status in (({}, 422), ({"done": "yes"}, 422), ({"done": 1}, 422), ({"done": None}, 422),
                         ([True], 422), ("true", 422), ({"done": True, "x": "\u0000"}, 422),
                         (_nested(30), 400)):
        resp = await tick(client, ids["mine"], body)
        assert resp.status == status, (body, resp.status, await resp.text())
        assert "error" in await resp.json()
    for raw, status in ((b"not json", 422), (b"", 422), (b"{\"done\": NaN}", 422), (b"\xff\xfe", 422),
                        (b"[" * 100_000, 400), (b"[" + b" " * 300_000 + b"]", 413)):
        resp = await client.post(f"/chat/me/steps/{ids['mine']}/done", data=raw, headers=bearer(client))
        assert resp.status == status, (raw[:20], resp.status)
    # Other methods: 405.
    for method in ("GET", "PUT", "DELETE", "PATCH"):
        resp = await client.request(method, f"/chat/me/steps/{ids['mine']}/done", headers=bearer(client))
        assert resp.status == 405, method
    assert steps(db) == before


@pytest.mark.parametrize("case, status", [
    ("no token", 401), ("empty bearer", 401), ("basic", 401), ("expired", 401), ("forged", 403),
    ("unknown link id", 403), ("revoked", 403), ("coordinator API token", 403), ("admin token", 403),
    ("huge", 403), ("non-ascii", 403), ("token in the query", 401),
])
async def test_no_working_link_no_tick_and_no_clue_about_step_ids(client, db, case, status):
    ids = client.ids
    valid = token(client)
    headers = {
        "no token": {}, "empty bearer": {"Authorization": "Bearer "}, "basic": {"Authorization": f"Basic {valid}"},
        "expired": bearer(client, days=1, minted=-timedelta(days=2)),
        "forged": bearer(client, secret="not-the-secret-0123456789abcdefghij"),
        "unknown link id": {"Authorization": f"Bearer {mint_token(SECRET, new_link_id(), T0, timedelta(days=1))}"},
        "revoked": {"Authorization": f"Bearer {valid}"}, "coordinator API token": MINE, "admin token": ADMIN,
        "huge": {"Authorization": "Bearer " + "a" * 5000}, "non-ascii": {"Authorization": "Bearer æøå.ÆØÅ.\u00ff"},
        "token in the query": {},
    }[case]
    if case == "revoked":  # the coordinator closes the citizen's links
        assert (await client.post(f"/api/citizens/{ids['bente'][0]}/chat-link/revoke", headers=MINE)).status == 200
    query = f"?token={valid}" if case == "token in the query" else ""
    before = steps(db)
    # The same answer for her own step, someone else's, none, garbage and a bad body: the link comes first.
    for step_id, body in ((ids["mine"], {"done": True}), (ids["ottos"], {"done": True}), (999999, {"done": True}),
                          ("abc", {"done": True}), (ids["mine"], {"done": "garbage"})):
        resp = await client.post(f"/chat/me/steps/{step_id}/done{query}", json=body, headers=headers)
        assert resp.status == status, (step_id, await resp.text())
        assert set(await resp.json()) == {"error"}
    assert steps(db) == before


async def test_a_coordinators_session_cookie_opens_nothing_here(client, db):
    """The door reads the chat token only: a logged-in coordinator's browser (cookie, CSRF token in
    a form, even with a chat token of someone else's citizen) cannot tick for a citizen; and the
    dashboard's CSRF check does not stand in the citizen's way (their door has no cookie to forge)."""
    ids = client.ids
    assert (await login(client, "mette@kommune.dk", PASSWORD)).status == 303
    csrf = csrf_token(await (await client.get("/")).text())
    before = steps(db)
    resp = await client.post(f"/chat/me/steps/{ids['mine']}/done", data={"csrf_token": csrf, "done": "1"})
    assert resp.status == 401
    resp = await client.post(f"/chat/me/steps/{ids['mine']}/done", json={"done": True}, headers={"X-CSRF": csrf})
    assert resp.status == 401
    assert (await tick(client, ids["mine"], headers=bearer(client, "otto"))).status == 404
    assert steps(db) == before
    # The citizen's own token works with or without that cookie beside it.
    assert (await tick(client, ids["mine"])).status == 200
    client.session.cookie_jar.clear()
    assert (await tick(client, ids["theirs"])).status == 200


async def test_din_side_has_a_button_per_open_step_and_a_status_line(client):
    html = await (await client.get(f"/chat?token={token(client)}")).text()
    assert 'id="own-goal-status"' in html and 'role="status"' in html
    source = await (await client.get("/static/ownpage.js")).text()
    assert '"tick_mine"' in source and "/chat/me/steps/" in source and "aria-describedby" in source
    assert "innerHTML" not in source and 'credentials: "omit"' in source
    # The page's words for a tick, as the page hands them to the script (bot/core/page_texts.py): plain Danish.
    words = ["Jeg har gjort det", "Det er gjort", "Fortryd", "Godt gået. Trinnet står nu som gjort.",
             "Trinnet står nu som ikke gjort.", "Dit link virker ikke længere. Skriv til os på SMS, så sender vi et nyt.",
             "Trinnet findes ikke længere.", "Det gik ikke. Prøv igen senere."]
    assert all(json.dumps(w) in html for w in words)
    assert lix(". ".join(words)) <= 25
