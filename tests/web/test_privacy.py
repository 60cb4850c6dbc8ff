"""A citizen's export and erasure (GDPR art. 15/17): everything about them, in every table and in
Rasa's tracker store (written here by Rasa's own SQLTrackerStore), and nothing about anyone else."""
from datetime import timedelta

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.checkins.record import record_checkin
from bot.checkins.rules import CheckinAnswers
from bot.db import fake_sms, models
from bot.db.access_log import log_access
from bot.db.agreements import replace_agreements
from bot.db.appointments import create_appointment
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.jobs import schedule
from bot.db.messages import log_inbound
from bot.db.preparations import save_answer
from bot.db.stratifications import add_stratification
from bot.sms.outbox import queue_sms
from tests.conftest import T0
from tests.service import service_app, tracker_url

ADMIN = {"Authorization": "Bearer test-admin"}
BENTE, KARL = "+4520000001", "+4520000002"
# Every table that holds rows about a citizen, and how to find them.
CITIZEN_TABLES = {
    models.CheckIn: "citizen_id", models.Alert: "citizen_id", models.Appointment: "citizen_id",
    models.Preparation: "citizen_id", models.Agreement: "citizen_id", models.Job: "citizen_id",
    models.InboundMessage: "citizen_id", models.OutboxMessage: "citizen_id", models.Stratification: "citizen_id",
    models.AccessLog: "citizen_id",
}


