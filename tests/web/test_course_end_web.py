"""Ending a course well through its adapters (issue 14 §6; the use case is tested in
tests/db/test_course_end.py): "Afslut forløbet" on the citizen's page asks why, the page shows when
and why the course ended, the overview's "Afsluttede forløb" counts the reasons with the median
length, and the JSON API takes `end_reason` on PATCH /api/citizens/{id} and reports
GET /api/courses/ended. Who may (own citizens only; the admin sees all), what is refused (4xx,
never 500, nothing changed). On SQLite and PostgreSQL; the clock is tests.conftest.T0 (Monday
23 November 2026, 11.00 in Copenhagen)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.citizens import registration
from bot.core.config import ProactiveSettings
from bot.core.vocabulary import CourseEndReason
from bot.db.citizens import get_citizen
from bot.db.coordinators import create_coordinator, set_password_hash
from bot.db.models import OutboxMessage
from bot.service.web import labels
from tests.conftest import T0
from tests.dashboard import dashboard_app, login_per_coordinator, password_hash, quiet_app

ADMIN = {"Authorization": "Bearer test-admin"}
SETTINGS = ProactiveSettings()
REASON_PROMPT = "Vælg, hvorfor forløbet slutter."


def _team(session):
    """Mette has Bente (active) and three ended courses; Ole has Otto (active) and one ended course."""
    found = {}
    for name in ("Mette", "Ole"):
        coordinator, token = create_coordinator(session, name, email=f"{name.lower()}@kommune.dk")
        set_password_hash(session, coordinator, password_hash())
        found[name.lower()] = coordinator.id
        found[f"{name.lower()}_api"] = {"Authorization": f"Bearer {token}"}

    def register(name, phone, coordinator, days_ago):
        return registration.register(session, name, phone, found[coordinator], T0 - timedelta(days=days_ago)).id

    def end(citizen_id, coordinator, reason, days_ago):
        registration.change(session, citizen_id, found[coordinator], {"status": "inactive", "end_reason": reason},
                            T0 - timedelta(days=days_ago), SETTINGS)

    found["bente"] = register("Bente", "12345678", "mette", 30)
    found["otto"] = register("Otto", "12345670", "ole", 30)
    # Mette's ended courses: 90 and 51 days (goals reached), 22 days (declined), newest end last.
    found["anna"] = register("Anna", "22000001", "mette", 100)
    end(found["anna"], "mette", "goals_reached", 10)
    found["bo"] = register("Bo", "22000002", "mette", 60)
    end(found["bo"], "mette", "goals_reached", 9)
    found["carl"] = register("Carl", "22000003", "mette", 30)
    end(found["carl"], "mette", "declined", 8)
    # Resumed again: not an ended course.
    found["dina"] = register("Dina", "22000004", "mette", 50)
    end(found["dina"], "mette", "moved", 20)
    registration.change(session, found["dina"], found["mette"], {"status": "active"}, T0 - timedelta(days=5),
                        SETTINGS)
    # Ole's: never in Mette's report.
    found["olga"] = register("Olga", "22000009", "ole", 40)
    end(found["olga"], "ole", "moved", 1)
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


def citizen(db, citizen_id):
    return db.call(get_citizen, citizen_id)


def farewells(db, citizen_id) -> list[tuple[str, str]]:
    return db.call(lambda s: [(m.purpose, m.status) for m in s.execute(
        sa.select(OutboxMessage).where(OutboxMessage.citizen_id == citizen_id)).scalars()])


def test_one_danish_label_per_reason():
    assert tuple(labels.END_REASONS) == CourseEndReason.values()
    assert list(labels.END_REASONS.values()) == ["Målene er nået", "Flyttet", "Ønsker ikke mere", "Andet"]


# --- the citizen's page ---

async def test_ending_from_the_page_asks_why_and_the_page_shows_when_and_why(dashboard, team, db):
    client, token = await dashboard("mette")
    page = await (await client.get(f"/citizens/{team['bente']}")).text()
    assert "Hvorfor slutter forløbet?" in page and '<select name="end_reason" required>' in page
    for key, label in labels.END_REASONS.items():
        assert f'<option value="{key}">{label}</option>' in page

    # Without a reason, with an empty one or an unknown one: the page again with a Danish message.
    for extra in ({}, {"end_reason": ""}, {"end_reason": "bored"}):
        resp = await client.post(f"/citizens/{team['bente']}/course",
                                 data={"csrf_token": token, "checkin_interval_days": "7", "status": "inactive", **extra})
        assert resp.status == 422, extra
        assert REASON_PROMPT in await resp.text()
    assert citizen(db, team["bente"]).status == "active" and farewells(db, team["bente"]) == []

    resp = await client.post(f"/citizens/{team['bente']}/course", allow_redirects=False,
                             data={"csrf_token": token, "checkin_interval_days": "7", "status": "inactive",
                                   "end_reason": "moved"})
    assert resp.status == 303 and resp.headers["Location"] == f"/citizens/{team['bente']}#h-course"
    row = citizen(db, team["bente"])
    assert (row.status, row.course_ended_at, row.course_end_reason) == ("inactive", T0, "moved")
    assert farewells(db, team["bente"]) == [("farewell", "queued")]  # the goodbye goes, the course ended or not

    page = await (await client.get(f"/citizens/{team['bente']}")).text()
    assert "Forløbet er afsluttet" in page and "Genoptag forløbet" in page
    assert re.search(r'data-end-reason="moved">Afsluttet <strong>man\. 23\. nov\. 2026</strong>\. '
                     r'Hvorfor: <strong>Flyttet</strong>', page), page
    assert "Hvorfor slutter forløbet?" not in page  # no second end

    # "Gem" on the ended course (status inactive, no reason) keeps it ended and says no second goodbye.
    resp = await client.post(f"/citizens/{team['bente']}/course", allow_redirects=False,
                             data={"csrf_token": token, "checkin_interval_days": "14", "status": "inactive"})
    assert resp.status == 303
    row = citizen(db, team["bente"])
    assert (row.status, row.checkin_interval_days, row.course_end_reason) == ("inactive", 14, "moved")
    assert farewells(db, team["bente"]) == [("farewell", "queued")]

    # Resuming clears the reason; the page no longer shows an end.
    resp = await client.post(f"/citizens/{team['bente']}/course", allow_redirects=False,
                             data={"csrf_token": token, "checkin_interval_days": "14", "status": "active"})
    assert resp.status == 303
    assert (citizen(db, team["bente"]).status, citizen(db, team["bente"]).course_end_reason) == ("active", None)
    page = await (await client.get(f"/citizens/{team['bente']}")).text()
    assert "course-ended" not in page and "Hvorfor slutter forløbet?" in page


async def test_garbage_is_refused_kindly_and_a_reason_without_the_end_ends_nothing(dashboard, team, db):
    client, token = await dashboard("mette")
    for data, message in (
            ({"status": "inactive", "end_reason": "x" * 5000}, REASON_PROMPT),
            ({"status": "opted_out"}, "Vælg, om forløbet skal fortsætte eller afsluttes."),
            ({"status": "inactive", "end_reason": "moved", "checkin_interval_days": "0"},
             "Tjek-ind skal være hver 1. til 90. dag.")):
        resp = await client.post(f"/citizens/{team['bente']}/course",
                                 data={"csrf_token": token, "checkin_interval_days": "7", **data})
        assert resp.status == 422, data
        assert message in await resp.text(), data
    # A reason only goes with "Afslut forløbet": beside "Gem" on a running course it is not read.
    resp = await client.post(f"/citizens/{team['bente']}/course", allow_redirects=False,
                             data={"csrf_token": token, "checkin_interval_days": "7", "status": "active",
                                   "end_reason": "moved"})
    assert resp.status == 303
    assert citizen(db, team["bente"]).status == "active" and farewells(db, team["bente"]) == []


async def test_the_form_needs_csrf_a_login_and_the_coordinators_own_citizen(dashboard, team, db, aiohttp_client, clock):
    client, token = await dashboard("mette")
    end = {"checkin_interval_days": "7", "status": "inactive", "end_reason": "goals_reached"}
    for data in (end, {**end, "csrf_token": "wrong"}):
        resp = await client.post(f"/citizens/{team['bente']}/course", data=data, allow_redirects=False)
        assert resp.status == 403
    # Ole's citizen, an unknown id, and an id that is no number: 404.
    for path in (f"/citizens/{team['otto']}/course", "/citizens/999999/course", "/citizens/abc/course"):
        resp = await client.post(path, data={"csrf_token": token, **end}, allow_redirects=False)
        assert resp.status == 404, path
    anonymous = await aiohttp_client(dashboard_app(db, clock))
    resp = await anonymous.post(f"/citizens/{team['bente']}/course", data=end, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith("/login")
    for citizen_id in ("bente", "otto"):
        assert citizen(db, team[citizen_id]).status == "active" and farewells(db, team[citizen_id]) == []


# --- the overview ---

def _rows(html: str, table: str) -> list[tuple[str, ...]]:
    body = html.split(f'class="{table}"', 1)[1].split("</table>", 1)[0]
    return [tuple(re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[dh][^>]*>(.*?)</t[dh]>", row))
            for row in re.findall(r"<tr data-[^>]*>(.*?)</tr>", body, re.S)]


async def test_the_overview_counts_the_reasons_with_the_median_and_lists_the_latest(dashboard, team):
    client, _ = await dashboard("mette")
    html = await (await client.get("/")).text()
    assert "Afsluttede forløb" in html
    assert _rows(html, "ended-by-reason") == [
        ("Målene er nået", "2", "70,5 dage"),  # 90 and 51 days
        ("Flyttet", "0", "-"),  # Dina's course was resumed; Olga is Ole's
        ("Ønsker ikke mere", "1", "22 dage"),
        ("Andet", "0", "-"),
        ("I alt", "3", "51 dage"),
    ]
    assert _rows(html, "ended-latest") == [("Carl", "22 dage", "Ønsker ikke mere"), ("Bo", "51 dage", "Målene er nået"),
                                           ("Anna", "90 dage", "Målene er nået")]
    assert "Olga" not in html


async def test_the_overview_has_no_report_without_an_ended_course(dashboard, team, db):
    db.call(lambda s: registration.change(s, team["olga"], team["ole"], {"status": "active"}, T0, SETTINGS))
    client, _ = await dashboard("ole")
    html = await (await client.get("/")).text()
    assert "Otto" in html and "Afsluttede forløb" not in html


# --- the JSON API ---

async def test_patch_with_an_end_reason_ends_the_course_and_the_citizen_json_says_why(api, team, db):
    mette = team["mette_api"]
    resp = await api.patch(f"/api/citizens/{team['bente']}", json={"status": "inactive", "end_reason": "declined"},
                           headers=mette)
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert (body["status"], body["course_ended_at"], body["course_end_reason"]) == (
        "inactive", T0.isoformat(), "declined")
    assert farewells(db, team["bente"]) == [("farewell", "queued")]
    shown = await (await api.get(f"/api/citizens/{team['bente']}", headers=mette)).json()
    assert shown["course_end_reason"] == "declined"
    # Without a reason the API says "other"; a running course has none.
    otto = await (await api.get(f"/api/citizens/{team['otto']}", headers=team["ole_api"])).json()
    assert (otto["course_ended_at"], otto["course_end_reason"]) == (None, None)
    resp = await api.patch(f"/api/citizens/{team['otto']}", json={"status": "inactive"}, headers=team["ole_api"])
    assert (await resp.json())["course_end_reason"] == "other"


@pytest.mark.parametrize("body", [
    {"status": "inactive", "end_reason": "bored"},
    {"status": "inactive", "end_reason": ["moved"]},
    {"status": "inactive", "end_reason": None},
    {"status": "inactive", "end_reason": 3},
    {"end_reason": "moved"},
    {"status": "active", "end_reason": "moved"},
])
async def test_patch_with_a_garbage_end_reason_is_422_and_changes_nothing(api, team, db, body):
    resp = await api.patch(f"/api/citizens/{team['bente']}", json=body, headers=team["mette_api"])
    assert resp.status == 422, await resp.text()
    assert "end_reason" in (await resp.json())["error"]
    assert citizen(db, team["bente"]).status == "active" and farewells(db, team["bente"]) == []


async def test_patch_on_another_coordinators_citizen_or_without_a_token_changes_nothing(api, team, db):
    end = {"status": "inactive", "end_reason": "moved"}
    resp = await api.patch(f"/api/citizens/{team['otto']}", json=end, headers=team["mette_api"])
    assert resp.status == 404
    for headers in ({}, {"Authorization": "Bearer nope"}):
        resp = await api.patch(f"/api/citizens/{team['bente']}", json=end, headers=headers)
        assert resp.status == 401
    for name in ("bente", "otto"):
        assert citizen(db, team[name]).status == "active" and farewells(db, team[name]) == []


async def test_the_report_over_the_api_is_the_coordinators_own_and_the_admin_sees_all(api, team):
    resp = await api.get("/api/courses/ended", headers=team["mette_api"])
    assert resp.status == 200
    report = await resp.json()
    assert report["by_reason"] == [{"reason": "goals_reached", "count": 2, "median_days": 70.5},
                                   {"reason": "moved", "count": 0, "median_days": None},
                                   {"reason": "declined", "count": 1, "median_days": 22},
                                   {"reason": "other", "count": 0, "median_days": None}]
    assert (report["total"], report["median_days"]) == (3, 51)
    assert [(c["name"], c["days"], c["reason"]) for c in report["courses"]] == [
        ("Carl", 22, "declined"), ("Bo", 51, "goals_reached"), ("Anna", 90, "goals_reached")]
    ole = await (await api.get("/api/courses/ended", headers=team["ole_api"])).json()
    assert [(c["name"], c["days"], c["reason"]) for c in ole["courses"]] == [("Olga", 39, "moved")]
    everyone = await (await api.get("/api/courses/ended", headers=ADMIN)).json()
    assert {c["name"] for c in everyone["courses"]} == {"Anna", "Bo", "Carl", "Olga"}
    for headers in ({}, {"Authorization": "Bearer nope"}):
        assert (await api.get("/api/courses/ended", headers=headers)).status == 401
