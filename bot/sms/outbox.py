"""Putting an SMS in the outbox: normalised to GSM-7, segments counted, and proactive messages to
a citizen who sent STOP stored as 'suppressed' instead of being sent."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.vocabulary import CitizenStatus, OutboxStatus
from bot.db import outbox as outbox_db
from bot.db.citizens import citizen_by_phone
from bot.db.models import OutboxMessage
from bot.sms.gsm import segments, to_gsm7

PURPOSES = ("reply", "proactive", "notification")


def queue_sms(session: Session, msisdn: str, text: str, *, purpose: str, now: datetime) -> OutboxMessage:
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    body = to_gsm7(text)
    citizen = citizen_by_phone(session, msisdn)
    suppressed = purpose == "proactive" and citizen is not None and citizen.status == CitizenStatus.OPTED_OUT
    return outbox_db.add_message(
        session,
        citizen_id=citizen.id if citizen else None,
        msisdn=msisdn,
        purpose=purpose,
        text=body,
        segments=segments(body),
        status=OutboxStatus.SUPPRESSED if suppressed else OutboxStatus.QUEUED,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