def tracker_store(url: str) -> SQLTrackerStore:
    """Rasa's own SQL tracker store on the same database the test uses."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return SQLTrackerStore(dialect="sqlite", db=parsed.database)
    return SQLTrackerStore(dialect="postgresql", host=parsed.host, port=parsed.port, db=parsed.database,
                           username=parsed.username)


async def talk(store: SQLTrackerStore, sender: str, text: str) -> None:
    await store.save(DialogueStateTracker.from_events(sender, [UserUttered(text), BotUttered("Tak.")]))


def fill(session, coordinator_id: int, phone: str) -> int:
    """A citizen with a row in every table that can hold one."""
    citizen = create_citizen(session, name="Borger", phone=phone, coordinator_id=coordinator_id)
    record_checkin(session, citizen, CheckinAnswers("red", wants_contact=True), note="svært", complete=True,
                   channel="sms", now=T0)
    meeting = create_appointment(session, citizen.id, kind="netvaerksmoede", starts_at=T0 + timedelta(days=3))
    save_answer(session, meeting.id, citizen.id, "topics", ["økonomi"], T0)
    replace_agreements(session, meeting.id, citizen.id, [{"what": "Søge boligstøtte", "who": "Kommunen"}],
                       {"decisions": "Ansøgning"}, T0)
    schedule(session, citizen_id=citizen.id, purpose="checkin_prompt", due_at=T0 + timedelta(days=7),
             next_attempt_at=T0 + timedelta(days=7), now=T0)
    log_inbound(session, citizen.id, channel="sms", text="rød", received_at=T0, provider_id=f"mo-{phone}")
    queue_sms(session, phone, "Tak for dit svar.", purpose="reply", now=T0)
    fake_sms.add(session, direction="mt", msisdn=phone.lstrip("+"), message="Tak for dit svar.", created_at=T0)
    add_stratification(session, citizen.id, coordinator_id=coordinator_id, complexity="high", coping="weak",
                       level=4, rationale="Mange aktører", created_at=T0)
    log_access(session, coordinator_id, citizen.id, "view_citizen", T0)
    return citizen.id


@pytest.fixture
async def world(aiohttp_client, db, clock):
    store = tracker_store(tracker_url(db.url))
    client = await aiohttp_client(service_app(db, clock, SMS_DISPATCH_INTERVAL="0", SCHEDULER_INTERVAL_SECONDS="0"))
    mette, mette_token = db.call(lambda s: create_coordinator(s, "Mette"))
    ole, ole_token = db.call(lambda s: create_coordinator(s, "Ole"))
    bente = db.call(fill, mette.id, BENTE)
    karl = db.call(fill, mette.id, KARL)
    await talk(store, BENTE, "rød, ring til mig")
    await talk(store, KARL, "grøn")
    yield {"client": client, "store": store, "bente": bente, "karl": karl,
           "mette": {"Authorization": f"Bearer {mette_token}"}, "ole": {"Authorization": f"Bearer {ole_token}"}}
    store.engine.dispose()


def rows_about(db, citizen_id: int) -> dict[str, int]:
    def count(session):
        found = {model.__tablename__: session.execute(sa.select(sa.func.count()).select_from(model).where(
            getattr(model, column) == citizen_id)).scalar_one() for model, column in CITIZEN_TABLES.items()}
        found["citizens"] = session.execute(sa.select(sa.func.count()).select_from(models.Citizen).where(
            models.Citizen.id == citizen_id)).scalar_one()
        return found

    return db.call(count)


async def test_export_holds_everything_about_the_citizen_and_nothing_else(world):
    resp = await world["client"].get(f"/api/citizens/{world['bente']}/export", headers=world["mette"])
    assert resp.status == 200
    assert "attachment" in resp.headers["Content-Disposition"] and resp.headers["Cache-Control"] == "no-store"
    body = await resp.json()
    assert body["citizen"]["phone"] == BENTE
    for section in ("checkins", "alerts", "appointments", "preparations", "agreements", "meeting_summaries", "jobs",
                    "inbound_messages", "outbox", "stratifications", "access_log"):
        assert body[section], f"{section} missing from the export"
        assert all(row.get("citizen_id", world["bente"]) == world["bente"] for row in body[section]), section
    assert body["checkins"][0]["note"] == "svært" and body["inbound_messages"][0]["text"] == "rød"
    assert body["meeting_summaries"][0]["summary"] == {"decisions": "Ansøgning"}
    texts = [e.get("text") for e in body["conversation_events"]]
    assert "rød, ring til mig" in texts and "grøn" not in texts
    assert {e["action"] for e in body["access_log"]} >= {"view_citizen"}


async def test_a_coordinator_export_is_logged_and_others_are_refused(world, db):
    client, bente = world["client"], world["bente"]
    assert (await client.get(f"/api/citizens/{bente}/export", headers=world["ole"])).status == 404
    assert (await client.get(f"/api/citizens/{bente}/export", headers=world["mette"])).status == 200
    actions = db.call(lambda s: list(s.execute(sa.select(models.AccessLog.action).where(
        models.AccessLog.citizen_id == bente)).scalars()))
    assert "export" in actions
    assert (await client.get("/api/citizens/999/export", headers=ADMIN)).status == 404


async def test_erasure_removes_every_row_and_the_conversation_but_not_other_citizens(world, db):
    client, bente, karl = world["client"], world["bente"], world["karl"]
    before_karl = rows_about(db, karl)
    resp = await client.post(f"/api/citizens/{bente}/erase", json={"confirm_phone": "20 00 00 01"},
                             headers=world["mette"])
    assert resp.status == 200, await resp.text()
    body = await resp.json()
    assert body["erased"] is True and body["rows"]["checkins"] == 1 and body["rows"]["conversation_events"] == 2
    assert set(rows_about(db, bente).values()) == {0}
    assert rows_about(db, karl) == before_karl
    assert await world["store"].retrieve(BENTE) is None
    assert len((await world["store"].retrieve(KARL)).events) == 2
    # Nothing left that names the citizen; the erasure itself is on record.
    erasure = db.call(lambda s: s.execute(sa.select(models.Erasure)).scalar_one())
    assert erasure.citizen_id == bente and erasure.rows["alerts"] >= 2
    assert [len(db.call(fake_sms.for_msisdn, n.lstrip("+"))) for n in (BENTE, KARL)] == [0, 1]
    # The citizen is gone for the API, and the number can be registered again.
    assert (await client.get(f"/api/citizens/{bente}", headers=world["mette"])).status == 404
    again = await client.post("/api/citizens", json={"name": "Ny", "phone": BENTE, "coordinator_id": 1}, headers=ADMIN)
    assert again.status == 201


@pytest.mark.parametrize("body", [{}, {"confirm_phone": "+4599999999"}, {"confirm_phone": "abc"}])
async def test_erasure_needs_the_citizens_phone_as_confirmation(world, db, body):
    resp = await world["client"].post(f"/api/citizens/{world['bente']}/erase", json=body, headers=world["mette"])
    assert resp.status == 422 and "confirm_phone" in (await resp.json())["error"]
    assert rows_about(db, world["bente"])["checkins"] == 1


async def test_another_coordinator_cannot_erase(world, db):
    resp = await world["client"].post(f"/api/citizens/{world['bente']}/erase", json={"confirm_phone": BENTE},
                                      headers=world["ole"])
    assert resp.status == 404
    assert rows_about(db, world["bente"])["citizens"] == 1


async def test_a_failing_tracker_store_erases_nothing(world, db, tmp_path):
    # A tracker store that cannot be written (a directory where the SQLite file should be).
    (tmp_path / "tracker-is-a-dir").mkdir()
    world["client"].app["tracker_events"].engine = sa.create_engine(f"sqlite:///{tmp_path / 'tracker-is-a-dir'}")
    resp = await world["client"].post(f"/api/citizens/{world['bente']}/erase", json={"confirm_phone": BENTE},
                                      headers=ADMIN)
    # A clear 503 (was a bare 500), and the erasure is not reported as done.
    assert resp.status == 503
    body = await resp.json()
    assert body["erased"] is False and "TRACKER_STORE_URL" in body["error"]
    assert rows_about(db, world["bente"])["checkins"] == 1
