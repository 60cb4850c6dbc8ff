"""One set of appointment rules for the JSON API and the dashboard (bot/appointments/booking.py): the
same input is refused by both, attendance before the start is refused by both, moving clears the
citizen's answer either way. On SQLite and PostgreSQL.

Every test runs on the stated clock `clock` (tests.conftest.T0: Monday 2026-11-23 10:00 UTC,
11:00 in Copenhagen) and moves it only with clock.set."""
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa

from bot.appointments import booking
from bot.core.errors import Invalid
from bot.db import jobs as job_db
from bot.db.appointments import record_reply
from bot.db.models import AccessLog, Alert, Appointment, Job
from tests.conftest import T0
from tests.dashboard import dashboard_app, logged_in, make_citizen, make_coordinator

METTE = {"Authorization": "Bearer mette-token"}
# Thursday 2026-11-26 10:00 in Copenhagen (UTC+1 in winter) = 09:00 UTC.
THURSDAY = "2026-11-26T10:00:00+01:00"
THURSDAY_UTC = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
FORM = {"kind": "opfoelgning", "title": "Status", "date": "2026-11-26", "time": "10:00", "duration": "60",
        "location": "Rådhuset"}


def seed(session):
    mette = make_coordinator(session, "Mette", "mette@kommune.dk", token="mette-token")
    bente = make_citizen(session, mette, "Bente Borger", "+4520000001")
    return {"mette": mette.id, "bente": bente.id}


@pytest.fixture
def ids(db):
    return db.call(seed)


@pytest.fixture
async def client(aiohttp_client, db, clock, ids):
    return await aiohttp_client(dashboard_app(db, clock, SCHEDULER_INTERVAL_SECONDS="0"))


@pytest.fixture
async def csrf(client):
    return await logged_in(client, "mette@kommune.dk")


async def api_create(client, citizen_id, **body):
    body = {"kind": "opfoelgning", "starts_at": THURSDAY, **body}
    return await client.post(f"/api/citizens/{citizen_id}/appointments", json=body, headers=METTE)


async def form_create(client, csrf, citizen_id, **fields):
    return await client.post(f"/citizens/{citizen_id}/appointments/new", data={"csrf_token": csrf, **FORM, **fields},
                             allow_redirects=False)


def appointments(db, citizen_id):
    with db.session() as s:
        return list(s.execute(sa.select(Appointment).where(Appointment.citizen_id == citizen_id)
                              .order_by(Appointment.id)).scalars())


def jobs_of(db, appointment_id):
    with db.session() as s:
        rows = s.execute(sa.select(Job).where(Job.target == job_db.appointment_target(appointment_id))).scalars()
        return {(j.purpose, j.status) for j in rows}


# --- the same input, refused by both -----------------------------------------------------------------

@pytest.mark.parametrize(
    "api_body, form_fields, english, danish",
    [
        # Friday 2026-11-20, before T0.
        ({"starts_at": "2026-11-20T10:00:00+01:00"}, {"date": "2026-11-20"}, "in the past", "fortiden"),
        # 2028-12-01 is past T0 + 730 days (2028-11-22).
        ({"starts_at": "2028-12-01T10:00:00+01:00"}, {"date": "2028-12-01"}, "two years", "to år"),
        ({"ends_at": "2026-11-26T10:03:00+01:00"}, {"duration": "3"}, "at least 5 minutes", "5 til 480"),
        ({"ends_at": "2026-11-26T19:00:00+01:00"}, {"duration": "540"}, "within 8 hours", "5 til 480"),
    ],
    ids=["past", "more-than-two-years-ahead", "3-minutes", "9-hours"],
)
async def test_the_api_and_the_dashboard_refuse_the_same_times(client, csrf, ids, db, api_body, form_fields,
                                                               english, danish):
    resp = await api_create(client, ids["bente"], **api_body)
    assert resp.status == 422 and english in (await resp.json())["error"]
    page = await form_create(client, csrf, ids["bente"], **form_fields)
    html = await page.text()
    assert page.status == 422 and danish in html and 'role="alert"' in html
    assert appointments(db, ids["bente"]) == []


async def test_both_accept_the_limits_themselves(client, csrf, ids, db):
    """5 minutes and 8 hours (480 minutes) are allowed, and so is a start just inside two years."""
    assert (await api_create(client, ids["bente"], ends_at="2026-11-26T10:05:00+01:00")).status == 201
    assert (await api_create(client, ids["bente"], ends_at="2026-11-26T18:00:00+01:00")).status == 201
    assert (await form_create(client, csrf, ids["bente"], duration="5")).status == 303
    assert (await form_create(client, csrf, ids["bente"], duration="480")).status == 303
    assert (await form_create(client, csrf, ids["bente"], date="2028-11-21")).status == 303
    lengths = [a.ends_at - a.starts_at for a in appointments(db, ids["bente"])]
    assert lengths == [timedelta(minutes=5), timedelta(hours=8), timedelta(minutes=5), timedelta(hours=8),
                       timedelta(hours=1)]


