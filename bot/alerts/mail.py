"""E-mail notifications over SMTP (smtplib), configured by SMTP_* environment variables."""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import make_msgid

from sqlalchemy.orm import Session

from bot.alerts.notifier import Notification


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
    def __init__(self, settings: SmtpSettings):
        self.settings = settings

    def _connect(self) -> smtplib.SMTP:
        s = self.settings
        if s.security == "ssl":
            return smtplib.SMTP_SSL(s.host, s.port, timeout=s.timeout, context=ssl.create_default_context())
        smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
        if s.security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        return smtp

    def send(self, session: Session, notification: Notification) -> bool:
        if not notification.email:
            return False
        message = EmailMessage()
        message["From"] = self.settings.sender
        message["To"] = notification.email
        message["Subject"] = notification.subject
        message["Message-ID"] = make_msgid(domain=self.settings.sender.rpartition("@")[2] or None)
        message.set_content(notification.text)
        with self._connect() as smtp:
            if self.settings.user:
                smtp.login(self.settings.user, self.settings.password or "")
            smtp.send_message(message)
        return True
