"""An other_language alert points to the stored message (alerts.inbound_message_id, migration 0021):
the words keep their own retention, and erasing the citizen takes both. On SQLite and PostgreSQL."""
from datetime import timedelta

import sqlalchemy as sa

from bot.citizens.language import other_language_alert
from bot.core.language_detection import OtherLanguage
from bot.db import privacy as privacy_db
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.messages import log_inbound
from bot.db.models import Alert, Citizen, InboundMessage
from bot.db.retention import delete_messages
from tests.conftest import T0

ARABIC = OtherLanguage("ar", "arabisk", 0.99, True)


def wrote_arabic(session):
    coordinator, _ = create_coordinator(session, "Mette")
    citizen = create_citizen(session, name="Bente", phone="+4512345678", coordinator_id=coordinator.id, consent_at=T0)
    inbound = log_inbound(session, citizen.id, channel="sms", text="مرحبا كيف حالك", received_at=T0)
    alert = other_language_alert(session, citizen.id, ARABIC, inbound.id, T0)
    return citizen.id, alert.id


def test_the_message_s_retention_leaves_the_alert_without_the_words(db):
    citizen_id, alert_id = db.call(wrote_arabic)

    def end_course_and_purge(session):
        session.get(Citizen, citizen_id).course_ended_at = T0 + timedelta(days=1)
        session.flush()
        return delete_messages(session, T0 + timedelta(days=400), [citizen_id])

    assert db.call(end_course_and_purge)["inbound_messages"] == 1
    alert = db.call(lambda s: s.get(Alert, alert_id))
    assert alert is not None and alert.inbound_message_id is None and "arabisk" in alert.reason


def test_erasure_takes_the_alert_and_the_message(db):
    citizen_id, _ = db.call(wrote_arabic)
    db.call(lambda s: privacy_db.erase_citizen(s, s.get(Citizen, citizen_id), None, T0 + timedelta(days=1)))
    assert db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(Alert)).scalar()) == 0
    assert db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(InboundMessage)).scalar()) == 0
