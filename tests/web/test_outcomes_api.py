"""Outcome measures over the JSON API (issue 14, section 2): a citizen's scores, their rounds, and a
coordinator asking for a WHO-5 now. Another coordinator's citizen is not found, garbage is a 4xx,
and every read and change is in the access log."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.core.config import ProactiveSettings
from bot.db.citizens import get_citizen
from bot.db.jobs import list_jobs
from bot.db.models import AccessLog, Questionnaire
from bot.outcomes import record
from tests.conftest import T0
from tests.service import service_app

ADMIN = {"Authorization": "Bearer test-admin"}
SETTINGS = ProactiveSettings()


@pytest.fixture
async def client(aiohttp_client, db, clock):
    return await aiohttp_client(service_app(db, clock, SMS_DISPATCH_INTERVAL="0", SCHEDULER_INTERVAL_SECONDS="0"))


async def make_coordinator(client, name):
    resp = await client.post("/api/coordinators", json={"name": name}, headers=ADMIN)
    assert resp.status == 201
    body = await resp.json()
    return body["id"], {"Authorization": f"Bearer {body['token']}"}


async def make_citizen(client, headers, coordinator_id, phone="12345678"):
    resp = await client.post("/api/citizens", json={"name": "Bente", "phone": phone, "coordinator_id": coordinator_id},
                             headers=headers)
    assert resp.status == 201, await resp.text()
    return (await resp.json())["id"]


@pytest.fixture
async def two(client):
    """Mette with a citizen; Ole with none of Mette's."""
    mette_id, mette = await make_coordinator(client, "Mette")
    ole_id, ole = await make_coordinator(client, "Ole")
    citizen_id = await make_citizen(client, mette, mette_id)
    return {"mette_id": mette_id, "mette": mette, "ole_id": ole_id, "ole": ole, "citizen": citizen_id}


def answer_round(db, citizen_id, answers: dict[str, list[int]], at):
    """The citizen is asked a round of `answers`' instruments at `at` and answers every item."""
    def run(session):
        citizen = get_citizen(session, citizen_id)
        questionnaire = record.plan_round(session, citizen, reason="requested", round_no=None,
                                          instruments=list(answers), due_at=at, now=at, settings=SETTINGS)
        record.begin(session, citizen, questionnaire.id, now=at, settings=SETTINGS)
        for code, values in answers.items():
            for item, value in enumerate(values):
                record.answer(session, citizen, questionnaire.id, code, item, value, now=at)
        return questionnaire.id

    return db.call(run)


def audit_rows(db, citizen_id, action):
    with db.session() as s:
        return list(s.execute(sa.select(AccessLog).where(AccessLog.citizen_id == citizen_id,
                                                         AccessLog.action == action).order_by(AccessLog.id)).scalars())


async def test_outcomes_list_the_fully_answered_instruments_oldest_first(client, db, two):
    path = f"/api/citizens/{two['citizen']}/outcomes"
    resp = await client.get(path, headers=two["mette"])
    assert resp.status == 200 and await resp.json() == []
    first = answer_round(db, two["citizen"], {"who5": [3, 3, 3, 3, 3], "inspire_o": [4, 4, 4, 4, 4],
                                              "experience": [5, 4, 3]}, T0 - timedelta(days=90))
    second = answer_round(db, two["citizen"], {"who5": [2, 2, 2, 2, 1]}, T0)
    rows = await (await client.get(path, headers=two["mette"])).json()
    assert [(r["instrument"], r["score"], r["items"], r["questionnaire_id"]) for r in rows] == [
        ("who5", 60, [3, 3, 3, 3, 3], first),
        ("inspire_o", 75, [4, 4, 4, 4, 4], first),
        ("experience", None, [5, 4, 3], first),
        ("who5", 36, [2, 2, 2, 2, 1], second),
    ]
    assert rows[0]["answered_at"] == (T0 - timedelta(days=90)).isoformat() and rows[-1]["answered_at"] == T0.isoformat()
    assert set(rows[0]) >= {"instrument", "score", "items", "answered_at"}
    assert len(audit_rows(db, two["citizen"], "view_outcomes")) == 2


async def test_a_half_answered_instrument_is_not_listed(client, db, two):
    def run(session):
        citizen = get_citizen(session, two["citizen"])
        questionnaire, _ = record.request(session, citizen, "who5", requested_by=None, now=T0, settings=SETTINGS)
        record.begin(session, citizen, questionnaire.id, now=T0, settings=SETTINGS)
        record.answer(session, citizen, questionnaire.id, "who5", 0, 4, now=T0)

    db.call(run)
    assert await (await client.get(f"/api/citizens/{two['citizen']}/outcomes", headers=two["mette"])).json() == []


