"""What the gate tests share: one registered citizen, on SQLite and PostgreSQL."""
import pytest

from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from tests.conftest import T0

PHONE = "+4512345678"


@pytest.fixture
def citizen_id(db):
    def make(session):
        coordinator, _ = create_coordinator(session, "Mette")
        return create_citizen(session, name="Bente", phone=PHONE, coordinator_id=coordinator.id, consent_at=T0).id

    return db.call(make)
