"""The deletions of the retention pass (bot/citizens/retention.py decides the cutoffs; docs/privacy.md,
"Retention"). Each takes `citizen_ids` to stay within the citizens a scoped tick names."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.core.vocabulary import OutboxStatus
from bot.db.models import Citizen, FakeSms, InboundMessage, LoginFailure, OutboxMessage

_QUIET = {"synchronize_session": False}
# An SMS still on its way is not the past: the dispatcher owns it until it is sent or given up.
_IN_FLIGHT = (OutboxStatus.QUEUED.value, OutboxStatus.SENDING.value)


def _ended_before(cutoff: datetime, citizen_ids: list[int] | None):
    """Citizens whose course ended before `cutoff` (kept through a STOP: docs/decisions.md)."""
    query = sa.select(Citizen.id).where(Citizen.course_ended_at.is_not(None), Citizen.course_ended_at < cutoff)
    if citizen_ids is not None:
        query = query.where(Citizen.id.in_(citizen_ids))
    return query


def phones_ended_before(session: Session, cutoff: datetime, citizen_ids: list[int] | None = None) -> list[str]:
    ids = _ended_before(cutoff, citizen_ids).scalar_subquery()
    return list(session.execute(sa.select(Citizen.phone).where(Citizen.id.in_(ids)).order_by(Citizen.id)).scalars())


def delete_messages(session: Session, cutoff: datetime, citizen_ids: list[int] | None = None) -> dict[str, int]:
    """Messages older than `cutoff` of citizens whose course ended before it: what they wrote, what
    was sent to them (not what is still queued), and the development operator's copy."""
    ended = _ended_before(cutoff, citizen_ids)
    phones = sa.select(sa.func.substr(Citizen.phone, 2)).where(Citizen.id.in_(ended.scalar_subquery()))
    inbound = session.execute(sa.delete(InboundMessage).where(
        InboundMessage.citizen_id.in_(ended.scalar_subquery()), InboundMessage.received_at < cutoff), execution_options=_QUIET)
    outbox = session.execute(sa.delete(OutboxMessage).where(
        OutboxMessage.citizen_id.in_(ended.scalar_subquery()), OutboxMessage.created_at < cutoff,
        OutboxMessage.status.not_in(_IN_FLIGHT)), execution_options=_QUIET)
    # The fake operator keys by the number as on the wire: digits without "+".
    fake = session.execute(sa.delete(FakeSms).where(
        FakeSms.msisdn.in_(phones.scalar_subquery()), FakeSms.created_at < cutoff), execution_options=_QUIET)
    return {"inbound_messages": inbound.rowcount, "outbox": outbox.rowcount, "fake_sms": fake.rowcount}


def delete_login_failures_before(session: Session, cutoff: datetime) -> int:
    return session.execute(sa.delete(LoginFailure).where(LoginFailure.failed_at < cutoff),
                           execution_options=_QUIET).rowcount
