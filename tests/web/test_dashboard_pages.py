"""Dashboard pages and actions: what a coordinator sees, what they can do, and that nothing of another
coordinator's leaks (pages and API)."""
import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.checkins.record import record_checkin
from bot.checkins.rules import CheckinAnswers
from bot.db import alerts as alert_db
from bot.db.appointments import create_appointment
from bot.db.messages import log_inbound
from bot.db.models import AccessLog, Alert, Appointment, Citizen, Stratification
from tests.conftest import T0
from tests.dashboard import csrf_token, dashboard_app, logged_in, make_citizen, make_coordinator


def _checkin(session, citizen, overall, at, **kwargs):
    note = kwargs.pop("note", None)
    return record_checkin(session, citizen, CheckinAnswers(overall, **kwargs), note=note, complete=True,
                          channel="sms", now=at)


def seed(session):
    """Mette has four citizens in different states; Ole has one with an alert."""
    mette = make_coordinator(session, "Mette", "mette@kommune.dk")
    ole = make_coordinator(session, "Ole", "ole@kommune.dk")
    green = make_citizen(session, mette, "Grete Grøn", "+4520000001")
    red = make_citizen(session, mette, "Rikke Rød", "+4520000002")
    yellow = make_citizen(session, mette, "Gitte Gul", "+4520000003")
    quiet = make_citizen(session, mette, "Anne Afmeldt", "+4520000004")
    quiet.status = "opted_out"
    _checkin(session, green, "green", T0 - timedelta(days=7))
    _checkin(session, green, "green", T0 - timedelta(days=1))
    _checkin(session, yellow, "green", T0 - timedelta(days=8))
    _checkin(session, yellow, "yellow", T0 - timedelta(days=1), focus_areas=["krop"])
    _checkin(session, red, "green", T0 - timedelta(days=14))
    _checkin(session, red, "red", T0 - timedelta(hours=2), focus_areas=["oekonomi", "humoer"],
             note="Huslejen er steget og jeg sover dårligt.")
    log_inbound(session, red.id, channel="sms", text="Huslejen er steget og jeg sover dårligt.",
                received_at=T0 - timedelta(hours=2))
    meeting = create_appointment(session, red.id, kind="netvaerksmoede", starts_at=T0 + timedelta(days=2),
                                 ends_at=T0 + timedelta(days=2, hours=1), location="Rådhuset", created_at=T0)
    others = make_citizen(session, ole, "Otto Oles", "+4520000009")
    _checkin(session, others, "red", T0 - timedelta(hours=1), note="Ole's borger")
    other_meeting = create_appointment(session, others.id, kind="opfoelgning", starts_at=T0 + timedelta(days=1),
                                       created_at=T0)
    other_alert = alert_db.list_alerts(session, citizen_id=others.id)[0]
    return {"mette": mette.id, "ole": ole.id, "red": red.id, "green": green.id, "yellow": yellow.id,
            "quiet": quiet.id, "meeting": meeting.id, "others": others.id, "other_meeting": other_meeting.id,
            "other_alert": other_alert.id,
            "red_alerts": [a.id for a in alert_db.list_alerts(session, citizen_id=red.id)]}


@pytest.fixture
def ids(db):
    return db.call(seed)


@pytest.fixture
async def client(aiohttp_client, db, clock, ids):
    return await aiohttp_client(dashboard_app(db, clock))


@pytest.fixture
async def mette(client):
    return await logged_in(client, "mette@kommune.dk")


def names_in_order(html: str) -> list[str]:
    return re.findall(r'class="name">([^<]+)<', html)


async def test_my_citizens_most_urgent_first(client, mette):
    html = await (await client.get("/")).text()
    assert names_in_order(html) == ["Rikke Rød", "Gitte Gul", "Grete Grøn", "Anne Afmeldt"]
    assert "Otto Oles" not in html
    red_row = html[html.index("Rikke Rød"):html.index("Gitte Gul")]
    assert "chip-red" in red_row and "værre" in red_row and "2 nye" in red_row and "høj" in red_row
    assert "ons. 25. nov. 2026 kl. 11.00" in red_row  # next meeting, Copenhagen time
    assert "Afmeldt SMS" in html[html.index("Anne Afmeldt"):]
    assert 'id="nav-alert-count">2<' in html


