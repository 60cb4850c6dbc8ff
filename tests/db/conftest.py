"""Fixtures the notification tests share: a real SMTP server (aiosmtpd) on a local port."""
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from bot.alerts.mail import SmtpSettings
from tests.ports import free_port


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, message_from_bytes(envelope.content, policy=policy.default)))
        return "250 OK"


@pytest.fixture
def smtp():
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    yield inbox, SmtpSettings(host="127.0.0.1", port=controller.port, security="none", sender="alarm@kommune.dk")
    controller.stop()
