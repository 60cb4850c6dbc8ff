"""Queries for the citizen's network (issue 14 §3; bot/network/): members, their invitations, and
which network SMS in the outbox may no longer go because the member's consent was removed."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.core.vocabulary import InvitationStatus, OutboxStatus
from bot.db.models import Appointment, Citizen, MeetingInvitation, NetworkMember, OutboxMessage

NETWORK = "network"  # the outbox purpose of an SMS to a network member (bot/sms/outbox.py)
CONSENT_REMOVED = "consent_removed"  # outbox.suppressed_reason


def invitation_target(invitation_id: int) -> str:
    return f"invitation:{invitation_id}"


def add_member(session: Session, **fields) -> NetworkMember:
    member = NetworkMember(**fields)
    session.add(member)
    session.flush()
    return member


def members(session: Session, citizen_id: int, *, include_removed: bool = False) -> list[NetworkMember]:
    query = sa.select(NetworkMember).where(NetworkMember.citizen_id == citizen_id)
    if not include_removed:
        query = query.where(NetworkMember.removed_at.is_(None))
    return list(session.execute(query.order_by(NetworkMember.id)).scalars())


def get_member(session: Session, member_id: int, coordinator_id: int | None = None) -> NetworkMember | None:
    """Scoped like get_citizen: another coordinator's citizen's member is simply not found."""
    query = sa.select(NetworkMember).where(NetworkMember.id == member_id)
    if coordinator_id is not None:
        query = query.join(Citizen, Citizen.id == NetworkMember.citizen_id).where(
            Citizen.coordinator_id == coordinator_id)
    return session.execute(query).scalar_one_or_none()


def active_member_with_phone(session: Session, citizen_id: int, phone: str) -> NetworkMember | None:
    return session.execute(sa.select(NetworkMember).where(
        NetworkMember.citizen_id == citizen_id, NetworkMember.phone == phone,
        NetworkMember.removed_at.is_(None))).scalars().first()


def get_invitation(session: Session, appointment_id: int, member_id: int) -> MeetingInvitation | None:
    return session.execute(sa.select(MeetingInvitation).where(
        MeetingInvitation.appointment_id == appointment_id, MeetingInvitation.member_id == member_id)
    ).scalar_one_or_none()


def invitations_for_appointment(session: Session, appointment_id: int,
                                statuses: tuple[str, ...] = (InvitationStatus.INVITED,)) -> list[MeetingInvitation]:
    return list(session.execute(sa.select(MeetingInvitation).where(
        MeetingInvitation.appointment_id == appointment_id, MeetingInvitation.status.in_(statuses))
        .order_by(MeetingInvitation.id)).scalars())


def invitations_of_member(session: Session, member_id: int) -> list[MeetingInvitation]:
    return list(session.execute(sa.select(MeetingInvitation).where(MeetingInvitation.member_id == member_id)
                                .order_by(MeetingInvitation.id)).scalars())


def invitations_for_citizen(session: Session, citizen_id: int) -> list[tuple[MeetingInvitation, Appointment]]:
    return [(row[0], row[1]) for row in session.execute(
        sa.select(MeetingInvitation, Appointment).join(Appointment, Appointment.id == MeetingInvitation.appointment_id)
        .where(MeetingInvitation.citizen_id == citizen_id).order_by(MeetingInvitation.id)).all()]


def _no_active_member():
    """A network SMS whose (citizen, phone) is no active member's: the consent was removed."""
    member = sa.select(NetworkMember.id).where(
        NetworkMember.citizen_id == OutboxMessage.citizen_id, NetworkMember.phone == OutboxMessage.msisdn,
        NetworkMember.removed_at.is_(None)).exists()
    return sa.and_(OutboxMessage.purpose == NETWORK, ~member)


def hold_queued_without_consent(session: Session, now: datetime) -> int:
    """Every queued network SMS to a member whose consent is gone becomes 'suppressed'. One read,
    and an UPDATE only when there is something to hold (asked on every dispatcher round)."""
    found = list(session.execute(sa.select(OutboxMessage.id).where(
        OutboxMessage.status == OutboxStatus.QUEUED, _no_active_member())).scalars())
    if not found:
        return 0
    return session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id.in_(found), OutboxMessage.status == OutboxStatus.QUEUED)
        .values(status=OutboxStatus.SUPPRESSED, suppressed_reason=CONSENT_REMOVED, status_at=now)
        .execution_options(synchronize_session=False)
    ).rowcount


def without_consent(session: Session, message_ids: list[int]) -> set[int]:
    """Of these network messages, the ones whose member's consent is gone."""
    if not message_ids:
        return set()
    return set(session.execute(sa.select(OutboxMessage.id).where(
        OutboxMessage.id.in_(message_ids), _no_active_member())).scalars())


def forget_member_messages(session: Session, citizen_id: int, phone: str) -> int:
    """Least data once the consent is removed: the member's network SMS that are out of the queue
    (sent, delivered, failed, suppressed) are deleted, so neither their number nor their name
    (in the text) is kept. One being handed to the operator right now is left to finish."""
    return session.execute(
        sa.delete(OutboxMessage).where(
            OutboxMessage.citizen_id == citizen_id, OutboxMessage.msisdn == phone,
            OutboxMessage.purpose == NETWORK, OutboxMessage.status != OutboxStatus.SENDING)
        .execution_options(synchronize_session=False)
    ).rowcount
