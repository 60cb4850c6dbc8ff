"""The citizen's language and the interpreter flag (migration 0021) over the JSON API and the
dashboard: set, shown, changed, and garbage refused with 422 (never 500). On SQLite and PostgreSQL."""
from __future__ import annotations

import pytest

from bot.citizens.language import other_language_alert
from bot.core.language_detection import OtherLanguage
from bot.db.messages import log_inbound
from bot.db.models import Appointment, Citizen
from tests.conftest import T0
from tests.dashboard import ADMIN, csrf_token, logged_in, make_citizen, make_coordinator, quiet_app

STARTS = "2026-11-26T10:00:00+01:00"  # T0 is Monday 2026-11-23 10:00 UTC


@pytest.fixture
async def client(aiohttp_client, db, clock):
    return await aiohttp_client(quiet_app(db, clock))


async def new_citizen(client, **fields):
    coordinator = await (await client.post("/api/coordinators", json={"name": "Mette"}, headers=ADMIN)).json()
    resp = await client.post("/api/citizens", json={"name": "Bente", "phone": "12345678",
                                                    "coordinator_id": coordinator["id"], **fields}, headers=ADMIN)
    return resp


async def test_language_defaults_to_danish_and_is_set_and_changed_over_the_api(client):
    resp = await new_citizen(client)
    assert resp.status == 201 and (await resp.json())["language"] == "da"
    citizen_id = (await resp.json())["id"]
    resp = await client.patch(f"/api/citizens/{citizen_id}", json={"language": "en"}, headers=ADMIN)
    assert resp.status == 200 and (await resp.json())["language"] == "en"
    assert (await (await client.get(f"/api/citizens/{citizen_id}", headers=ADMIN)).json())["language"] == "en"


async def test_registration_with_english(client):
    resp = await new_citizen(client, language="en")
    assert resp.status == 201 and (await resp.json())["language"] == "en"


@pytest.mark.parametrize("garbage", ["xx", "EN", "english", "", None, 1, True, ["en"], {"code": "en"}, "da" * 500,
                                     "../da"])
async def test_a_language_that_is_no_catalogue_s_is_refused_with_422(client, garbage):
    resp = await new_citizen(client, language=garbage)
    assert resp.status == 422, await resp.text()
    assert "language" in (await resp.json())["error"]
    citizen_id = (await (await new_citizen(client)).json())["id"]
    resp = await client.patch(f"/api/citizens/{citizen_id}", json={"language": garbage}, headers=ADMIN)
    assert resp.status == 422
    assert (await (await client.get(f"/api/citizens/{citizen_id}", headers=ADMIN)).json())["language"] == "da"


async def test_interpreter_over_the_appointment_api(client):
    citizen_id = (await (await new_citizen(client)).json())["id"]
    url = f"/api/citizens/{citizen_id}/appointments"
    plain = await client.post(url, json={"kind": "opfoelgning", "starts_at": STARTS}, headers=ADMIN)
    assert plain.status == 201 and (await plain.json())["interpreter"] is False
    resp = await client.post(url, json={"kind": "opfoelgning", "starts_at": STARTS, "interpreter": True}, headers=ADMIN)
    assert resp.status == 201 and (await resp.json())["interpreter"] is True
    appointment_id = (await plain.json())["id"]
    resp = await client.patch(f"/api/appointments/{appointment_id}", json={"interpreter": True}, headers=ADMIN)
    assert resp.status == 200 and (await resp.json())["interpreter"] is True


@pytest.mark.parametrize("garbage", ["yes", "true", 1, 0, None, [], {}])
async def test_interpreter_must_be_true_or_false(client, garbage):
    citizen_id = (await (await new_citizen(client)).json())["id"]
    resp = await client.post(f"/api/citizens/{citizen_id}/appointments",
                             json={"kind": "opfoelgning", "starts_at": STARTS, "interpreter": garbage}, headers=ADMIN)
    assert resp.status == 422, await resp.text()
    appointment_id = (await (await client.post(f"/api/citizens/{citizen_id}/appointments",
                                               json={"kind": "opfoelgning", "starts_at": STARTS},
                                               headers=ADMIN)).json())["id"]
    resp = await client.patch(f"/api/appointments/{appointment_id}", json={"interpreter": garbage}, headers=ADMIN)
    assert resp.status == 422, await resp.text()


