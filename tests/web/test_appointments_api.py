"""Appointments over the JSON API: validation, scoping, and that every change re-plans
the appointment's reminder jobs. On SQLite and PostgreSQL."""
from datetime import datetime, timezone

import pytest

from bot.db.citizens import set_status
from tests.service import service_app

# The injected clock starts at tests.conftest.T0: Monday 2026-11-23 10:00 UTC.

ADMIN = {"Authorization": "Bearer test-admin"}
# Thursday 2026-11-26 10:00 in Copenhagen (UTC+1 in winter).
STARTS = "2026-11-26T10:00:00+01:00"


@pytest.fixture
async def client(aiohttp_client, db, clock):
    return await aiohttp_client(service_app(db, clock, SCHEDULER_INTERVAL_SECONDS="0"))


async def coordinator(client, name="Mette"):
    resp = await client.post("/api/coordinators", json={"name": name, "phone": "+4511223344"}, headers=ADMIN)
    body = await resp.json()
    return body["id"], {"Authorization": f"Bearer {body['token']}"}


async def citizen(client, headers, coordinator_id, phone="12345678"):
    resp = await client.post("/api/citizens", json={"name": "Bente", "phone": phone,
                                                    "coordinator_id": coordinator_id}, headers=headers)
    assert resp.status == 201
    return (await resp.json())["id"]


@pytest.fixture
async def mette(client):
    coordinator_id, headers = await coordinator(client)
    citizen_id = await citizen(client, headers, coordinator_id)
    return headers, citizen_id


async def create(client, headers, citizen_id, **body):
    body = {"kind": "opfoelgning", "starts_at": STARTS, **body}
    return await client.post(f"/api/citizens/{citizen_id}/appointments", json=body, headers=headers)


def reminders(appointment):
    return sorted((j["due_at"], j["status"]) for j in appointment["jobs"] if j["purpose"] == "appointment_reminder")


async def test_create_plans_two_reminders_in_local_time(client, mette):
    headers, citizen_id = mette
    resp = await create(client, headers, citizen_id, location="Rådhuset, lokale 2", title="Opfølgning",
                        ends_at="2026-11-26T11:00:00+01:00")
    assert resp.status == 201, await resp.text()
    appointment = await resp.json()
    assert appointment["id"] and appointment["status"] == "planned" and appointment["citizen_reply"] is None
    assert appointment["starts_at"] == "2026-11-26T09:00:00+00:00"
    # The day before at 10:00 Copenhagen time (09:00 UTC), and two hours before.
    assert reminders(appointment) == [("2026-11-25T09:00:00+00:00", "pending"),
                                      ("2026-11-26T07:00:00+00:00", "pending")]
    listed = await (await client.get(f"/api/citizens/{citizen_id}/appointments", headers=headers)).json()
    assert [a["id"] for a in listed] == [appointment["id"]]


@pytest.mark.parametrize(
    "body, message",
    [
        ({"starts_at": "2026-11-26T10:00:00"}, "needs a UTC offset"),
        ({"starts_at": "torsdag kl 10"}, "not a valid ISO 8601"),
        ({"starts_at": 1764147600}, "ISO 8601"),
        ({"starts_at": "2026-11-20T10:00:00+01:00"}, "in the past"),
        ({"starts_at": "2031-11-20T10:00:00+01:00"}, "two years"),
        ({"ends_at": "2026-11-26T09:00:00+01:00"}, "'ends_at' must be after 'starts_at'"),
        ({"ends_at": "2026-11-26T10:00:00"}, "'ends_at' needs a UTC offset"),
        ({"kind": "kaffe"}, "'kind' must be one of: opstartssamtale"),
        ({"location": "x" * 201}, "'location' must be at most 200"),
        ({"notify_if_unanswered": "ja"}, "true or false"),
    ],
)
async def test_invalid_appointments_get_422_with_a_clear_message(client, mette, body, message):
    headers, citizen_id = mette
    resp = await create(client, headers, citizen_id, **body)
    assert resp.status == 422
    assert message in (await resp.json())["error"]


async def test_other_coordinators_appointments_are_not_found(client, mette):
    headers, citizen_id = mette
    appointment = await (await create(client, headers, citizen_id)).json()
    other_id, other = await coordinator(client, "Ole")
    assert (await create(client, other, citizen_id)).status == 404
    assert (await client.get(f"/api/citizens/{citizen_id}/appointments", headers=other)).status == 404
    for method, path, body in [
        ("GET", f"/api/appointments/{appointment['id']}", None),
        ("PATCH", f"/api/appointments/{appointment['id']}", {"status": "cancelled"}),
        ("POST", f"/api/appointments/{appointment['id']}/attendance", {"status": "cancelled"}),
        ("GET", f"/api/citizens/{citizen_id}/jobs", None),
    ]:
        resp = await client.request(method, path, json=body, headers=other)
        assert resp.status == 404, (method, path)
    still = await (await client.get(f"/api/appointments/{appointment['id']}", headers=headers)).json()
    assert still["status"] == "planned"


