"""Outbox queries: store, claim in order per recipient, hold what may no longer go, record the
result and delivery reports. Statuses only move forward: queued -> sending -> sent -> delivered /
undelivered / failed, or queued -> suppressed; a final status is never changed again
(docs/decisions.md, "SMS integrity")."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from bot.core.vocabulary import OutboxStatus
from bot.db.claims import claim_rows
from bot.db.models import Citizen, OutboxMessage

PENDING = (OutboxStatus.QUEUED, OutboxStatus.SENDING)
FINAL = (OutboxStatus.DELIVERED, OutboxStatus.UNDELIVERED, OutboxStatus.FAILED, OutboxStatus.SUPPRESSED)
# The gateway's final report statuses (its own words, upper case) -> ours. UNDELIVERABLE and
# DELETED are the SMPP final states GatewayAPI passes on; UNDELIVERED is kept for older reports.
FINAL_REPORT_STATUSES = {"DELIVERED": OutboxStatus.DELIVERED, "UNDELIVERED": OutboxStatus.UNDELIVERED,
                         "UNDELIVERABLE": OutboxStatus.UNDELIVERED, "REJECTED": OutboxStatus.FAILED,
                         "EXPIRED": OutboxStatus.UNDELIVERED, "DELETED": OutboxStatus.FAILED,
                         "SKIPPED": OutboxStatus.FAILED}
NO_CITIZEN = None  # key of `reasons` below for a message whose recipient is no citizen (erased)


def add_message(session: Session, **fields) -> OutboxMessage:
    message = OutboxMessage(**fields)
    session.add(message)
    session.flush()
    return message


def claim_due(session: Session, now: datetime, limit: int = 20) -> list[OutboxMessage]:
    """The oldest due message of each recipient whose earlier messages are all out: order is kept,
    and a failing message holds back the ones after it. So a claim never holds two messages of one
    recipient, and the dispatcher may send a claim's messages at once. Safe with several
    dispatchers: PostgreSQL skips rows another transaction holds; the conditional UPDATE refuses a
    row already claimed."""
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


def hold_queued(session: Session, purpose: str, reasons: Mapping[str | None, str], now: datetime) -> int:
    """Every queued message of `purpose` whose citizen has a status in `reasons` (NO_CITIZEN: none)
    becomes 'suppressed' with that reason, due or not: it must neither go later nor hold back the
    messages after it (a STOP's own confirmation). Returns how many.

    Asked on every dispatcher round, so it is one read (no write lock on SQLite) that finds the few
    rows to hold, and an UPDATE only when there are some: the queue's proactive messages are looked
    at once per round, never once each (issue 13)."""
    citizen_status = sa.select(Citizen.status).where(Citizen.id == OutboxMessage.citizen_id).scalar_subquery()
    statuses = [s for s in reasons if s is not NO_CITIZEN]
    whose = citizen_status.in_(statuses)
    if NO_CITIZEN in reasons:
        whose = sa.or_(whose, OutboxMessage.citizen_id.is_(None))
    found = session.execute(
        sa.select(OutboxMessage.id, OutboxMessage.citizen_id, citizen_status)
        .where(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.purpose == purpose, whose)
    ).all()
    held = 0
    for message_id, citizen_id, status in found:
        reason = reasons[NO_CITIZEN if citizen_id is None else status]
        held += session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.QUEUED)
            .values(status=OutboxStatus.SUPPRESSED, suppressed_reason=reason, status_at=now)
            .execution_options(synchronize_session=False)
        ).rowcount
    return held


def claimed_with_citizen_status(session: Session, message_ids: list[int]) -> list[tuple[OutboxMessage, str | None]]:
    """The messages of `message_ids` this dispatcher claimed (still 'sending') and their citizens'
    status now, in one query; a message gone (its citizen was erased) or no longer claimed is left out."""
    rows = session.execute(
        sa.select(OutboxMessage, Citizen.status)
        .outerjoin(Citizen, Citizen.id == OutboxMessage.citizen_id)
        .where(OutboxMessage.id.in_(message_ids), OutboxMessage.status == OutboxStatus.SENDING)
    ).all()
    return [(row[0], row[1]) for row in rows]


def hold_claimed(session: Session, message_id: int, reason: str, now: datetime) -> None:
    """A claimed message that may not go after all: never handed to the operator, so the claim's
    attempt is taken back (a delivery report needs a real attempt)."""
    session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING)
        .values(status=OutboxStatus.SUPPRESSED, suppressed_reason=reason, status_at=now,
                attempts=OutboxMessage.attempts - 1)
        .execution_options(synchronize_session=False)
    )


def _mark_sent_statement() -> sa.sql.Update:
    # A delivery report may already have arrived (it can beat the gateway's answer): its status is
    # kept. One statement: every CASE reads the row as it was before this UPDATE. Built once and
    # run for a whole batch as one executemany: compiled once, though psycopg2 still sends it once
    # per row (docs/performance.md, "Round 5").
    table = OutboxMessage.__table__
    now = sa.bindparam("sent_now", type_=OutboxMessage.status_at.type)
    sending = table.c.status == OutboxStatus.SENDING
    return (
        sa.update(table)
        .where(table.c.id == sa.bindparam("message_id"))
        .values(provider_id=sa.bindparam("gateway_id"), sent_at=now, last_error=None,
                status=sa.case((sending, sa.literal(OutboxStatus.SENT, table.c.status.type)), else_=table.c.status),
                status_at=sa.case((sending, now), else_=table.c.status_at))
    )


_MARK_SENT = _mark_sent_statement()


def mark_sent(session: Session, sent: list[tuple[int, str]], now: datetime) -> None:
    """Each (our id, the gateway's id) of a batch the gateway took, with the one prebuilt statement."""
    if sent:
        session.execute(_MARK_SENT, [{"message_id": message_id, "gateway_id": gateway_id, "sent_now": now}
                                     for message_id, gateway_id in sent])


def mark_failed(session: Session, message_id: int, error: str, retry_at: datetime | None, now: datetime) -> bool:
    """retry_at None gives up (status failed); otherwise the message waits in the queue. Only a
    message still 'sending': a delivery report that came first (the gateway took it, but its answer
    was lost) is kept. True when the status changed."""
    values = {"last_error": error[:500], "status_at": now}
    values.update({"status": OutboxStatus.QUEUED, "next_attempt_at": retry_at} if retry_at
                  else {"status": OutboxStatus.FAILED})
    return session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.id == message_id, OutboxMessage.status == OutboxStatus.SENDING)
        .values(**values)
    ).rowcount == 1


