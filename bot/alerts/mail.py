"""E-mail notifications through an outbox, like SMS: `EmailNotifier` only queues a row in the caller's
transaction (bot/db/email_outbox.py); `EmailDispatcher` sends the queue over SMTP (smtplib) afterwards.

The dispatcher never talks to the mail server while it holds a database transaction: it claims due
rows in one short transaction, sends them with the blocking smtplib calls on a worker thread
(asyncio.to_thread), and records each outcome in another short transaction. A failed send is retried
with exponential backoff; a recipient the server refuses for good (5xx) is not. Delivery is
at-least-once: a dispatcher that dies between the server's acceptance and the record of it leaves
the row 'sending', and it is sent again once its claim has gone stale. Configured by SMTP_*
environment variables (the README's table)."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import smtplib
import ssl
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage

from sqlalchemy.orm import Session

from bot.alerts.notifier import Notification
from bot.core.clock import Clock, process_clock
from bot.core.retry import backoff
from bot.db import email_outbox as email_db
from bot.db.database import Database
from bot.db.models import EmailOutboxMessage

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int = 587
    user: str | None = None
    password: str | None = None
    sender: str = "koordinering@localhost"
    security: str = "starttls"  # starttls | ssl | none
    timeout: float = 10.0

    @classmethod
    def from_env(cls, env: dict[str, str]) -> SmtpSettings | None:
        """None when SMTP_HOST is not set: e-mail notifications are off."""
        host = env.get("SMTP_HOST")
        if not host:
            return None
        security = env.get("SMTP_SECURITY", "starttls").lower()
        if security not in ("starttls", "ssl", "none"):
            raise ValueError("SMTP_SECURITY must be starttls, ssl or none")
        default_port = {"starttls": 587, "ssl": 465, "none": 25}[security]
        return cls(
            host=host,
            port=int(env.get("SMTP_PORT") or default_port),
            user=env.get("SMTP_USER") or None,
            password=env.get("SMTP_PASSWORD") or None,
            sender=env.get("SMTP_FROM") or "koordinering@localhost",
            security=security,
        )


class EmailNotifier:
    """Queues the notification in the caller's transaction; nothing is sent here."""

    def __init__(self, clock: Clock | None = None):
        self.clock = clock or process_clock()

    def send(self, session: Session, notification: Notification) -> bool:
        if not notification.email:
            return False
        email_db.add_email(session, recipient=notification.email, subject=notification.subject,
                           body=notification.text, now=self.clock.now())
        return True


@dataclass(frozen=True)
class _Refused:
    """The server refused one e-mail on a working connection."""

    error: str
    permanent: bool


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