async def test_citizen_page_shows_chart_notes_meetings_and_conversation(client, mette, ids, db):
    resp = await client.get(f"/citizens/{ids['red']}")
    html = await resp.text()
    assert resp.status == 200
    assert '<svg class="lyskurve"' in html and "dot-red" in html and "dot-green" in html
    assert "Økonomi og bolig" in html and "Huslejen er steget" in html
    assert "Netværksmøde" in html and f"/appointments/{ids['meeting']}/agenda" in html
    assert 'value="attended"' in html and 'value="missed"' in html
    assert "Forberedelse til møder" in html and "Aftaler" in html
    assert "Ikke stratificeret endnu" in html
    with db.session() as s:  # the overview after the login is a row about no one citizen
        [entry] = s.execute(sa.select(AccessLog).where(AccessLog.citizen_id.is_not(None))).scalars()
        assert (entry.coordinator_id, entry.citizen_id, entry.action) == (ids["mette"], ids["red"], "view_citizen")
    assert resp.headers["Cache-Control"] == "no-store" and "frame-ancestors 'none'" in resp.headers[
        "Content-Security-Policy"]


async def test_another_coordinators_citizen_is_404_on_every_page_and_action(client, mette, ids, db):
    other, meeting, alert = ids["others"], ids["other_meeting"], ids["other_alert"]
    for path in [f"/citizens/{other}", f"/appointments/{meeting}/agenda", f"/citizens/{other}/appointments/new",
                 f"/citizens/{other}/export"]:
        resp = await client.get(path)
        assert resp.status == 404, path
        assert "Otto" not in await resp.text()
    posts = {
        f"/alerts/{alert}/acknowledge": {},
        f"/alerts/{alert}/resolve": {"note": "x"},
        f"/appointments/{meeting}/attendance": {"status": "missed"},
        f"/citizens/{other}/stratification": {"complexity": "low", "coping": "good", "rationale": "x"},
        f"/citizens/{other}/erase": {"confirm_phone": "+4520000009"},
        f"/citizens/{other}/appointments/new": {"kind": "andet", "date": "2026-12-01", "time": "10:00",
                                                "duration": "60"},
    }
    for path, data in posts.items():
        resp = await client.post(path, data={"csrf_token": mette, **data}, allow_redirects=False)
        assert resp.status == 404, path
    alerts_page = await (await client.get("/alerts")).text()
    assert "Otto" not in alerts_page and "Ole&#39;s borger" not in alerts_page
    with db.session() as s:
        assert s.get(Alert, alert).status == "open"
        assert s.get(Appointment, meeting).status == "planned"
        assert s.execute(sa.select(Stratification)).first() is None
        assert s.execute(sa.select(AccessLog).where(AccessLog.citizen_id == other)).first() is None


async def test_api_keeps_coordinators_apart_too(client, ids, db):
    from bot.db.coordinators import create_coordinator

    _, token = db.call(lambda s: create_coordinator(s, "Mette API", token="mette-api-token"))
    # A token coordinator without citizens sees nothing of Mette's or Ole's.
    auth = {"Authorization": "Bearer mette-api-token"}
    for method, path in [("GET", f"/api/citizens/{ids['others']}"), ("GET", f"/api/citizens/{ids['red']}/checkins"),
                         ("POST", f"/api/alerts/{ids['other_alert']}/acknowledge"),
                         ("POST", f"/api/citizens/{ids['others']}/chat-link")]:
        resp = await client.request(method, path, headers=auth)
        assert resp.status == 404, path
    resp = await client.post(f"/api/alerts/{ids['other_alert']}/resolve", json={"note": "x"}, headers=auth)
    assert resp.status == 404
    assert await (await client.get("/api/alerts", headers=auth)).json() == []


async def test_acknowledge_and_resolve_from_the_alerts_page(client, mette, ids, db, clock):
    first, second = ids["red_alerts"]
    html = await (await client.get("/alerts")).text()
    assert "regel <code>overall_red</code>" in html and "Borgeren svarede rød" in html and "for 2 timer siden" in html
    resp = await client.post(f"/alerts/{first}/acknowledge", data={"csrf_token": mette}, allow_redirects=False)
    assert resp.status == 303
    resp = await client.post(f"/alerts/{second}/resolve", data={"csrf_token": mette, "note": "  "})
    assert resp.status == 422 and "Skriv kort, hvad der er gjort" in await resp.text()
    clock.advance(timedelta(minutes=10))
    resp = await client.post(f"/alerts/{second}/resolve", data={"csrf_token": mette, "note": "Ringet op, aftalt møde."})
    assert resp.status == 200  # followed the redirect back to the alerts page
    with db.session() as s:
        a, b = s.get(Alert, first), s.get(Alert, second)
        assert a.status == "acknowledged" and a.acknowledged_by == ids["mette"] and a.acknowledged_at == T0
        assert b.status == "resolved" and b.resolution_note == "Ringet op, aftalt møde."
        assert b.acknowledged_at == b.resolved_at == T0 + timedelta(minutes=10)
    html = await resp.text()
    assert "Ingen nye alarmer" in html and "Senest løste" in html


