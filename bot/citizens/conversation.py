"""A citizen's conversation as the coordinator sees it: what they wrote on any channel and every SMS
we sent (with its delivery status), oldest first."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.db import outbox as outbox_db
from bot.db.messages import list_inbound


@dataclass(frozen=True)
class Entry:
    at: datetime
    direction: str  # "in" | "out"
    channel: str
    text: str
    status: str  # "received" for inbound; the outbox status for outbound
    segments: int | None = None
    purpose: str | None = None
    attempts: int | None = None
    status_at: datetime | None = None
    suppressed_reason: str | None = None  # why a 'suppressed' SMS was never sent (bot/sms/outbox.py)


def conversation(session: Session, citizen_id: int) -> list[Entry]:
    entries = [Entry(m.received_at, "in", m.channel, m.text, "received") for m in list_inbound(session, citizen_id)]
    entries += [
        Entry(m.created_at, "out", "sms", m.text, m.status, m.segments, m.purpose, m.attempts, m.status_at,
              m.suppressed_reason)
        for m in outbox_db.list_for_citizen(session, citizen_id)
    ]
    return sorted(entries, key=lambda e: e.at)
