"""Agreements after a meeting and the meeting summary (with the citizen's approval and teach-back)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.core.vocabulary import AgreementStatus, SummaryApproval
from bot.db.models import Agreement, MeetingSummary


def replace_agreements(session: Session, appointment_id: int, citizen_id: int, items: list[dict],
                       summary: dict | None, now: datetime) -> list[Agreement]:
    """A new list for a meeting replaces the previous, not yet followed-up one (coordinators correct)."""
    session.execute(sa.delete(Agreement).where(Agreement.appointment_id == appointment_id,
                                               Agreement.followed_up_at.is_(None)))
    rows = [Agreement(appointment_id=appointment_id, citizen_id=citizen_id, created_at=now,
                      status=AgreementStatus.PROPOSED, **item) for item in items]
    session.add_all(rows)
    record = get_summary(session, appointment_id)
    if record is None:
        record = MeetingSummary(appointment_id=appointment_id, created_at=now, summary={})
        session.add(record)
    record.summary = summary or {}
    record.approval = SummaryApproval.PENDING
    record.approval_at = None
    record.rejection_note = None
    session.flush()
    return rows


def get_summary(session: Session, appointment_id: int) -> MeetingSummary | None:
    return session.execute(
        sa.select(MeetingSummary).where(MeetingSummary.appointment_id == appointment_id)
    ).scalar_one_or_none()


def for_appointment(session: Session, appointment_id: int) -> list[Agreement]:
    return list(session.execute(
        sa.select(Agreement).where(Agreement.appointment_id == appointment_id).order_by(Agreement.id)).scalars())


def for_citizen(session: Session, citizen_id: int) -> list[Agreement]:
    return list(session.execute(
        sa.select(Agreement).where(Agreement.citizen_id == citizen_id)
        .order_by(Agreement.created_at.desc(), Agreement.id)).scalars())


def get_agreement(session: Session, agreement_id: int) -> Agreement | None:
    return session.get(Agreement, agreement_id)


def set_approval(session: Session, appointment_id: int, approved: bool, note: str | None, now: datetime) -> None:
    record = get_summary(session, appointment_id)
    record.approval = SummaryApproval.APPROVED if approved else SummaryApproval.REJECTED
    record.approval_at = now
    record.rejection_note = note
    for agreement in for_appointment(session, appointment_id):
        agreement.status = AgreementStatus.APPROVED if approved else AgreementStatus.REJECTED
        agreement.approved_at = now if approved else None


def set_next_step(session: Session, appointment_id: int, text: str) -> None:
    get_summary(session, appointment_id).citizen_next_step = text


def record_follow_up(session: Session, agreement_id: int, answer: str, now: datetime) -> Agreement:
    agreement = session.get(Agreement, agreement_id)
    agreement.follow_up_answer = answer
    agreement.followed_up_at = now
    return agreement


def due_follow_ups(session: Session, appointment_id: int) -> list[Agreement]:
    """Approved agreements someone else owns, not yet followed up."""
    return list(session.execute(
        sa.select(Agreement).where(Agreement.appointment_id == appointment_id, Agreement.status == AgreementStatus.APPROVED,
                                   Agreement.owner_is_citizen.is_(False), Agreement.followed_up_at.is_(None))
        .order_by(Agreement.id)).scalars())
