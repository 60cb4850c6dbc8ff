"""Preparation and agreements API: validation, scoping, and what the citizen's answers look like."""
from datetime import timedelta

import pytest

from bot.db import preparations as prep_db
from bot.db.models import Appointment
from bot.meetings.agreements import agreement_list, owned_by_citizen
from bot.meetings.preparation import split_topics, summary_text
from tests.conftest import T0
from tests.service import service_app

ADMIN = {"Authorization": "Bearer test-admin"}


@pytest.fixture
async def client(aiohttp_client, db, clock):
    return await aiohttp_client(service_app(db, clock, SMS_DISPATCH_INTERVAL="0"))


@pytest.fixture
async def setup(client, db):
    async def coordinator(name):
        body = await (await client.post("/api/coordinators", json={"name": name}, headers=ADMIN)).json()
        return body["id"], {"Authorization": f"Bearer {body['token']}"}

    mette_id, mette = await coordinator("Mette")
    _, ole = await coordinator("Ole")
    citizen = await (await client.post("/api/citizens", json={"name": "Bente Hansen", "phone": "22334455",
                                                              "coordinator_id": mette_id}, headers=mette)).json()

    def add(session):
        appointment = Appointment(citizen_id=citizen["id"], kind="netvaerksmoede", starts_at=T0 + timedelta(days=3),
                                  status="planned", created_at=T0)
        session.add(appointment)
        session.flush()
        return appointment.id

    return {"mette": mette, "ole": ole, "citizen": citizen, "appointment_id": db.call(add)}


async def test_preparation_not_started_in_progress_and_scoped(client, db, setup):
    url = f"/api/appointments/{setup['appointment_id']}/preparation"
    body = await (await client.get(url, headers=setup["mette"])).json()
    assert body["status"] == "not_started" and body["answers"] == {}
    db.call(prep_db.save_answer, setup["appointment_id"], setup["citizen"]["id"], "topics", ["ryg"], T0)
    body = await (await client.get(url, headers=setup["mette"])).json()
    assert body["status"] == "in_progress" and body["answers"] == {"topics": ["ryg"]}
    assert (await client.get(url, headers=setup["ole"])).status == 404
    assert (await client.get("/api/appointments/999/preparation", headers=setup["mette"])).status == 404


async def test_agreements_are_stored_with_owner_and_replace_earlier_ones(client, setup):
    url = f"/api/appointments/{setup['appointment_id']}/agreements"
    resp = await client.post(url, headers=setup["mette"], json=[
        {"what": "søger bostøtte", "who": "Kommunen", "due_date": "2026-12-01"},
        {"what": "ringer til lægen", "who": "Bente"}])
    assert resp.status == 201
    rows = await resp.json()
    assert [(a["who"], a["owner_is_citizen"], a["status"], a["due_date"]) for a in rows] == [
        ("Kommunen", False, "proposed", "2026-12-01"), ("Bente", True, "proposed", None)]
    await client.post(url, headers=setup["mette"], json={"agreements": [{"what": "x", "who": "Du"}],
                                                          "summary": {"decisions": "y"}})
    listed = await (await client.get(f"/api/citizens/{setup['citizen']['id']}/agreements",
                                     headers=setup["mette"])).json()
    assert [a["what"] for a in listed] == ["x"]
    assert (await client.post(url, headers=setup["ole"], json=[{"what": "x", "who": "y"}])).status == 404
    assert (await client.get(f"/api/citizens/{setup['citizen']['id']}/agreements", headers=setup["ole"])).status == 404


@pytest.mark.parametrize("body, message", [
    ([], "1 to 20"),
    ({"agreements": "x"}, "1 to 20"),
    ([{"who": "Kommunen"}], "'what'"),
    ([{"what": "x"}], "'who'"),
    ([{"what": "x" * 301, "who": "y"}], "'what'"),
    ([{"what": "x", "who": "y", "due_date": "1. december"}], "due_date"),
    ([7], "object"),
    ({"agreements": [{"what": "x", "who": "y"}], "summary": {"cpr": "x"}}, "summary"),
])
async def test_invalid_agreements_get_422(client, setup, body, message):
    resp = await client.post(f"/api/appointments/{setup['appointment_id']}/agreements", headers=setup["mette"],
                             json=body)
    assert resp.status == 422 and message in (await resp.json())["error"]


def test_topics_are_split_in_the_citizens_order_and_capped_at_three():
    assert split_topics("1. min ryg 2. økonomien") == ["min ryg", "økonomien"]
    assert split_topics("ryg, penge; job\nbørn") == ["ryg", "penge", "job"]
    assert split_topics("bare min søn og hans skole") == ["bare min søn og hans skole"]


def test_summary_leaves_out_no_answers_and_skips():
    text = summary_text({"topics": ["ryg"], "avoid": "nej", "attendees": "Lise", "practical": None})
    assert text == "Vigtigst: ryg\nMed til mødet: Lise"
    assert "sprunget" in summary_text({})


def test_owner_is_the_citizen_by_word_or_name():
    assert owned_by_citizen("Du", "Bente Hansen") and owned_by_citizen("bente", "Bente Hansen")
    assert not owned_by_citizen("Kommunen", "Bente Hansen")


def test_a_long_agreement_list_is_cut_with_a_pointer():
    from bot.db.models import Agreement

    many = [Agreement(what="a" * 100, who="Kommunen", owner_is_citizen=False) for _ in range(6)]
    text = agreement_list(many, 240)
    assert text.count("\n") < 6 and "aftaler mere" in text
