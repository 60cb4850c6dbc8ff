"""The database layer on SQLite and PostgreSQL."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.checkins.record import record_checkin
from bot.checkins.rules import CheckinAnswers
from bot.citizens.contact import request_contact
from bot.db import alerts as alert_db
from bot.db import checkins as checkin_db
from bot.db.citizens import DuplicatePhone, citizen_by_phone, create_citizen, get_citizen, list_citizens
from bot.db.coordinators import coordinator_by_token, create_coordinator
from bot.db.messages import log_inbound
from bot.db.models import CheckIn
from tests.conftest import T0


def make_pair(session):
    coordinator, token = create_coordinator(session, "Mette")
    citizen = create_citizen(session, name="Bente", phone="+4512345678", coordinator_id=coordinator.id)
    return coordinator, token, citizen


def test_coordinator_token_is_stored_hashed(db):
    coordinator, token = db.call(lambda s: create_coordinator(s, "Mette"))
    with db.session() as s:
        stored = s.execute(sa.text("SELECT token_hash FROM coordinators")).scalar_one()
        assert token not in stored and len(stored) == 64
        assert coordinator_by_token(s, token).id == coordinator.id
        assert coordinator_by_token(s, "wrong") is None


def test_citizen_phone_is_unique_and_scoped_lookup(db):
    coordinator, _, citizen = db.call(make_pair)
    other, _ = db.call(lambda s: create_coordinator(s, "Ole"))
    with pytest.raises(DuplicatePhone):
        db.call(lambda s: create_citizen(s, name="X", phone="+4512345678", coordinator_id=other.id))
    with db.session() as s:
        assert citizen_by_phone(s, "+4512345678").id == citizen.id
        assert get_citizen(s, citizen.id, coordinator.id).name == "Bente"
        assert get_citizen(s, citizen.id, other.id) is None
        assert list_citizens(s, other.id) == []


def test_unique_phone_is_enforced_by_the_database_too(db):
    coordinator, _, _ = db.call(make_pair)
    from bot.db.models import Citizen

    with pytest.raises(sa.exc.IntegrityError), db.session() as s:
        s.add(Citizen(name="Y", phone="+4512345678", coordinator_id=coordinator.id))


def test_record_checkin_round_trips_and_raises_alerts(db):
    _, _, citizen = db.call(make_pair)
    db.call(lambda s: record_checkin(s, citizen, CheckinAnswers("green"), note=None, complete=True,
                                     channel="rest", now=T0))
    checkin, alerts = db.call(lambda s: record_checkin(
        s, citizen, CheckinAnswers("red", focus_areas=["oekonomi", "krop"], wants_contact=True),
        note="Jeg har ondt og mangler penge", complete=True, channel="sms", now=T0 + timedelta(days=7)))
    assert sorted(a.rule for a in alerts) == ["contact_request", "overall_red", "worsened"]
    with db.session() as s:
        rows = checkin_db.list_checkins(s, citizen.id)
        assert [r.overall for r in rows] == ["red", "green"]
        newest = rows[0]
        assert newest.focus_areas == ["oekonomi", "krop"] and newest.note.startswith("Jeg har ondt")
        assert newest.created_at == T0 + timedelta(days=7) and newest.created_at.tzinfo is not None
        assert {a.checkin_id for a in alert_db.list_alerts(s, citizen_id=citizen.id)} == {checkin.id}


def test_partial_checkin_is_stored_as_partial(db):
    _, _, citizen = db.call(make_pair)
    db.call(lambda s: record_checkin(s, citizen, CheckinAnswers("yellow"), note=None, complete=False,
                                     channel="rest", now=T0))
    with db.session() as s:
        row = s.execute(sa.select(CheckIn)).scalar_one()
        assert row.status == "partial" and row.overall == "yellow" and row.areas == {}


def test_contact_request_is_not_duplicated_while_open(db):
    _, _, citizen = db.call(make_pair)
    first = db.call(request_contact, citizen, T0)
    second = db.call(request_contact, citizen, T0 + timedelta(minutes=5))
    assert first.id == second.id
    with db.session() as s:
        alert = alert_db.get_alert(s, first.id)
        alert_db.acknowledge_alert(s, alert, None, T0)
    third = db.call(request_contact, citizen, T0 + timedelta(hours=1))
    assert third.id != first.id


def test_alert_scoping_and_acknowledge(db):
    coordinator, _, citizen = db.call(make_pair)
    other, _ = db.call(lambda s: create_coordinator(s, "Ole"))
    alert = db.call(lambda s: alert_db.add_alert(s, citizen.id, rule="overall_red", severity="high",
                                                 reason="r", created_at=T0))
    with db.session() as s:
        assert alert_db.get_alert(s, alert.id, other.id) is None
        assert [a.id for a in alert_db.list_alerts(s, coordinator_id=coordinator.id, status="open")] == [alert.id]
        acked = alert_db.acknowledge_alert(s, alert_db.get_alert(s, alert.id, coordinator.id), coordinator.id, T0)
        assert acked.status == "acknowledged" and acked.acknowledged_by == coordinator.id
        assert alert_db.list_alerts(s, status="open") == []


def test_inbound_log_is_idempotent_per_provider_id(db):
    _, _, citizen = db.call(make_pair)
    db.call(lambda s: log_inbound(s, citizen.id, channel="sms", text="hej", received_at=T0, provider_id="42"))
    with pytest.raises(sa.exc.IntegrityError):
        db.call(lambda s: log_inbound(s, citizen.id, channel="sms", text="hej", received_at=T0, provider_id="42"))


def test_naive_datetimes_are_refused(db):
    _, _, citizen = db.call(make_pair)
    with pytest.raises(sa.exc.StatementError):
        db.call(lambda s: log_inbound(s, citizen.id, channel="sms", text="x", received_at=T0.replace(tzinfo=None)))
