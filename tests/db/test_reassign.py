"""A change of coordinator (bot/citizens/reassign.py): who may, what moves with the citizen (alerts,
planned messages, outcome rounds), what is kept (the history row, the audit), the SMS that tells the
citizen, and the handover meeting. On SQLite and PostgreSQL, every time stated."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.appointments import booking
from bot.citizens.reassign import reassign
from bot.core.alert_catalogue import Rule
from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid, NotFound
from bot.core.vocabulary import JobStatus
from bot.db.access_log import ADMIN
from bot.db.alerts import add_alert, list_alerts
from bot.db.citizens import create_citizen, get_citizen, list_citizens
from bot.db.coordinators import create_coordinator, deactivate
from bot.db.models import AccessLog, CoordinatorChange, Job, OutboxMessage
from bot.db.privacy import citizen_records, erase_citizen
from bot.jobs.purposes import REMINDER
from bot.outcomes import record

CPH = ZoneInfo("Europe/Copenhagen")
SETTINGS = ProactiveSettings()
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=CPH).astimezone(timezone.utc)


@pytest.fixture
def team(db):
    def create(session):
        jens, _ = create_coordinator(session, "Jens")
        mette, _ = create_coordinator(session, "Mette")
        ole, _ = create_coordinator(session, "Ole")
        bente = create_citizen(session, name="Bente", phone="+4512345678", coordinator_id=jens.id,
                               consent_at=NOW - timedelta(days=20))
        alert = add_alert(session, bente.id, rule=Rule.OVERALL_RED, severity=Rule.OVERALL_RED.severity,
                          reason="Rød samlet", created_at=NOW - timedelta(hours=1))
        alert.acknowledged_by, alert.status = jens.id, "acknowledged"
        return jens, mette, ole, bente

    return db.call(create)


def outbox(db, citizen):
    return db.call(lambda s: [(m.text, m.purpose) for m in s.execute(
        sa.select(OutboxMessage).where(OutboxMessage.citizen_id == citizen.id)).scalars()])


def test_the_coordinator_hands_a_citizen_to_a_colleague(db, team):
    jens, mette, _, bente = team
    appointment = db.call(lambda s: booking.create(s, bente.id, jens.id, {
        "kind": "opfoelgning", "starts_at": NOW + timedelta(days=3)}, NOW, SETTINGS))
    db.call(lambda s: record.request(s, bente, "who5", requested_by=jens.id, now=NOW, settings=SETTINGS))
    result = db.call(lambda s: reassign(s, bente.id, jens.id, mette.id, now=NOW, settings=SETTINGS))
    assert (result.change.from_coordinator_id, result.change.to_coordinator_id, result.change.changed_by,
            result.change.actor, result.handover) == (jens.id, mette.id, jens.id, "coordinator", None)
    # The citizen, their alert and their planned messages are Mette's now, and no longer Jens's.
    assert db.call(lambda s: get_citizen(s, bente.id, mette.id)) is not None
    assert db.call(lambda s: get_citizen(s, bente.id, jens.id)) is None
    assert [c.id for c in db.call(lambda s: list_citizens(s, jens.id))] == []
    assert len(db.call(lambda s: list_alerts(s, coordinator_id=mette.id))) == 1
    assert db.call(lambda s: list_alerts(s, coordinator_id=jens.id)) == []
    jobs = db.call(lambda s: list(s.execute(sa.select(Job).where(Job.citizen_id == bente.id)).scalars()))
    assert {j.purpose for j in jobs if j.status == JobStatus.PENDING} >= {REMINDER, "questionnaire_prompt"}
    assert appointment.id is not None
    # Told by SMS, without health content; the change is kept and audited.
    assert outbox(db, bente) == [("Din nye koordinator hedder Mette. Jens har givet din sag videre. "
                                  "Du kan skrive her som før.", "proactive")]
    assert db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(CoordinatorChange)).scalar()) == 1
    assert db.call(lambda s: s.execute(sa.select(AccessLog.action).where(AccessLog.citizen_id == bente.id)).scalars()
                   .all()) == ["reassign"]


def test_a_handover_meeting_for_the_three_is_booked_and_named_in_the_sms(db, team):
    jens, mette, _, bente = team
    at = datetime(2026, 12, 1, 10, 0, tzinfo=CPH).astimezone(timezone.utc)
    result = db.call(lambda s: reassign(s, bente.id, None, mette.id, now=NOW, settings=SETTINGS, handover_at=at))
    assert (result.change.actor, result.change.changed_by) == (ADMIN.kind.value, None)
    assert (result.handover.starts_at, result.handover.kind, result.handover.title) == (
        at, "opfoelgning", "Overdragelse: Jens og Mette")
    assert result.change.handover_appointment_id == result.handover.id
    (text, _), = outbox(db, bente)
    assert "I mødes alle tre tirsdag 1. december kl. 10" in text
    reminders = db.call(lambda s: s.execute(sa.select(Job).where(Job.citizen_id == bente.id, Job.purpose == REMINDER))
                        .scalars().all())
    assert reminders  # reminded like any meeting


def test_only_the_current_coordinator_or_the_admin_may_and_only_to_an_active_colleague(db, team):
    jens, mette, ole, bente = team
    with pytest.raises(NotFound):  # Mette cannot take Jens's citizen
        db.call(lambda s: reassign(s, bente.id, mette.id, mette.id, now=NOW, settings=SETTINGS))
    with pytest.raises(NotFound):
        db.call(lambda s: reassign(s, 10 ** 9, None, mette.id, now=NOW, settings=SETTINGS))
    for target in (jens.id, 10 ** 9, "2", None, True):
        with pytest.raises(Invalid):
            db.call(lambda s, target=target: reassign(s, bente.id, jens.id, target, now=NOW, settings=SETTINGS))
    db.call(lambda s: deactivate(s, s.merge(ole), NOW))
    with pytest.raises(Invalid):
        db.call(lambda s: reassign(s, bente.id, jens.id, ole.id, now=NOW, settings=SETTINGS))
    with pytest.raises(Invalid):  # a handover in the past is refused like any booking
        db.call(lambda s: reassign(s, bente.id, jens.id, mette.id, now=NOW, settings=SETTINGS,
                                   handover_at=NOW - timedelta(days=1)))
    # Nothing changed by any of the refusals.
    assert db.call(lambda s: get_citizen(s, bente.id)).coordinator_id == jens.id
    assert outbox(db, bente) == []


def test_erasure_removes_the_history_of_changes(db, team):
    jens, mette, _, bente = team
    at = NOW + timedelta(days=2)
    db.call(lambda s: reassign(s, bente.id, jens.id, mette.id, now=NOW, settings=SETTINGS, handover_at=at))
    records = db.call(lambda s: citizen_records(s, get_citizen(s, bente.id)))
    assert len(records["coordinator_changes"]) == 1
    db.call(lambda s: erase_citizen(s, get_citizen(s, bente.id), None, NOW))
    assert db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(CoordinatorChange)).scalar()) == 0


def test_after_stop_the_sms_is_held_but_the_change_is_made(db, team):
    jens, mette, _, bente = team
    db.call(lambda s: s.execute(sa.text("UPDATE citizens SET status = 'opted_out' WHERE id = :i"), {"i": bente.id}))
    db.call(lambda s: reassign(s, bente.id, jens.id, mette.id, now=NOW, settings=SETTINGS))
    assert db.call(lambda s: get_citizen(s, bente.id)).coordinator_id == mette.id
    status = db.call(lambda s: s.execute(sa.select(OutboxMessage.status).where(OutboxMessage.citizen_id == bente.id))
                     .scalar_one())
    assert status == "suppressed"