async def test_moving_replans_and_cancelling_cancels_reminders(client, mette):
    headers, citizen_id = mette
    appointment = await (await create(client, headers, citizen_id)).json()
    url = f"/api/appointments/{appointment['id']}"
    moved = await (await client.patch(url, json={"starts_at": "2026-11-27T13:30:00+01:00"}, headers=headers)).json()
    assert moved["starts_at"] == "2026-11-27T12:30:00+00:00"
    assert [d for d, s in reminders(moved) if s == "pending"] == ["2026-11-26T09:00:00+00:00",
                                                                  "2026-11-27T10:30:00+00:00"]
    assert [d for d, s in reminders(moved) if s == "cancelled"] == ["2026-11-25T09:00:00+00:00",
                                                                    "2026-11-26T07:00:00+00:00"]
    # Moving back revives the same rows: the natural key never holds two jobs.
    back = await (await client.patch(url, json={"starts_at": STARTS}, headers=headers)).json()
    assert len(reminders(back)) == 4
    assert [d for d, s in reminders(back) if s == "pending"] == ["2026-11-25T09:00:00+00:00",
                                                                 "2026-11-26T07:00:00+00:00"]
    cancelled = await (await client.patch(url, json={"status": "cancelled"}, headers=headers)).json()
    assert cancelled["status"] == "cancelled" and {s for _, s in reminders(cancelled)} == {"cancelled"}
    again = await client.patch(url, json={"location": "Et andet sted"}, headers=headers)
    assert again.status == 422 and "cancelled" in (await again.json())["error"]


async def test_patch_validates_like_create(client, mette):
    headers, citizen_id = mette
    appointment = await (await create(client, headers, citizen_id)).json()
    url = f"/api/appointments/{appointment['id']}"
    for body, message in [({}, "nothing to change"), ({"starts_at": "2026-11-01T10:00:00+01:00"}, "in the past"),
                          ({"ends_at": "2026-11-26T08:00:00+01:00"}, "'ends_at' must be after"),
                          ({"status": "missed"}, "'status' must be one of: cancelled")]:
        resp = await client.patch(url, json=body, headers=headers)
        assert resp.status == 422 and message in (await resp.json())["error"], body


async def test_attendance_missed_alerts_and_plans_a_follow_up(client, mette, clock):
    headers, citizen_id = mette
    first = await (await create(client, headers, citizen_id, ends_at="2026-11-26T11:00:00+01:00")).json()
    early = await client.post(f"/api/appointments/{first['id']}/attendance", json={"status": "missed"},
                              headers=headers)
    assert early.status == 422 and "has not started yet" in (await early.json())["error"]
    clock.set(datetime(2026, 11, 26, 10, 30, tzinfo=timezone.utc))
    resp = await client.post(f"/api/appointments/{first['id']}/attendance", json={"status": "missed"},
                             headers=headers)
    missed = await resp.json()
    assert missed["status"] == "missed"
    jobs = {(j["purpose"], j["status"]) for j in missed["jobs"]}
    assert ("missed_followup", "pending") in jobs and ("appointment_reminder", "pending") not in jobs
    [followup] = [j for j in missed["jobs"] if j["purpose"] == "missed_followup"]
    assert followup["due_at"] == "2026-11-26T11:00:00+00:00"  # an hour after the end
    alerts = await (await client.get(f"/api/alerts?citizen_id={citizen_id}", headers=headers)).json()
    assert [(a["rule"], a["severity"]) for a in alerts] == [("missed_appointment", "medium")]
    # Recording it again raises no second alert.
    await client.post(f"/api/appointments/{first['id']}/attendance", json={"status": "missed"}, headers=headers)
    assert len(await (await client.get(f"/api/alerts?citizen_id={citizen_id}", headers=headers)).json()) == 1

    second = await (await create(client, headers, citizen_id, starts_at="2026-12-03T10:00:00+01:00")).json()
    clock.set(datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc))
    await client.post(f"/api/appointments/{second['id']}/attendance", json={"status": "missed"}, headers=headers)
    alerts = await (await client.get(f"/api/alerts?citizen_id={citizen_id}", headers=headers)).json()
    assert alerts[0]["rule"] == "missed_appointment" and alerts[0]["severity"] == "high"
    assert "anden gang i træk" in alerts[0]["reason"]