def test_check_times_is_the_one_rule():
    """The use case itself, without a web request (now = T0)."""
    soon = T0 + timedelta(minutes=1)
    booking.check_times(soon, None, T0)
    booking.check_times(soon, soon + timedelta(minutes=5), T0)
    booking.check_times(T0 + timedelta(days=730), None, T0)
    for starts_at, ends_at, field in [
        (T0, None, booking.PAST),
        (T0 + timedelta(days=730, seconds=1), None, booking.TOO_FAR_AHEAD),
        (soon, soon, "ends_at"),
        (soon, soon + timedelta(minutes=4, seconds=59), "ends_at"),
        (soon, soon + timedelta(hours=8, seconds=1), "ends_at"),
        (datetime(2026, 11, 26, 10, 0), None, "starts_at"),  # no offset
    ]:
        with pytest.raises(Invalid) as refused:
            booking.check_times(starts_at, ends_at, T0)
        assert refused.value.field == field, (starts_at, ends_at)


# --- attendance before the start ---------------------------------------------------------------------

async def test_the_dashboard_refuses_to_mark_a_future_meeting_missed(client, csrf, ids, db, clock):
    # Today, Monday, 14:00-15:00 in Copenhagen: three hours after T0.
    created = await (await api_create(client, ids["bente"], starts_at="2026-11-23T14:00:00+01:00",
                                      ends_at="2026-11-23T15:00:00+01:00")).json()
    path = f"/appointments/{created['id']}/attendance"
    for status in ("missed", "attended"):
        resp = await client.post(path, data={"csrf_token": csrf, "status": status}, allow_redirects=False)
        assert resp.status == 422 and "ikke begyndt endnu" in await resp.text(), status
    [appointment] = appointments(db, ids["bente"])
    assert appointment.status == "planned" and appointment.attendance_recorded_at is None
    assert ("missed_followup", "pending") not in jobs_of(db, appointment.id)
    assert ("appointment_reminder", "pending") in jobs_of(db, appointment.id)
    with db.session() as s:
        assert s.execute(sa.select(Alert).where(Alert.citizen_id == ids["bente"])).first() is None
        # Refused attempts are logged with their status; nothing was recorded.
        assert set(s.execute(sa.select(AccessLog.status).where(AccessLog.action == "record_attendance"))
                   .scalars()) == {422}
    # The API says the same.
    api = await client.post(f"/api/appointments/{created['id']}/attendance", json={"status": "missed"}, headers=METTE)
    assert api.status == 422 and "has not started yet" in (await api.json())["error"]

    # Half an hour into the meeting (14:30 in Copenhagen, still within the login) it can be marked missed.
    clock.set(datetime(2026, 11, 23, 13, 30, tzinfo=timezone.utc))
    resp = await client.post(path, data={"csrf_token": csrf, "status": "missed"}, allow_redirects=False)
    assert resp.status == 303 and resp.headers["Location"].startswith(f"/citizens/{ids['bente']}")
    assert appointments(db, ids["bente"])[0].status == "missed"
    assert ("missed_followup", "pending") in jobs_of(db, created["id"])
    with db.session() as s:
        assert s.execute(sa.select(AccessLog.action).where(AccessLog.action == "record_attendance",
                                                           AccessLog.status == 303)).scalar_one()


async def test_a_future_meeting_can_be_cancelled_from_the_dashboard(client, csrf, ids, db):
    created = await (await api_create(client, ids["bente"])).json()
    resp = await client.post(f"/appointments/{created['id']}/attendance", data={"csrf_token": csrf,
                                                                               "status": "cancelled"},
                             allow_redirects=False)
    assert resp.status == 303
    assert appointments(db, ids["bente"])[0].status == "cancelled"
    assert {status for _, status in jobs_of(db, created["id"])} == {"cancelled"}
    bad = await client.post(f"/appointments/{created['id']}/attendance", data={"csrf_token": csrf, "status": "sent"})
    assert bad.status == 422 and "Vælg mødt, udeblev eller aflyst" in await bad.text()


# --- moving clears the citizen's answer, from either side --------------------------------------------

