"""Urgent alerts nobody acknowledged on every coordinator's dashboard (issue 11, item 6): least data
for colleagues (whose citizen, rule, age, how far it escalated; no name, no reason), break-glass to
take one over (logged in access_log), gone from every dashboard once someone acknowledges it. The
escalation state comes from the real notification pass on the injected clock."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.alerts import EscalationPolicy, NotificationConfig, run_notifications
from bot.alerts.run import DutyContact
from bot.alerts.sms import SmsNotifier
from bot.db import alerts as alert_db
from bot.db.models import AccessLog, Alert
from tests.conftest import T0
from tests.dashboard import dashboard_app, logged_in, make_citizen, make_coordinator

CONFIG = NotificationConfig("https://koordinering.example.dk/alerts", EscalationPolicy(),
                            DutyContact(phone="+4570101010"))
REASON = "Borgeren skrev om selvmord."
CREATED = T0 - timedelta(minutes=70)


def seed(session):
    mette = make_coordinator(session, "Mette", "mette@kommune.dk", phone="+4511111111", token="mette-token")
    ole = make_coordinator(session, "Ole", "ole@kommune.dk", phone="+4522222222", token="ole-token")
    karen = make_coordinator(session, "Karen", "karen@kommune.dk", token="karen-token")
    lars = make_coordinator(session, "Lars", "lars@kommune.dk")
    mette.backup_coordinator_id = ole.id
    bente = make_citizen(session, mette, "Bente Hemmelig", "+4520202020")
    crisis = alert_db.add_alert(session, bente.id, rule="crisis_language", severity="urgent", reason=REASON,
                                created_at=CREATED)
    high = alert_db.add_alert(session, bente.id, rule="overall_red", severity="high", reason="Rød samlet",
                              created_at=CREATED)
    return {"mette": mette.id, "ole": ole.id, "karen": karen.id, "lars": lars.id, "bente": bente.id,
            "crisis": crisis.id, "high": high.id}


@pytest.fixture
def ids(db, clock):
    """Nobody acknowledges: Mette told at once, Ole (backup) after 30 minutes, the duty contact after
    60; at T0 the alert is 70 minutes old."""
    found = db.call(seed)
    for minutes in (0, 30, 60):
        at = CREATED + timedelta(minutes=minutes)
        clock.set(at)
        db.call(run_notifications, at, SmsNotifier(clock), CONFIG)
    clock.set(T0)
    with db.session() as s:
        crisis = s.get(Alert, found["crisis"])
        assert crisis.escalated_to == found["ole"] and crisis.duty_notified_at == CREATED + timedelta(minutes=60)
    return found


@pytest.fixture
def dashboard(aiohttp_client, db, clock):
    """A logged-in client per coordinator (each on its own app instance, one shared database)."""

    async def login_as(email):
        client = await aiohttp_client(dashboard_app(db, clock))
        return client, await logged_in(client, email)

    return login_as


def urgent_section(html: str) -> str:
    if 'id="urgent-unacknowledged"' not in html:
        return ""
    start = html.index('id="urgent-unacknowledged"')
    return html[start:html.index("</section>", start)]


def access_log(db):
    """The entries about a citizen (the overview and the alerts list add one row each about no one)."""
    with db.session() as s:
        return [(e.coordinator_id, e.citizen_id, e.action)
                for e in s.execute(sa.select(AccessLog).where(AccessLog.citizen_id.is_not(None))).scalars()]


async def test_a_colleagues_dashboard_shows_it_with_least_data(dashboard, ids, db):
    karen, _ = await dashboard("karen@kommune.dk")
    for path in ("/", "/alerts"):
        section = urgent_section(await (await karen.get(path)).text())
        assert "Krisesprog" in section and "borger hos <span class=\"owner\">Mette</span>" in section, path
        assert "Ingen har kvitteret" in section and "Sendt til vagten" in section and "siden" in section
        # Not who the citizen is, not what they wrote.
        for secret in ("Bente", "Hemmelig", "+4520202020", "selvmord", f"/citizens/{ids['bente']}"):
            assert secret not in section, (path, secret)
        assert f'data-alert-id="{ids["crisis"]}"' in section
        assert f'data-alert-id="{ids["high"]}"' not in section  # only urgent ones
    alerts_page = await (await karen.get("/alerts")).text()
    assert f'action="/alerts/{ids["crisis"]}/take-over"' in alerts_page
    assert "Bente" not in alerts_page
    assert access_log(db) == []  # nothing about the citizen was shown, so nothing to log


async def test_owner_and_backup_see_it_as_their_own(dashboard, ids):
    for email in ("mette@kommune.dk", "ole@kommune.dk"):
        client, _ = await dashboard(email)
        section = urgent_section(await (await client.get("/")).text())
        assert f'href="/alerts#alert-{ids["crisis"]}">din alarm' in section, email
        alerts_page = await (await client.get("/alerts")).text()
        assert "take-over" not in alerts_page  # their own list already has it, with the name
        assert "Bente Hemmelig" in alerts_page and "Sendt til vagten" in alerts_page


async def test_break_glass_takes_it_over_logs_the_access_and_it_disappears_everywhere(dashboard, ids, db):
    karen, token = await dashboard("karen@kommune.dk")
    path = f"/alerts/{ids['crisis']}/take-over"
    resp = await karen.post(path, data={"csrf_token": token})  # not confirmed
    assert resp.status == 422 and "Sæt kryds for at bekræfte" in await resp.text()
    assert db.call(lambda s: s.get(Alert, ids["crisis"]).status) == "open" and access_log(db) == []

    resp = await karen.post(path, data={"csrf_token": token, "confirm": "ja"}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"] == f"/alerts#alert-{ids['crisis']}"
    with db.session() as s:
        alert = s.get(Alert, ids["crisis"])
        assert (alert.status, alert.acknowledged_by, alert.acknowledged_at) == ("acknowledged", ids["karen"], T0)
    assert (ids["karen"], ids["bente"], "break_glass_alert") in access_log(db)

    # Karen now has what she needs to act: the name and phone, and why.
    page = await (await karen.get("/alerts")).text()
    assert "Bente Hemmelig" in page and "+4520202020" in page and REASON in page and "nødadgang for Mette" in page
    assert (await karen.get(f"/citizens/{ids['bente']}")).status == 404  # the alert, not the citizen's file
    # Acknowledged: gone from every coordinator's urgent list, hers and everyone else's.
    for email in ("karen@kommune.dk", "lars@kommune.dk", "mette@kommune.dk", "ole@kommune.dk"):
        client = karen if email.startswith("karen") else (await dashboard(email))[0]
        assert urgent_section(await (await client.get("/")).text()) == "", email
    mette, _ = await dashboard("mette@kommune.dk")
    assert "af Karen" in await (await mette.get("/alerts")).text()  # the owner sees who took it

    # Someone else trying a moment later is told kindly, and gains nothing.
    lars, lars_token = await dashboard("lars@kommune.dk")
    resp = await lars.post(path, data={"csrf_token": lars_token, "confirm": "ja"})
    assert resp.status == 409 and "En anden har allerede kvitteret alarmen." in await resp.text()
    assert "Bente" not in await resp.text()
    assert not [entry for entry in access_log(db) if entry[0] == ids["lars"]]


async def test_once_the_owner_acknowledges_colleagues_no_longer_see_it(dashboard, ids, clock):
    karen, _ = await dashboard("karen@kommune.dk")
    assert urgent_section(await (await karen.get("/")).text()) != ""
    mette, token = await dashboard("mette@kommune.dk")
    clock.advance(timedelta(minutes=1))
    resp = await mette.post(f"/alerts/{ids['crisis']}/acknowledge", data={"csrf_token": token})
    assert resp.status == 200
    assert urgent_section(await (await karen.get("/")).text()) == ""
    assert urgent_section(await (await karen.get("/alerts")).text()) == ""


async def test_break_glass_is_only_for_urgent_alerts_nobody_acknowledged(dashboard, ids, db):
    karen, token = await dashboard("karen@kommune.dk")
    for alert_id in (ids["high"], 999999, "١٢"):
        resp = await karen.post(f"/alerts/{alert_id}/take-over", data={"csrf_token": token, "confirm": "ja"})
        assert resp.status == 404, alert_id
        assert "Bente" not in await resp.text()
    assert db.call(lambda s: s.get(Alert, ids["high"]).status) == "open"
    assert access_log(db) == []


async def test_the_json_view_of_unacknowledged_urgent_alerts(dashboard, ids, db, clock):
    client, _ = await dashboard("karen@kommune.dk")
    karen = {"Authorization": "Bearer karen-token"}
    resp = await client.get("/api/alerts?view=urgent_unacknowledged", headers=karen)
    assert resp.status == 200
    [item] = await resp.json()
    assert item == {
        "id": ids["crisis"], "rule": "crisis_language", "label": "Krisesprog", "severity": "urgent",
        "created_at": CREATED.isoformat(), "coordinator_id": ids["mette"], "coordinator_name": "Mette",
        "escalated_at": (CREATED + timedelta(minutes=30)).isoformat(), "escalated_to": ids["ole"],
        "duty_notified_at": (CREATED + timedelta(minutes=60)).isoformat(), "yours": False,
    }  # no citizen id, name or reason
    ole = await (await client.get("/api/alerts?view=urgent_unacknowledged", headers={"Authorization": "Bearer ole-token"})).json()
    assert [a["yours"] for a in ole] == [True]
    # Every other query keeps its per-coordinator scope.
    assert await (await client.get("/api/alerts", headers=karen)).json() == []
    assert (await client.post(f"/api/alerts/{ids['crisis']}/acknowledge", headers=karen)).status == 404
    for bad in ("view=bogus", "view=urgent_unacknowledged&status=open", "view="):
        assert (await client.get(f"/api/alerts?{bad}", headers=karen)).status == 422, bad
    with db.session() as s:
        alert_db.acknowledge_alert(s, s.get(Alert, ids["crisis"]), ids["mette"], clock.now())
    assert await (await client.get("/api/alerts?view=urgent_unacknowledged", headers=karen)).json() == []


async def test_the_services_scheduler_tick_sends_to_the_configured_duty_contact(aiohttp_client, db, clock, ids):
    """The wiring in bot/service/app.py: DUTY_PHONE from the settings, normalised, on the tick's beat."""
    from bot.db import outbox as outbox_db
    from tests.dashboard import ADMIN

    with db.session() as s:  # a second crisis, already with the backup for 30 minutes
        second = alert_db.add_alert(s, ids["bente"], rule="crisis_language", severity="urgent", reason=REASON,
                                    created_at=T0 - timedelta(minutes=60))
        alert_db.mark_notified(s, second, T0 - timedelta(minutes=60))
        alert_db.mark_escalated(s, second, ids["ole"], T0 - timedelta(minutes=30))
        second_id = second.id
    client = await aiohttp_client(dashboard_app(db, clock, DUTY_PHONE="70 20 20 20", SCHEDULER_INTERVAL_SECONDS="0",
                                                SMS_DISPATCH_INTERVAL="0"))
    resp = await client.post("/api/scheduler/tick", json={"now": T0.isoformat(), "citizen_ids": []}, headers=ADMIN)
    assert resp.status == 200
    assert (await resp.json())["notifications"]["duty"] == [second_id]
    [sms] = db.call(outbox_db.list_for_msisdn, "+4570202020")
    assert sms.text.startswith("Akut alarm ikke kvitteret") and "Bente" not in sms.text
