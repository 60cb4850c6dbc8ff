"""E-mail outbox queries: store a notification e-mail, claim due ones for sending, record the outcome.
Each function is one short step in its caller's transaction; nothing here talks to a mail server."""
from __future__ import annotations

from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from bot.core.vocabulary import EmailStatus
from bot.db.claims import claim_rows
from bot.db.models import EmailOutboxMessage


def add_email(session: Session, *, recipient: str, subject: str, body: str, now: datetime) -> EmailOutboxMessage:
    """Queued, due at once."""
    message = EmailOutboxMessage(recipient=recipient, subject=subject, body=body, status=EmailStatus.QUEUED, attempts=0,
                                 next_attempt_at=now, created_at=now)
    session.add(message)
    session.flush()
    return message


def claim_due(session: Session, now: datetime, claimed_at: datetime, limit: int = 10) -> list[EmailOutboxMessage]:
    """Queued e-mails due at `now`, oldest first, marked 'sending' with one more attempt. Safe with
    several dispatchers: PostgreSQL skips rows another transaction holds; the conditional UPDATE
    refuses a row already claimed (SQLite)."""
    query = (
        sa.select(EmailOutboxMessage)
        .where(EmailOutboxMessage.status == EmailStatus.QUEUED, EmailOutboxMessage.next_attempt_at <= now)
        .order_by(EmailOutboxMessage.id)
        .limit(limit)
    )
    values = dict(status=EmailStatus.SENDING, attempts=EmailOutboxMessage.attempts + 1, claimed_at=claimed_at)
    return claim_rows(session, EmailOutboxMessage, query, queued=EmailStatus.QUEUED, values=values)


def mark_sent(session: Session, message_id: int, now: datetime) -> None:
    session.execute(
        sa.update(EmailOutboxMessage)
        .where(EmailOutboxMessage.id == message_id)
        .values(status=EmailStatus.SENT, sent_at=now, last_error=None)
    )


def mark_failed(session: Session, message_id: int, error: str, retry_at: datetime | None) -> None:
    """retry_at None gives up (status 'failed'); otherwise the e-mail waits in the queue until then."""
    values = {"last_error": error[:500]}
    values.update({"status": EmailStatus.QUEUED, "next_attempt_at": retry_at} if retry_at
                  else {"status": EmailStatus.FAILED})
    session.execute(sa.update(EmailOutboxMessage).where(EmailOutboxMessage.id == message_id).values(**values))


def release_stale(session: Session, now: datetime, older_than: timedelta) -> int:
    """A dispatcher that died mid-send leaves rows in 'sending'; put them back in the queue."""
    return session.execute(
        sa.update(EmailOutboxMessage)
        .where(EmailOutboxMessage.status == EmailStatus.SENDING, EmailOutboxMessage.claimed_at < now - older_than)
        .values(status=EmailStatus.QUEUED, next_attempt_at=now)
    ).rowcount


def list_emails(session: Session, status: str | None = None) -> list[EmailOutboxMessage]:
    query = sa.select(EmailOutboxMessage).order_by(EmailOutboxMessage.id)
    if status is not None:
        query = query.where(EmailOutboxMessage.status == status)
    return list(session.execute(query).scalars())