def answered(db, appointment_id, reply="confirmed"):
    def answer(session):
        appointment = session.get(Appointment, appointment_id)
        record_reply(session, appointment, reply, T0)

    db.call(answer)


async def test_moving_from_the_api_clears_the_reply_and_editing_does_not(client, ids, db):
    created = await (await api_create(client, ids["bente"], ends_at="2026-11-26T11:00:00+01:00")).json()
    url = f"/api/appointments/{created['id']}"
    answered(db, created["id"], "cannot_come")
    edited = await (await client.patch(url, json={"location": "Jobcentret"}, headers=METTE)).json()
    assert edited["citizen_reply"] == "cannot_come"
    moved = await client.patch(url, json={"starts_at": "2026-11-27T13:00:00+01:00"}, headers=METTE)
    body = await moved.json()
    assert moved.status == 200 and body["citizen_reply"] is None and body["citizen_replied_at"] is None
    # Moving the start keeps the length.
    assert (body["starts_at"], body["ends_at"]) == ("2026-11-27T12:00:00+00:00", "2026-11-27T13:00:00+00:00")


async def test_moving_from_the_dashboard_clears_the_reply(client, csrf, ids, db):
    created = await (await api_create(client, ids["bente"], ends_at="2026-11-26T11:00:00+01:00")).json()
    path = f"/appointments/{created['id']}/edit"
    page = await client.get(path)
    html = await page.text()
    assert page.status == 200 and 'value="2026-11-26"' in html and 'value="10:00"' in html and 'value="60"' in html
    assert "<title>Flyt eller ret møde" in html and f'action="{path}"' in html
    answered(db, created["id"])
    # The same time, another place: the answer stands.
    same = await client.post(path, data={"csrf_token": csrf, **FORM, "location": "Jobcentret"}, allow_redirects=False)
    assert same.status == 303 and appointments(db, ids["bente"])[0].citizen_reply == "confirmed"
    # A time in the past is refused in Danish and changes nothing.
    past = await client.post(path, data={"csrf_token": csrf, **FORM, "date": "2026-11-20"})
    assert past.status == 422 and "fortiden" in await past.text()
    assert appointments(db, ids["bente"])[0].citizen_reply == "confirmed"
    moved = await client.post(path, data={"csrf_token": csrf, **FORM, "date": "2026-11-27", "time": "13:00"},
                              allow_redirects=False)
    assert moved.status == 303 and moved.headers["Location"].startswith(f"/citizens/{ids['bente']}")
    [appointment] = appointments(db, ids["bente"])
    assert appointment.starts_at == datetime(2026, 11, 27, 12, 0, tzinfo=timezone.utc)
    assert appointment.citizen_reply is None and appointment.citizen_replied_at is None
    # The reminders follow the new time.
    with db.session() as s:
        pending = sorted(j.due_at for j in s.execute(sa.select(Job).where(
            Job.target == job_db.appointment_target(appointment.id), Job.purpose == "appointment_reminder",
            Job.status == "pending")).scalars())
    assert pending[-1] == datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)  # two hours before
    with db.session() as s:
        assert s.execute(sa.select(AccessLog.action).where(AccessLog.action == "change_appointment")).first()


# --- notify_if_unanswered from the dashboard ---------------------------------------------------------

async def test_notify_if_unanswered_can_be_set_from_the_dashboard(client, csrf, ids, db):
    form = await (await client.get(f"/citizens/{ids['bente']}/appointments/new")).text()
    assert 'name="notify_if_unanswered"' in form and "hvis borgeren ikke svarer på påmindelsen" in form
    assert "<title>Nyt møde" in form and f'action="/citizens/{ids["bente"]}/appointments/new"' in form
    assert (await form_create(client, csrf, ids["bente"])).status == 303
    assert (await form_create(client, csrf, ids["bente"], notify_if_unanswered="yes", time="12:00")).status == 303
    plain, notified = appointments(db, ids["bente"])
    assert (plain.notify_if_unanswered, notified.notify_if_unanswered) == (False, True)
    assert ("appointment_unanswered", "pending") not in jobs_of(db, plain.id)
    assert ("appointment_unanswered", "pending") in jobs_of(db, notified.id)
    with db.session() as s:
        logged = s.execute(sa.select(AccessLog.action).where(AccessLog.citizen_id == ids["bente"],
                                                             AccessLog.action == "create_appointment")).scalars()
        assert list(logged) == ["create_appointment", "create_appointment"]
    # A refused form keeps the box ticked.
    again = await form_create(client, csrf, ids["bente"], notify_if_unanswered="yes", duration="3")
    assert again.status == 422 and 'value="yes" checked' in await again.text()
