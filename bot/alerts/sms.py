"""Coordinator notifications by SMS, through the outbox like every other SMS."""
from __future__ import annotations

from sqlalchemy.orm import Session

from bot.alerts.notifier import Notification
from bot.core.clock import Clock
from bot.sms.outbox import queue_sms


class SmsNotifier:
    def __init__(self, clock: Clock):
        self.clock = clock

    def send(self, session: Session, notification: Notification) -> bool:
        if not notification.phone:
            return False
        queue_sms(session, notification.phone, notification.text, purpose="notification", now=self.clock.now())
        return True