async def test_attended_cancels_what_is_pending(client, mette, clock):
    headers, citizen_id = mette
    appointment = await (await create(client, headers, citizen_id, notify_if_unanswered=True)).json()
    assert {j["purpose"] for j in appointment["jobs"]} == {"appointment_reminder", "appointment_unanswered",
                                                          "preparation_invite"}
    clock.set(datetime(2026, 11, 26, 9, 5, tzinfo=timezone.utc))
    resp = await client.post(f"/api/appointments/{appointment['id']}/attendance", json={"status": "attended"},
                             headers=headers)
    body = await resp.json()
    assert body["status"] == "attended" and {j["status"] for j in body["jobs"]} == {"cancelled"}
    bad = await client.post(f"/api/appointments/{appointment['id']}/attendance", json={"status": "late"},
                            headers=headers)
    assert bad.status == 422 and "attended, missed, cancelled" in (await bad.json())["error"]


async def test_tick_is_admin_only_and_validates_now(client, mette):
    headers, _ = mette
    assert (await client.post("/api/scheduler/tick", json={}, headers=headers)).status == 403
    resp = await client.post("/api/scheduler/tick", json={"now": "2026-11-24T10:00:00"}, headers=ADMIN)
    assert resp.status == 422 and "offset" in (await resp.json())["error"]
    resp = await client.post("/api/scheduler/tick", json={"now": "2026-11-24T10:00:00+01:00"}, headers=ADMIN)
    report = await resp.json()
    assert report["now"] == "2026-11-24T09:00:00+00:00" and report["jobs"] == []


# --- ending and resuming the course (PATCH /api/citizens/{id}) ----------------------------------

async def jobs_of(client, headers, citizen_id):
    rows = await (await client.get(f"/api/citizens/{citizen_id}/jobs", headers=headers)).json()
    return sorted((j["purpose"], j["status"], j["note"]) for j in rows)


async def test_ending_the_course_cancels_what_was_planned_and_resuming_plans_it_again(client, mette):
    headers, citizen_id = mette
    assert (await create(client, headers, citizen_id)).status == 201
    ended = await client.patch(f"/api/citizens/{citizen_id}", json={"status": "inactive"}, headers=headers)
    assert ended.status == 200 and (await ended.json())["status"] == "inactive"
    assert {(p, s, n) for p, s, n in await jobs_of(client, headers, citizen_id)} == {
        ("appointment_reminder", "cancelled", "course ended"), ("preparation_invite", "cancelled", "course ended")}
    resumed = await client.patch(f"/api/citizens/{citizen_id}", json={"status": "active"}, headers=headers)
    assert (await resumed.json())["status"] == "active"
    statuses = [s for p, s, _ in await jobs_of(client, headers, citizen_id) if p == "appointment_reminder"]
    assert statuses == ["pending", "pending"]


async def test_changing_the_check_in_interval_and_programme(client, mette):
    headers, citizen_id = mette
    resp = await client.patch(f"/api/citizens/{citizen_id}", json={"checkin_interval_days": 14}, headers=headers)
    assert resp.status == 200 and (await resp.json())["checkin_interval_days"] == 14


@pytest.mark.parametrize("body, field", [({"status": "opted_out"}, "status"), ({"status": "gone"}, "status"),
                                         ({"checkin_interval_days": 0}, "checkin_interval_days"),
                                         ({"programme": "nope"}, "programme"), ({"phone": "not a number"}, "phone")])
async def test_bad_changes_get_a_clear_422(client, mette, body, field):
    headers, citizen_id = mette
    resp = await client.patch(f"/api/citizens/{citizen_id}", json=body, headers=headers)
    assert resp.status == 422 and field in (await resp.json())["error"]


async def test_the_coordinator_cannot_undo_a_citizens_stop(client, mette, db):
    headers, citizen_id = mette
    db.call(set_status, citizen_id, "opted_out")
    resp = await client.patch(f"/api/citizens/{citizen_id}", json={"status": "active"}, headers=headers)
    assert resp.status == 409 and "START" in (await resp.json())["error"]
    shown = await (await client.get(f"/api/citizens/{citizen_id}", headers=headers)).json()
    assert shown["status"] == "opted_out"


async def test_another_coordinator_cannot_change_the_citizen(client, mette):
    _, citizen_id = mette
    _, ole = await coordinator(client, "Ole")
    resp = await client.patch(f"/api/citizens/{citizen_id}", json={"status": "inactive"}, headers=ole)
    assert resp.status == 404