async def test_backup_sees_and_acknowledges_an_escalated_alert_but_not_the_citizen(aiohttp_client, db, clock, ids):
    with db.session() as s:
        alert = s.get(Alert, ids["red_alerts"][0])
        alert_db.mark_escalated(s, alert, ids["ole"], T0)
    client = await aiohttp_client(dashboard_app(db, clock))
    ole = await logged_in(client, "ole@kommune.dk")
    html = await (await client.get("/alerts")).text()
    assert "Rikke Rød" in html and "+4520000002" in html and "stedfortræder for Mette" in html
    assert (await client.get(f"/citizens/{ids['red']}")).status == 404
    resp = await client.post(f"/alerts/{ids['red_alerts'][0]}/acknowledge", data={"csrf_token": ole})
    assert resp.status == 200
    with db.session() as s:
        assert s.get(Alert, ids["red_alerts"][0]).acknowledged_by == ids["ole"]
        actions = [(e.coordinator_id, e.action) for e in s.execute(sa.select(AccessLog)).scalars()]
    assert (ids["ole"], "view_alert") in actions


async def test_stratification_is_recorded_with_history_and_stays_internal(client, mette, ids, db, clock):
    path = f"/citizens/{ids['red']}/stratification"
    resp = await client.post(path, data={"csrf_token": mette, "complexity": "high", "coping": "good",
                                         "rationale": "Flere diagnoser, men klarer meget selv."})
    assert resp.status == 200 and "Niveau 2" in await resp.text()
    clock.advance(timedelta(hours=2))
    resp = await client.post(path, data={"csrf_token": mette, "complexity": "high", "coping": "weak",
                                         "rationale": "Mestrer dårligere efter huslejestigningen."})
    html = await resp.text()
    assert "Niveau 4 - omfattende støttebehov" in html and "Historik (2)" in html
    assert "Flere diagnoser" in html  # history kept
    resp = await client.post(path, data={"csrf_token": mette, "complexity": "high", "rationale": "x"})
    assert resp.status == 422 and "Vælg både" in await resp.text()
    resp = await client.post(path, data={"csrf_token": mette, "complexity": "low", "coping": "good", "rationale": ""})
    assert resp.status == 422 and "begrundelse" in await resp.text()
    with db.session() as s:
        rows = s.execute(sa.select(Stratification).order_by(Stratification.id)).scalars().all()
        assert [(r.level, r.coordinator_id) for r in rows] == [(2, ids["mette"]), (4, ids["mette"])]
    # Never shown where the citizen could see it: not in the API, not on the printable agenda.
    api = await client.get(f"/api/citizens/{ids['red']}", headers={"Authorization": "Bearer test-admin"})
    assert "level" not in await api.text() and "stratif" not in await api.text()
    agenda = await (await client.get(f"/appointments/{ids['meeting']}/agenda")).text()
    assert "Niveau" not in agenda and "Mestrer" not in agenda


async def test_agenda_is_built_from_meeting_checkin_and_notes(client, mette, ids, db):
    resp = await client.get(f"/appointments/{ids['meeting']}/agenda")
    html = await resp.text()
    assert resp.status == 200
    assert "Dagsorden: Netværksmøde" in html and "Rikke Rød" in html and "Rådhuset" in html
    assert 'id="preparation"' in html and "ikke forberedt sig til dette møde" in html
    assert "Økonomi og bolig, Humør og trivsel" in html and "Huslejen er steget" in html
    assert "@media print" in await (await client.get("/static/dashboard.css")).text()
    with db.session() as s:
        assert s.execute(sa.select(AccessLog.action).where(AccessLog.action == "view_agenda")).scalar_one()


