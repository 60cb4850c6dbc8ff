"""Every action test gets actions.context back as it was (tests/conftest.py, restore_action_context),
and the people the action tests share: Mette's citizen Bente on tests.trackers.PHONE, with
actions.context on the test's database; `citizen` is Bente in Danish and in English, with a meeting
(`appointment`) at STARTS."""
from datetime import datetime, timezone

import pytest

from actions import context
from bot.db.appointments import create_appointment
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from tests.conftest import T0
from tests.trackers import PHONE

STARTS = datetime(2026, 12, 2, 12, 30, tzinfo=timezone.utc)  # Copenhagen 13.30


@pytest.fixture(autouse=True)
def _restore_action_context(restore_action_context):
    pass


def _bente(db, clock, language: str | None = None):
    def make(session):
        coordinator, _ = create_coordinator(session, "Mette", phone="+4511223344")
        citizen = create_citizen(session, name="Bente", phone=PHONE, coordinator_id=coordinator.id)
        if language is not None:
            citizen.language = language
        return citizen

    context.use(db, clock)
    return db.call(make)


@pytest.fixture
def bente(db, clock):
    return _bente(db, clock)


@pytest.fixture(params=["da", "en"])
def citizen(request, db, clock):
    return _bente(db, clock, request.param)


@pytest.fixture
def appointment(db, citizen):
    return db.call(lambda s: create_appointment(s, citizen.id, kind="opfoelgning", starts_at=STARTS,
                                                created_at=T0, location="Rådhuset"))
