"""Everything stored about one citizen, for their right of access (export) and to erasure
(GDPR art. 15 and 17; docs/privacy.md). One list of what belongs to a citizen serves both, so an export
shows exactly what an erasure deletes, except the access log, which the erasure keeps pseudonymised."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.access_log import Actor, pseudonymise
from bot.db.models import (
    AccessLog,
    Agreement,
    Alert,
    Appointment,
    CheckIn,
    Citizen,
    CoordinatorChange,
    Erasure,
    FakeSms,
    Goal,
    GoalStep,
    InboundMessage,
    Job,
    MeetingInvitation,
    MeetingSummary,
    NetworkMember,
    OutboxMessage,
    OutcomeMeasure,
    Preparation,
    Questionnaire,
    Stratification,
)


def _owned(citizen: Citizen) -> list[tuple[str, type, sa.sql.ColumnElement]]:
    """(section, model, which rows) in an order that deletes rows before the rows they point to."""
    appointments = sa.select(Appointment.id).where(Appointment.citizen_id == citizen.id).scalar_subquery()
    return [
        ("alerts", Alert, Alert.citizen_id == citizen.id),
        ("outcome_measures", OutcomeMeasure, OutcomeMeasure.citizen_id == citizen.id),
        ("questionnaires", Questionnaire, Questionnaire.citizen_id == citizen.id),
        ("goal_steps", GoalStep, GoalStep.citizen_id == citizen.id),
        ("goals", Goal, Goal.citizen_id == citizen.id),
        ("checkins", CheckIn, CheckIn.citizen_id == citizen.id),
        ("preparations", Preparation, Preparation.citizen_id == citizen.id),
        ("agreements", Agreement, Agreement.citizen_id == citizen.id),
        ("meeting_summaries", MeetingSummary, MeetingSummary.appointment_id.in_(appointments)),
        ("jobs", Job, Job.citizen_id == citizen.id),
        ("coordinator_changes", CoordinatorChange, CoordinatorChange.citizen_id == citizen.id),
        # The citizen's network (0019): invitations point at appointments and members.
        ("meeting_invitations", MeetingInvitation, MeetingInvitation.citizen_id == citizen.id),
        ("network_members", NetworkMember, NetworkMember.citizen_id == citizen.id),
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


def erase_citizen(session: Session, citizen: Citizen, erased_by: Actor | int | None, now: datetime) -> Erasure:
    """Deletes the citizen and every row about them; what is left is an Erasure row without name or
    phone, naming who erased (`erased_by`: an Actor, or a coordinator's id, None for the admin), and
    the access log, kept pseudonymised: its rows point at the erasure instead of the citizen (who
    read or changed the data must stay answerable; docs/privacy.md, "The access log"). The
    caller's transaction makes it all or nothing."""
    actor = erased_by if isinstance(erased_by, Actor) else Actor.of(erased_by)
    erasure = Erasure(citizen_id=citizen.id, erased_by=actor.coordinator_id, actor=actor.kind.value, erased_at=now,
                      rows={})
    session.add(erasure)
    session.flush()
    counts = {}
    for section, model, which in _owned(citizen):
        if model is AccessLog:
            counts["access_log_pseudonymised"] = pseudonymise(session, citizen.id, erasure.id)
            continue
        counts[section] = session.execute(sa.delete(model).where(which), execution_options={
            "synchronize_session": False}).rowcount
    session.execute(sa.delete(Citizen).where(Citizen.id == citizen.id))
    # The erasure itself closes the kept trail, by the same actor.
    session.add(AccessLog(coordinator_id=actor.coordinator_id, actor=actor.kind.value, erasure_id=erasure.id,
                          action="erase", at=now))
    erasure.rows = counts
    session.flush()
    return erasure


def mark_tracker_verified(session: Session, erasure_id: int, now: datetime) -> None:
    session.execute(sa.update(Erasure).where(Erasure.id == erasure_id).values(tracker_verified_at=now))