@pytest.fixture
def bente_id(db):
    """Mette (the dashboard user these tests log in as) and her citizen Bente, with consent: Bente's id."""
    def make(session):
        coordinator = make_coordinator(session, "Mette", "mette@kommune.dk")
        return make_citizen(session, coordinator, "Bente", "+4512345678", consent_at=T0).id

    return db.call(make)


async def test_dashboard_registers_with_a_language_and_shows_it(client, db, bente_id):
    csrf = await logged_in(client, "mette@kommune.dk")
    form = await (await client.get("/citizens/new")).text()
    assert 'name="language"' in form and ">English<" in form and ">Dansk<" in form
    base = {"csrf_token": csrf, "name": "Ali", "phone": "23456789", "programme": "standard",
            "checkin_interval_days": "7", "consent": "yes"}
    bad = await client.post("/citizens/new", data={**base, "language": "klingon"})
    assert bad.status == 422 and "Vælg et sprog" in await bad.text()
    resp = await client.post("/citizens/new", data={**base, "language": "en"}, allow_redirects=False)
    assert resp.status == 303, await resp.text()
    page = await (await client.get(resp.headers["Location"])).text()
    assert '<span id="citizen-language">English</span>' in page
    assert db.call(lambda s: s.query(Citizen).filter_by(phone="+4523456789").one().language) == "en"


async def test_dashboard_books_an_interpreter_shown_on_the_agenda(client, db, bente_id):
    csrf = await logged_in(client, "mette@kommune.dk")
    form = await (await client.get(f"/citizens/{bente_id}/appointments/new")).text()
    assert 'name="interpreter"' in form and 'name="interpreter" value="yes">' in form  # not ticked
    base = {"csrf_token": csrf, "kind": "opfoelgning", "date": "2026-11-26", "time": "10:00", "duration": "60"}
    resp = await client.post(f"/citizens/{bente_id}/appointments/new", data={**base, "interpreter": "yes"},
                             allow_redirects=False)
    assert resp.status == 303, await resp.text()
    [appointment] = db.call(lambda s: s.query(Appointment).filter_by(citizen_id=bente_id).all())
    assert appointment.interpreter is True
    agenda = await (await client.get(f"/appointments/{appointment.id}/agenda")).text()
    assert '<tr id="interpreter"><th>Tolk</th><td>Der kommer en tolk.</td></tr>' in agenda
    edit = await (await client.get(f"/appointments/{appointment.id}/edit")).text()
    assert 'name="interpreter" value="yes" checked' in edit
    # Unticked on edit: no interpreter any more.
    resp = await client.post(f"/appointments/{appointment.id}/edit", data={**base, "csrf_token": csrf_token(edit)},
                             allow_redirects=False)
    assert resp.status == 303
    assert db.call(lambda s: s.get(Appointment, appointment.id).interpreter) is False


async def test_after_an_other_language_alert_the_booking_form_ticks_interpreter_and_alerts_show_the_message(
        client, db, bente_id, clock):
    def wrote_arabic(session):
        inbound = log_inbound(session, bente_id, channel="sms", text="مرحبا كيف حالك", received_at=T0)
        other_language_alert(session, bente_id, OtherLanguage("ar", "arabisk", 0.99, True), inbound.id, T0)

    db.call(wrote_arabic)
    await logged_in(client, "mette@kommune.dk")
    form = await (await client.get(f"/citizens/{bente_id}/appointments/new")).text()
    assert 'name="interpreter" value="yes" checked' in form
    alerts = await (await client.get("/alerts")).text()
    assert "Skriver på et andet sprog" in alerts and "Borgeren skrev på arabisk" in alerts
    assert '<blockquote class="citizen-message" dir="auto">مرحبا كيف حالك</blockquote>' in alerts
    [alert] = await (await client.get(f"/api/alerts?citizen_id={bente_id}", headers=ADMIN)).json()
    assert (alert["rule"], alert["severity"]) == ("other_language", "high") and alert["inbound_message_id"]
