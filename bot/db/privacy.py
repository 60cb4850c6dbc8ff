"""Everything stored about one citizen, for their right of access (export) and to erasure
(GDPR art. 15 and 17; docs/privacy.md). One list of what belongs to a citizen serves both, so an export
shows exactly what an erasure deletes."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import (
    AccessLog,
    Agreement,
    Alert,
    Appointment,
    CheckIn,
    Citizen,
    Erasure,
    FakeSms,
    InboundMessage,
    Job,
    MeetingSummary,
    OutboxMessage,
    Preparation,
    Stratification,
)


def _owned(citizen: Citizen) -> list[tuple[str, type, sa.sql.ColumnElement]]:
    """(section, model, which rows) in an order that deletes rows before the rows they point to."""
    appointments = sa.select(Appointment.id).where(Appointment.citizen_id == citizen.id).scalar_subquery()
    return [
        ("alerts", Alert, Alert.citizen_id == citizen.id),
        ("checkins", CheckIn, CheckIn.citizen_id == citizen.id),
        ("preparations", Preparation, Preparation.citizen_id == citizen.id),
        ("agreements", Agreement, Agreement.citizen_id == citizen.id),
        ("meeting_summaries", MeetingSummary, MeetingSummary.appointment_id.in_(appointments)),
        ("jobs", Job, Job.citizen_id == citizen.id),
        ("appointments", Appointment, Appointment.citizen_id == citizen.id),
        ("inbound_messages", InboundMessage, InboundMessage.citizen_id == citizen.id),
        ("outbox", OutboxMessage, OutboxMessage.citizen_id == citizen.id),
        ("stratifications", Stratification, Stratification.citizen_id == citizen.id),
        ("access_log", AccessLog, AccessLog.citizen_id == citizen.id),
        # The development gateway's own copy of the SMS (wire format: digits without "+").
        ("fake_sms", FakeSms, FakeSms.msisdn == citizen.phone.lstrip("+")),
    ]


def citizen_records(session: Session, citizen: Citizen) -> dict[str, list]:
    """The citizen's rows in every table, oldest first."""
    return {
        section: list(session.execute(sa.select(model).where(which).order_by(model.id)).scalars())
        for section, model, which in _owned(citizen)
    }


def erase_citizen(session: Session, citizen: Citizen, erased_by: int | None, now: datetime) -> Erasure:
    """Deletes the citizen and every row about them; what is left is an Erasure row without
    name or phone. The caller's transaction makes it all or nothing."""
    counts = {}
    for section, model, which in _owned(citizen):
        counts[section] = session.execute(sa.delete(model).where(which), execution_options={
            "synchronize_session": False}).rowcount
    session.execute(sa.delete(Citizen).where(Citizen.id == citizen.id))
    erasure = Erasure(citizen_id=citizen.id, erased_by=erased_by, erased_at=now, rows=counts)
    session.add(erasure)
    session.flush()
    return erasure