def release_stale(session: Session, now: datetime, older_than: timedelta) -> int:
    """A dispatcher that died mid-send leaves rows in 'sending'; put them back in the queue. One it
    had handed over is not sent again if the operator's delivery report (it names our id) came
    first: that moves it out of 'sending'."""
    return session.execute(
        sa.update(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.status_at < now - older_than)
        .values(status=OutboxStatus.QUEUED, next_attempt_at=now)
    ).rowcount


# Built once: a delivery report comes for every SMS sent (bot.db.citizens says why).
_REPORTED_BY_PROVIDER = (sa.select(OutboxMessage).where(OutboxMessage.provider_id == sa.bindparam("provider_id"))
                         .order_by(OutboxMessage.id).with_for_update())
_REPORTED = (sa.select(OutboxMessage)
             .where(sa.or_(OutboxMessage.provider_id == sa.bindparam("provider_id"),
                           sa.and_(OutboxMessage.id == sa.bindparam("ours"), OutboxMessage.provider_id.is_(None))))
             .order_by(OutboxMessage.id).with_for_update())


def apply_delivery_report(
    session: Session, provider_id: str, userref: str | None, status: str, now: datetime
) -> tuple[OutboxMessage | None, bool]:
    """(the message, whether its status changed). Found by the gateway's id, or by our own id
    (userref) when the report beat the send answer. Only a final report moves a status, only once,
    and only for a message handed to the operator (attempts > 0) that has no final status: a
    replayed or late report, or one naming a message that never left, changes nothing."""
    # The operator echoes our id; anything else ("²" is a digit to Python, a 30-digit number
    # overflows the column) names no message of ours.
    ref = str(userref or "")
    ours = int(ref) if ref.isascii() and ref.isdigit() and len(ref) <= 18 else None
    # One read for both ways of naming it (a report often beats the send answer, and then only our
    # id finds it): the gateway's id first, our id only for a message without another gateway id.
    if ours is None:
        statement, params = _REPORTED_BY_PROVIDER, {"provider_id": provider_id}
    else:
        statement, params = _REPORTED, {"provider_id": provider_id, "ours": ours}
    found = session.execute(statement, params).scalars().all()
    message = next((m for m in found if m.provider_id == provider_id), found[0] if found else None)
    if message is None:
        return None, False
    new_status = FINAL_REPORT_STATUSES.get(str(status).upper())
    if new_status is None or message.status in FINAL or message.attempts < 1:
        return message, False
    message.provider_id = provider_id
    message.status = new_status
    message.status_at = now
    session.flush()
    return message, True


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
