"""The inbound-message log (registered citizens only), and the operator ids already taken."""
from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import InboundMessage, SeenInboundId


def seen_key(channel: str, provider_id: str) -> str:
    """What is kept of an operator message id: its SHA-256 with the channel, so the table holds
    nothing that names a message or a phone in the operator's records (docs/decisions.md, "SMS
    integrity")."""
    return hashlib.sha256(f"{channel}:{provider_id}".encode()).hexdigest()


def was_seen(session: Session, channel: str, provider_id: str) -> bool:
    return session.get(SeenInboundId, seen_key(channel, provider_id)) is not None


def log_inbound(
    session: Session, citizen_id: int, *, channel: str, text: str, received_at: datetime, provider_id: str | None = None
) -> InboundMessage:
    """Raises IntegrityError for a provider id taken before, also when its message is gone: the
    id is recorded in seen_inbound_ids in the same transaction, which outlives the message."""
    if provider_id is not None:
        session.add(SeenInboundId(id_hash=seen_key(channel, provider_id), seen_at=received_at))
    message = InboundMessage(
        citizen_id=citizen_id, channel=channel, text=text, received_at=received_at, provider_id=provider_id
    )
    session.add(message)
    session.flush()
    return message


def mark_answered(session: Session, inbound_id: int, now: datetime) -> None:
    session.execute(sa.update(InboundMessage).where(InboundMessage.id == inbound_id,
                                                    InboundMessage.answered_at.is_(None))
                    .values(answered_at=now).execution_options(synchronize_session=False))


def claim_unanswered(session: Session, channel: str, received_before: datetime, received_after: datetime,
                     now: datetime, citizen_ids: Iterable[int] | None = None) -> list[InboundMessage]:
    """Messages of `channel` received in the window whose turn never finished, each taken by one
    caller only (a conditional update: two services running this at once never both get a row)."""
    candidates = session.execute(
        sa.select(InboundMessage.id).where(
            InboundMessage.channel == channel, InboundMessage.answered_at.is_(None),
            InboundMessage.received_at < received_before, InboundMessage.received_at >= received_after,
            sa.true() if citizen_ids is None else InboundMessage.citizen_id.in_(list(citizen_ids)))
        .order_by(InboundMessage.id).limit(500)
    ).scalars().all()
    taken = []
    for inbound_id in candidates:
        claimed = session.execute(
            sa.update(InboundMessage).where(InboundMessage.id == inbound_id, InboundMessage.answered_at.is_(None))
            .values(answered_at=now).execution_options(synchronize_session=False))
        if claimed.rowcount == 1:
            taken.append(session.get(InboundMessage, inbound_id))
    return taken


def texts_by_id(session: Session, inbound_ids: Iterable[int]) -> dict[int, str]:
    """The words of these stored messages (an alert's message on the alerts page); ids that are gone
    (erased, or past their retention) are simply missing."""
    ids = sorted({i for i in inbound_ids if i is not None})
    if not ids:
        return {}
    rows = session.execute(sa.select(InboundMessage.id, InboundMessage.text).where(InboundMessage.id.in_(ids)))
    return {row.id: row.text for row in rows}


def list_inbound(session: Session, citizen_id: int, limit: int = 500) -> list[InboundMessage]:
    """The newest messages, returned oldest first so they read as a conversation."""
    rows = session.execute(
        sa.select(InboundMessage)
        .where(InboundMessage.citizen_id == citizen_id)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(limit)
    ).scalars()
    return list(reversed(list(rows)))
