"""The inbound-message log (registered citizens only)."""
from __future__ import annotations

from datetime import datetime

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
