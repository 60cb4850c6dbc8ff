"""Outbox queries: store, claim in order per recipient, record the result and delivery reports."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from bot.core.vocabulary import OutboxStatus
from bot.db.claims import claim_rows
from bot.db.models import OutboxMessage

PENDING = (OutboxStatus.QUEUED, OutboxStatus.SENDING)
# The gateway's final report statuses (its own words, upper case) -> ours.
FINAL_REPORT_STATUSES = {"DELIVERED": OutboxStatus.DELIVERED, "UNDELIVERED": OutboxStatus.UNDELIVERED,
                         "REJECTED": OutboxStatus.FAILED, "EXPIRED": OutboxStatus.UNDELIVERED,
                         "SKIPPED": OutboxStatus.FAILED}


def add_message(session: Session, **fields) -> OutboxMessage:
    message = OutboxMessage(**fields)
    session.add(message)
    session.flush()
    return message


def claim_due(session: Session, now: datetime, limit: int = 20) -> list[OutboxMessage]:
    """The oldest due message of each recipient whose earlier messages are all out: order is kept,
    and a failing message holds back the ones after it. Safe with several dispatchers: PostgreSQL
    skips rows another transaction holds; the conditional UPDATE refuses a row already claimed."""
    earlier = aliased(OutboxMessage)
    blocked = (
        sa.select(earlier.id)
        .where(earlier.msisdn == OutboxMessage.msisdn, earlier.id < OutboxMessage.id, earlier.status.in_(PENDING))
        .exists()
    )
    query = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now, ~blocked)
        .order_by(OutboxMessage.id)
        .limit(limit)
    )
    values = dict(status=OutboxStatus.SENDING, attempts=OutboxMessage.attempts + 1, status_at=now)
    return claim_rows(session, OutboxMessage, query, queued=OutboxStatus.QUEUED, values=values)


def mark_sent(session: Session, message_id: int, provider_id: str, now: datetime) -> None:
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id)
        .values(provider_id=provider_id, sent_at=now, last_error=None)
    )
    # A delivery report may already have arrived (it can beat the gateway's answer); keep it.
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING)
        .values(status=OutboxStatus.SENT, status_at=now)
    )


def mark_failed(session: Session, message_id: int, error: str, retry_at: datetime | None, now: datetime) -> None:
    """retry_at None gives up (status failed); otherwise the message waits in the queue."""
    values = {"last_error": error[:500], "status_at": now}
    values.update({"status": OutboxStatus.QUEUED, "next_attempt_at": retry_at} if retry_at
                  else {"status": OutboxStatus.FAILED})
    session.execute(sa.update(OutboxMessage).where(OutboxMessage.id == message_id).values(**values))


def release_stale(session: Session, now: datetime, older_than: timedelta = timedelta(minutes=5)) -> int:
    """A dispatcher that died mid-send leaves rows in 'sending'; put them back in the queue."""
    return session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.status_at < now - older_than)
        .values(status=OutboxStatus.QUEUED, next_attempt_at=now)
    ).rowcount


def apply_delivery_report(
    session: Session, provider_id: str, userref: str | None, status: str, now: datetime
) -> OutboxMessage | None:
    """Found by the gateway's id, or by our own id (userref) when the report beat the send answer."""
    message = session.execute(
        sa.select(OutboxMessage).where(OutboxMessage.provider_id == provider_id)
    ).scalar_one_or_none()
    if message is None and userref and str(userref).isdigit():
        message = session.get(OutboxMessage, int(userref))
        if message is not None and message.provider_id not in (None, provider_id):
            message = None
    if message is None:
        return None
    message.provider_id = provider_id
    new_status = FINAL_REPORT_STATUSES.get(status.upper())
    if new_status:
        message.status = new_status
        message.status_at = now
    return message


def list_for_citizen(session: Session, citizen_id: int, limit: int = 500) -> list[OutboxMessage]:
    return list(
        session.execute(
            sa.select(OutboxMessage)
            .where(OutboxMessage.citizen_id == citizen_id)
            .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
            .limit(limit)
        ).scalars()
    )


def list_for_msisdn(session: Session, msisdn: str) -> list[OutboxMessage]:
    return list(
        session.execute(sa.select(OutboxMessage).where(OutboxMessage.msisdn == msisdn).order_by(OutboxMessage.id))
        .scalars()
    )