class EmailDispatcher:
    def __init__(
        self,
        db: Database,
        settings: SmtpSettings,
        clock: Clock,
        *,
        max_attempts: int = 12,
        base_delay: timedelta = timedelta(seconds=30),
        max_delay: timedelta = timedelta(minutes=30),
        batch_size: int = 10,
        stale_after: timedelta = timedelta(minutes=15),
    ):
        self.db = db
        self.settings = settings
        self.clock = clock
        self.max_attempts = max_attempts
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.batch_size = batch_size
        # Longer than a whole batch can take with every SMTP step at its timeout, so a claim still
        # being worked on is never taken for a dead dispatcher's.
        self.stale_after = stale_after

    @classmethod
    def from_env(cls, db: Database, clock: Clock, env: dict[str, str] | None = None) -> EmailDispatcher | None:
        """None when SMTP is not configured (SMTP_HOST unset): e-mail is off."""
        settings = SmtpSettings.from_env(dict(os.environ if env is None else env))
        return cls(db, settings, clock) if settings else None

    def backoff(self, attempts: int) -> timedelta:
        return backoff(attempts, self.base_delay, self.max_delay)

    async def run_once(self, now: datetime | None = None) -> dict[str, int]:
        """Send every e-mail due at `now` (default: the clock). Stops early while the server fails,
        so a round does not wait out one connection timeout after another."""
        now = now or self.clock.now()
        counts = {"sent": 0, "retry": 0, "failed": 0}
        await self.db.run(email_db.release_stale, self.clock.now(), self.stale_after)
        while True:
            batch = await self.db.run(email_db.claim_due, now, self.clock.now(), limit=self.batch_size)
            if not batch:
                return counts
            await self._send_batch(batch, now, counts)
            if counts["retry"]:
                return counts

    async def run_forever(self, interval: float) -> None:
        while True:
            try:
                await self.run_once()
            except asyncio.CancelledError:
                raise
            except Exception:  # the loop must survive a database hiccup; the next round retries
                log.exception("e-mail outbox round failed")
            await asyncio.sleep(interval)

    async def _send_batch(self, batch: list[EmailOutboxMessage], now: datetime, counts: dict[str, int]) -> None:
        """One SMTP connection for the batch; each outcome is recorded as soon as it is known."""
        try:
            smtp = await asyncio.to_thread(self._open)
        except (smtplib.SMTPException, OSError) as exc:
            for message in batch:
                counts[await self._record(message, _Refused(_describe(exc), permanent=False), now)] += 1
            return
        cancelled = False
        try:
            for index, message in enumerate(batch):
                try:
                    refused = await asyncio.to_thread(self._send_one, smtp, message)
                except (smtplib.SMTPException, OSError) as exc:
                    # The connection broke: this e-mail and the rest of the batch wait for a retry.
                    for waiting in batch[index:]:
                        counts[await self._record(waiting, _Refused(_describe(exc), permanent=False), now)] += 1
                    return
                counts[await self._record(message, refused, now)] += 1
        except asyncio.CancelledError:
            # A send may still be running on its thread: the connection is left to it, not closed
            # under it; the unrecorded rows stay 'sending' until their claim goes stale.
            cancelled = True
            raise
        finally:
            if not cancelled:
                await asyncio.to_thread(self._close, smtp)

    async def _record(self, message: EmailOutboxMessage, refused: _Refused | None, now: datetime) -> str:
        if refused is None:
            await self.db.run(email_db.mark_sent, message.id, now)
            return "sent"
        give_up = refused.permanent or message.attempts >= self.max_attempts
        retry_at = None if give_up else now + self.backoff(message.attempts)
        await self.db.run(email_db.mark_failed, message.id, refused.error, retry_at)
        log.warning("e-mail outbox %s attempt %s failed%s: %s", message.id, message.attempts,
                    "; giving up" if give_up else "", refused.error)
        return "failed" if give_up else "retry"

    # --- blocking smtplib calls: only ever run on a worker thread, never in a transaction ---

    def _open(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            smtp = smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        else:
            smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        try:
            if s.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if s.user:
                smtp.login(s.user, s.password or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def _compose(self, message: EmailOutboxMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self.settings.sender
        email["To"] = message.recipient
        email["Subject"] = message.subject
        # The same Message-ID on every attempt, so a resend after a crash can be recognised.
        domain = self.settings.sender.rpartition("@")[2] or "localhost"
        email["Message-ID"] = f"<email-outbox.{message.id}.{message.created_at:%Y%m%d%H%M%S}@{domain}>"
        email.set_content(message.body)
        return email

    def _send_one(self, smtp: smtplib.SMTP, message: EmailOutboxMessage) -> _Refused | None:
        """None when the server accepted it; a refusal of this one e-mail; raises when the connection
        failed (the caller retries the rest of the batch later)."""
        try:
            email = self._compose(message)
        except (ValueError, TypeError) as exc:  # e.g. an address that cannot be put in a header
            return _Refused(_describe(exc), permanent=True)
        try:
            smtp.send_message(email)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            return _Refused(_describe(exc), permanent=bool(codes) and min(codes) >= 500)
        except (smtplib.SMTPSenderRefused, smtplib.SMTPDataError) as exc:
            return _Refused(_describe(exc), permanent=exc.smtp_code >= 500)
        except smtplib.SMTPNotSupportedError as exc:  # e.g. a non-ASCII address the server cannot take
            return _Refused(_describe(exc), permanent=True)
        return None

    @staticmethod
    def _close(smtp: smtplib.SMTP) -> None:
        with contextlib.suppress(smtplib.SMTPException, OSError):
            smtp.quit()
        smtp.close()