async def test_attendance_buttons_record_on_the_appointment(client, mette, ids, db, clock):
    path = f"/appointments/{ids['meeting']}/attendance"
    resp = await client.post(path, data={"csrf_token": mette, "status": "late"})
    assert resp.status == 422
    # The meeting starts at T0 + 2 days: before then it cannot be missed (bot/appointments/booking.py).
    resp = await client.post(path, data={"csrf_token": mette, "status": "missed"}, allow_redirects=False)
    assert resp.status == 422 and "ikke begyndt endnu" in await resp.text()
    clock.set(T0 + timedelta(days=2, minutes=30))
    token = await logged_in(client, "mette@kommune.dk")  # the login at T0 has expired by then
    resp = await client.post(path, data={"csrf_token": token, "status": "missed"}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith(f"/citizens/{ids['red']}")
    with db.session() as s:
        assert s.get(Appointment, ids["meeting"]).status == "missed"
        # The two refused attempts ("late"; "missed" too early) and the recorded one.
        assert s.execute(sa.select(AccessLog.status).where(AccessLog.action == "record_attendance")
                         .order_by(AccessLog.id)).scalars().all() == [422, 422, 303]


async def test_register_a_citizen_with_the_api_rules_in_danish(client, mette, db):
    base = {"csrf_token": mette, "name": "Ny Borger", "phone": "30 40 50 60", "programme": "fuld",
            "checkin_interval_days": "14", "consent": "yes"}
    cases = [
        ({"phone": "123"}, 422, "dansk nummer"),
        ({"name": ""}, 422, "borgerens navn"),
        ({"checkin_interval_days": "0"}, 422, "1. til 90."),
        ({"checkin_interval_days": "ti"}, 422, "1. til 90."),
        ({"programme": "ukendt"}, 422, "program"),
        ({"consent": ""}, 422, "samtykke"),
        ({"phone": "+4520000009"}, 409, "allerede en borger"),
    ]
    for change, status, message in cases:
        resp = await client.post("/citizens/new", data={**base, **change})
        assert resp.status == status, change
        assert message in await resp.text(), change
    resp = await client.post("/citizens/new", data=base, allow_redirects=False)
    assert resp.status == 303
    with db.session() as s:
        citizen = s.execute(sa.select(Citizen).where(Citizen.phone == "+4530405060")).scalar_one()
        assert citizen.coordinator_id and citizen.programme == "fuld" and citizen.checkin_interval_days == 14
        assert citizen.consent_at == T0
    assert resp.headers["Location"] == f"/citizens/{citizen.id}"


async def test_create_an_appointment_in_copenhagen_time(client, mette, ids, db):
    path = f"/citizens/{ids['green']}/appointments/new"
    assert "Slags møde" in await (await client.get(path)).text()
    base = {"csrf_token": mette, "kind": "opfoelgning", "title": "Status", "date": "2026-12-03", "time": "09:30",
            "duration": "45", "location": "Sundhedscentret"}
    for change, message in [({"kind": "fest"}, "slags møde"), ({"date": "3/12"}, "dato"), ({"time": "kl 9"}, "klokkeslæt"),
                            ({"duration": "0"}, "5 til 480"), ({"date": "2026-11-01"}, "fortiden")]:
        resp = await client.post(path, data={**base, **change})
        assert resp.status == 422 and message in await resp.text(), change
    resp = await client.post(path, data=base, allow_redirects=False)
    assert resp.status == 303
    with db.session() as s:
        appointment = s.execute(sa.select(Appointment).where(Appointment.citizen_id == ids["green"])).scalar_one()
        assert appointment.starts_at.isoformat() == "2026-12-03T08:30:00+00:00"  # 09:30 CET
        assert appointment.ends_at - appointment.starts_at == timedelta(minutes=45)
        assert (appointment.kind, appointment.title, appointment.status) == ("opfoelgning", "Status", "planned")


async def test_unknown_page_is_a_danish_404(client, mette):
    resp = await client.get("/citizens/abc")
    assert resp.status == 404 and "Siden findes ikke" in await resp.text()
    assert csrf_token(await resp.text())  # the page frame (with logout form) is there


def test_demo_data_seeds_once(db, clock):
    from bot.demo import seed as demo_seed

    db.call(demo_seed, clock)
    db.call(demo_seed, clock)
    with db.session() as s:
        assert s.execute(sa.select(sa.func.count()).select_from(Citizen)).scalar_one() == 5
        assert s.execute(sa.select(sa.func.count()).select_from(Appointment)).scalar_one() == 3


async def test_owner_sees_when_an_alert_was_escalated(client, mette, ids, db):
    first, second = ids["red_alerts"]
    with db.session() as s:
        alert_db.mark_escalated(s, s.get(Alert, first), ids["ole"], T0 + timedelta(minutes=30))
        alert_db.mark_escalated(s, s.get(Alert, second), None, T0 + timedelta(hours=4))
    html = await (await client.get("/alerts")).text()
    assert "Ikke kvitteret i tide: eskaleret til Ole man. 23. nov. 2026 kl. 11.30." in html
    assert "påmindelse sendt man. 23. nov. 2026 kl. 15.00 (ingen stedfortræder sat op)" in html
    api = await (await client.get(f"/api/alerts?citizen_id={ids['red']}", headers={"Authorization": "Bearer test-admin"})).json()
    assert {a["escalated_to"] for a in api} == {ids["ole"], None} and all(a["escalated_at"] for a in api)



async def test_citizen_page_and_agenda_show_preparation_agreements_and_our_sms(client, mette, ids, db, clock):
    """The citizen's own agenda, the agreements and the SMS we sent are on the coordinator's pages."""
    from bot.db import agreements as agreement_db
    from bot.db import preparations as prep_db
    from bot.sms.outbox import queue_sms

    def add(session):
        meeting, red = ids["meeting"], ids["red"]
        prep_db.save_answer(session, meeting, red, "topics", ["min ryg", "huslejen"], T0)
        prep_db.save_answer(session, meeting, red, "avoid", None, T0)
        agreement_db.replace_agreements(session, meeting, red, [
            {"what": "søger bostøtte", "who": "Kommunen", "owner_is_citizen": False, "due_date": None}], {}, T0)
        queue_sms(session, "+4520000002", "Husk dit møde", purpose="proactive", now=T0)

    db.call(add)
    page = await (await client.get(f"/citizens/{ids['red']}")).text()
    assert "min ryg; huslejen" in page and "sprunget over" in page
    assert "søger bostøtte" in page and "venter på svar" in page
    assert "Husk dit møde" in page and "til borgeren" in page
    agenda = await (await client.get(f"/appointments/{ids['meeting']}/agenda")).text()
    assert "<li>min ryg</li>" in agenda and "ikke færdig" in agenda


async def test_coordinator_downloads_a_citizens_data(client, mette, ids, db):
    resp = await client.get(f"/citizens/{ids['red']}/export")
    assert resp.status == 200 and "attachment" in resp.headers["Content-Disposition"]
    body = await resp.json()
    assert body["citizen"]["name"] == "Rikke Rød"
    assert "Huslejen er steget og jeg sover dårligt." in [c["note"] for c in body["checkins"]]
    assert all(a["citizen_id"] == ids["red"] for a in body["alerts"])
    with db.session() as s:
        assert s.execute(sa.select(AccessLog.action).where(AccessLog.citizen_id == ids["red"])).scalars().all() == [
            "export"]


async def test_erasure_from_the_dashboard_needs_the_phone_number(client, mette, ids, db):
    page = await (await client.get(f"/citizens/{ids['red']}")).text()
    assert f'action="/citizens/{ids["red"]}/erase"' in page and "Hent alle data" in page
    wrong = await client.post(f"/citizens/{ids['red']}/erase", data={"csrf_token": mette, "confirm_phone": "20000001"})
    assert wrong.status == 422 and "Intet er slettet" in await wrong.text()
    no_csrf = await client.post(f"/citizens/{ids['red']}/erase", data={"confirm_phone": "20000002"},
                                allow_redirects=False)
    assert no_csrf.status == 403
    with db.session() as s:
        assert s.get(Citizen, ids["red"]) is not None
    done = await client.post(f"/citizens/{ids['red']}/erase", data={"csrf_token": mette, "confirm_phone": "20000002"},
                             allow_redirects=False)
    assert done.status == 303 and done.headers["Location"] == "/"
    with db.session() as s:
        assert s.get(Citizen, ids["red"]) is None
        assert s.execute(sa.select(Alert).where(Alert.citizen_id == ids["red"])).first() is None
    assert "Rikke Rød" not in await (await client.get("/")).text()



async def test_ending_and_resuming_a_course_from_the_citizen_page(client, mette, ids, db):
    page = await (await client.get(f"/citizens/{ids['green']}")).text()
    assert "Forløbet er i gang" in page and "Afslut forløbet" in page
    ended = await client.post(f"/citizens/{ids['green']}/course", allow_redirects=False,
                              data={"csrf_token": mette, "checkin_interval_days": "14", "status": "inactive",
                                    "end_reason": "goals_reached"})
    assert ended.status == 303
    with db.session() as s:
        row = s.get(Citizen, ids["green"])
        assert (row.status, row.checkin_interval_days) == ("inactive", 14)
    page = await (await client.get(f"/citizens/{ids['green']}")).text()
    assert "Forløbet er afsluttet" in page and "Genoptag forløbet" in page
    bad = await client.post(f"/citizens/{ids['green']}/course", data={"csrf_token": mette, "checkin_interval_days": "0"})
    assert bad.status == 422 and "1. til 90. dag" in await bad.text()
    # Anne sent STOP: the page says so, and the coordinator cannot turn messages on again.
    stop = await client.post(f"/citizens/{ids['quiet']}/course",
                             data={"csrf_token": mette, "checkin_interval_days": "7", "status": "active"})
    assert stop.status == 409
    with db.session() as s:
        assert s.get(Citizen, ids["quiet"]).status == "opted_out"
