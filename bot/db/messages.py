"""The inbound-message log (registered citizens only), and the operator ids already taken."""
from __future__ import annotations

import hashlib
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


def list_inbound(session: Session, citizen_id: int, limit: int = 500) -> list[InboundMessage]:
    """The newest messages, returned oldest first so they read as a conversation."""
    rows = session.execute(
        sa.select(InboundMessage)
        .where(InboundMessage.citizen_id == citizen_id)
        .order_by(InboundMessage.received_at.desc(), InboundMessage.id.desc())
        .limit(limit)
    ).scalars()
    return list(reversed(list(rows)))
