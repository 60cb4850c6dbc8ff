"""Fixtures the database tests share: a citizen with consent (the SMS outbox tests), two coordinators'
caseloads (the goal tests) and a real SMTP server (aiosmtpd) on a local port (the notification tests)."""
from collections.abc import Iterator
from contextlib import contextmanager
from email import message_from_bytes, policy

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from bot.alerts.mail import SmtpSettings
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from tests.conftest import T0
from tests.ports import free_port

PHONE = "+4512345678"


@contextmanager
def sql_sent(engine: sa.engine.Engine) -> Iterator[list[str]]:
    """The SQL the engine sends inside the block, in order, one line each and lower case. The pool's
    pre-ping does not go through the engine's cursor events, so it is not among them."""
    sent: list[str] = []

    def record(_conn, _cursor, statement, _params, _context, _executemany):
        sent.append(" ".join(statement.split()).lower())

    sa.event.listen(engine, "before_cursor_execute", record)
    try:
        yield sent
    finally:
        sa.event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def citizen(db, clock):
    def create(session):
        coordinator, _ = create_coordinator(session, "Mette")
        return create_citizen(session, name="Bente", phone=PHONE, coordinator_id=coordinator.id,
                              consent_at=clock.now())

    return db.call(create)


@pytest.fixture
def caseloads(db):
    """Mette's citizens Bente and Karen, and Ole's Otto (someone else's, for the scope checks):
    the coordinators' ids and the citizens' rows."""
    def create(session):
        mette, _ = create_coordinator(session, "Mette")
        ole, _ = create_coordinator(session, "Ole")
        bente = create_citizen(session, name="Bente", phone="+4512345678", coordinator_id=mette.id, consent_at=T0)
        karen = create_citizen(session, name="Karen", phone="+4512345679", coordinator_id=mette.id, consent_at=T0)
        otto = create_citizen(session, name="Otto", phone="+4512345670", coordinator_id=ole.id, consent_at=T0)
        return {"mette": mette.id, "ole": ole.id, "bente": bente, "karen": karen, "otto": otto}

    return db.call(create)


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
