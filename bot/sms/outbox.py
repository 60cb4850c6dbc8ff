"""Putting an SMS in the outbox: normalised to GSM-7, segments counted, and proactive messages to
a citizen who sent STOP stored as 'suppressed' instead of being sent. And what a message that never
arrives means: the citizen cannot be reached, an alert for their coordinator."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.alert_catalogue import Rule
from bot.core.vocabulary import CitizenStatus, OutboxStatus
from bot.db import alerts as alert_db
from bot.db import outbox as outbox_db
from bot.db.citizens import citizen_by_phone
from bot.db.models import Alert, OutboxMessage
from bot.sms.gsm import segments, to_gsm7

PURPOSES = ("reply", "proactive", "notification")
NOT_DELIVERED = (OutboxStatus.UNDELIVERED, OutboxStatus.FAILED)
UNREACHABLE_REASON = "Vi kan ikke nå borgeren på SMS (beskeden kunne ikke leveres). Ring eller tjek nummeret."


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


def record_undelivered(session: Session, message: OutboxMessage, now: datetime) -> Alert | None:
    """A message to a citizen that will never arrive (the outbox gave up, or the operator reported it
    undeliverable): a high alert for their coordinator, in the same transaction (docs/decisions.md,
    "Silence is a signal"). Not for notifications to staff, nor for suppressed messages; at most one
    open alert per citizen (Dedupe.ONE_OPEN)."""
    if message.citizen_id is None or message.purpose == "notification" or message.status not in NOT_DELIVERED:
        return None
    rule = Rule.UNREACHABLE
    if alert_db.open_alert(session, message.citizen_id, rule) is not None:
        return None
    return alert_db.add_alert(session, message.citizen_id, rule=rule, severity=rule.severity,
                              reason=UNREACHABLE_REASON, created_at=now)


def record_send_failure(session: Session, message_id: int, error: str, retry_at: datetime | None,
                        now: datetime) -> None:
    """The dispatcher's failed attempt: back in the queue until retry_at, or, without one, given up."""
    outbox_db.mark_failed(session, message_id, error, retry_at, now)
    if retry_at is None:
        # populate_existing: the status was set by an UPDATE statement, not on a loaded object.
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        if message is not None:
            record_undelivered(session, message, now)


def apply_delivery_report(session: Session, provider_id: str, userref: str | None, status: str,
                          now: datetime) -> OutboxMessage | None:
    """The gateway's delivery report; a final 'not delivered' raises the unreachable alert."""
    message = outbox_db.apply_delivery_report(session, provider_id, userref, status, now)
    if message is not None:
        record_undelivered(session, message, now)
    return message
