"""The interface every notification channel implements (e-mail here; SMS through the outbox)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Notification:
    """What a coordinator is told. `text` never names the citizen or says anything about health."""

    coordinator_id: int
    email: str | None
    phone: str | None
    subject: str
    text: str


class Notifier(Protocol):
    def send(self, session: Session, notification: Notification) -> bool:
        """Deliver or queue the notification. Returns False when this channel has no address for the
        coordinator; raises when delivery failed and should be retried on the next run.
        `session` is the caller's transaction, so an SMS notifier can write its outbox row in it."""


class MultiNotifier:
    """Every channel the coordinator can be reached on (e.g. e-mail and SMS)."""

    def __init__(self, *notifiers: Notifier):
        self.notifiers = notifiers

    def send(self, session: Session, notification: Notification) -> bool:
        reached = False
        for notifier in self.notifiers:
            reached = notifier.send(session, notification) or reached
        return reached