async def test_asking_for_a_who5_plans_a_round_and_its_prompt_once(client, db, two):
    path = f"/api/citizens/{two['citizen']}/questionnaires"
    resp = await client.post(path, json={"instrument": "who5"}, headers=two["mette"])
    assert resp.status == 201, await resp.text()
    created = await resp.json()
    assert created["status"] == "planned" and created["reason"] == "requested" and created["round_no"] is None
    assert created["instruments"] == ["who5"] and created["due_at"] == T0.isoformat()
    assert created["requested_by"] == two["mette_id"]
    jobs = await (await client.get(f"/api/citizens/{two['citizen']}/jobs", headers=two["mette"])).json()
    assert [(j["purpose"], j["target"], j["status"]) for j in jobs] == [
        ("questionnaire_prompt", f"questionnaire:{created['id']}", "pending")]

    again = await client.post(path, json={"instrument": "who5"}, headers=two["mette"])
    assert again.status == 200
    assert (await again.json())["id"] == created["id"]
    assert len(db.call(lambda s: list_jobs(s, citizen_id=two["citizen"], purpose="questionnaire_prompt"))) == 1

    listed = await (await client.get(path, headers=two["mette"])).json()
    assert [(r["id"], r["status"], r["reason"], r["round_no"], r["asked_at"], r["finished_at"]) for r in listed] == [
        (created["id"], "planned", "requested", None, None, None)]
    assert len(audit_rows(db, two["citizen"], "request_questionnaire")) == 2
    assert [r.status for r in audit_rows(db, two["citizen"], "request_questionnaire")] == [201, 200]
    assert len(audit_rows(db, two["citizen"], "view_questionnaires")) == 1


async def test_an_open_round_is_returned_not_asked_again(client, db, two):
    def run(session):
        citizen = get_citizen(session, two["citizen"])
        questionnaire, _ = record.request(session, citizen, "inspire_o", requested_by=None, now=T0, settings=SETTINGS)
        record.begin(session, citizen, questionnaire.id, now=T0, settings=SETTINGS)
        return questionnaire.id

    open_id = db.call(run)
    resp = await client.post(f"/api/citizens/{two['citizen']}/questionnaires", json={"instrument": "who5"},
                             headers=two["mette"])
    assert resp.status == 200
    body = await resp.json()
    assert (body["id"], body["status"], body["instruments"]) == (open_id, "open", ["inspire_o"])


async def test_the_admin_may_ask_for_any_citizen(client, db, two):
    resp = await client.post(f"/api/citizens/{two['citizen']}/questionnaires", json={"instrument": "experience"},
                             headers=ADMIN)
    assert resp.status == 201
    assert (await resp.json())["requested_by"] is None
    assert (await client.get(f"/api/citizens/{two['citizen']}/outcomes", headers=ADMIN)).status == 200


async def test_another_coordinators_citizen_is_not_found(client, db, two):
    answer_round(db, two["citizen"], {"who5": [1, 1, 1, 1, 1]}, T0)
    citizen = two["citizen"]
    for method, path, body in [("GET", f"/api/citizens/{citizen}/outcomes", None),
                               ("GET", f"/api/citizens/{citizen}/questionnaires", None),
                               ("POST", f"/api/citizens/{citizen}/questionnaires", {"instrument": "who5"}),
                               ("GET", "/api/citizens/999999/outcomes", None),
                               ("POST", "/api/citizens/999999/questionnaires", {"instrument": "who5"}),
                               ("GET", "/api/citizens/abc/outcomes", None),
                               ("POST", "/api/citizens/99999999999999999999/questionnaires", {"instrument": "who5"})]:
        resp = await client.request(method, path, json=body, headers=two["ole"])
        assert resp.status == 404, (method, path)
        text = await resp.text()
        assert "who5" not in text and "score" not in text
    with db.session() as s:
        assert len(list(s.execute(sa.select(Questionnaire).where(Questionnaire.citizen_id == citizen)).scalars())) == 1
        assert s.execute(sa.select(AccessLog).where(AccessLog.coordinator_id == two["ole_id"],
                                                    AccessLog.citizen_id.is_not(None))).first() is None


@pytest.mark.parametrize("method, suffix", [("GET", "outcomes"), ("GET", "questionnaires"), ("POST", "questionnaires")])
@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer nope"}, {"Authorization": "Basic abc"}])
async def test_unauthenticated_requests_are_refused(client, db, two, method, suffix, headers):
    resp = await client.request(method, f"/api/citizens/{two['citizen']}/{suffix}", json={"instrument": "who5"},
                                headers=headers)
    assert resp.status == 401
    with db.session() as s:
        assert s.execute(sa.select(Questionnaire)).first() is None


@pytest.mark.parametrize("body", [
    "not json", "", "[]", "null", "7", '"who5"', "{}", '{"instrument": 7}', '{"instrument": null}',
    '{"instrument": true}', '{"instrument": ["who5"]}', '{"instrument": {"who5": 1}}', '{"instrument": "drop table"}',
    '{"instrument": "WHO5"}', '{"instrument": " who5"}', '{"instrument": "who5\\u0000"}', '{"instrument": "\\ud800"}',
    '{"instrument": NaN}', '{"instrument": "' + "x" * 5000 + '"}', "[" * 5000 + "]" * 5000,
])
async def test_garbage_bodies_are_a_4xx_and_plan_nothing(client, db, two, body):
    resp = await client.post(f"/api/citizens/{two['citizen']}/questionnaires", data=body,
                             headers={**two["mette"], "Content-Type": "application/json"})
    assert 400 <= resp.status < 500, (resp.status, await resp.text())
    assert "error" in await resp.json()
    with db.session() as s:
        assert s.execute(sa.select(Questionnaire)).first() is None
    assert db.call(lambda s: list_jobs(s, citizen_id=two["citizen"])) == []


async def test_an_unknown_instrument_names_the_known_ones(client, two):
    resp = await client.post(f"/api/citizens/{two['citizen']}/questionnaires", json={"instrument": "phq9"},
                             headers=two["mette"])
    assert resp.status == 422
    assert "who5" in (await resp.json())["error"] and "inspire_o" in (await resp.json())["error"]
