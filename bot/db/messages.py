"""The inbound-message log (registered citizens only)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.db.models import InboundMessage


def log_inbound(
    session: Session, citizen_id: int, *, channel: str, text: str, received_at: datetime, provider_id: str | None = None
) -> InboundMessage:
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
