"""The interface every notification channel implements. Channels only queue (an SMS or e-mail
outbox row in the caller's transaction); their dispatchers send later, outside any transaction."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Notification:
    """What a coordinator (or the duty contact) is told. `text` never names the citizen or says
    anything about health."""

    coordinator_id: int | None  # None: the duty contact, who is not a coordinator
    email: str | None
    phone: str | None
    subject: str
    text: str


class Notifier(Protocol):
    def send(self, session: Session, notification: Notification) -> bool:
        """Queue the notification in `session`, the caller's transaction. Returns False when this
        channel has no address for the coordinator."""


class MultiNotifier:
    """Every channel the coordinator can be reached on (e.g. e-mail and SMS)."""

    def __init__(self, *notifiers: Notifier):
        self.notifiers = notifiers

    def send(self, session: Session, notification: Notification) -> bool:
        reached = False
        for notifier in self.notifiers:
            reached = notifier.send(session, notification) or reached
        return reached
