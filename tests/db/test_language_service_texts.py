"""The service's own SMS to a citizen go out in the citizen's language (docs/languages.md): the change
of coordinator (with its handover meeting's time) and the web-chat link. On SQLite and PostgreSQL."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.citizens.chat_links import link_for_citizen, link_message
from bot.citizens.reassign import reassign
from bot.core.config import ProactiveSettings
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.models import OutboxMessage

CPH = ZoneInfo("Europe/Copenhagen")
SETTINGS = ProactiveSettings()
NOW = datetime(2026, 11, 24, 9, 0, tzinfo=CPH).astimezone(timezone.utc)
HANDOVER = datetime(2026, 12, 2, 13, 30, tzinfo=CPH)  # a Wednesday


@pytest.fixture
def people(db):
    def create(session):
        jens, _ = create_coordinator(session, "Jens")
        mette, _ = create_coordinator(session, "Mette")
        john = create_citizen(session, name="John", phone="+4512345671", coordinator_id=jens.id, consent_at=NOW)
        bente = create_citizen(session, name="Bente", phone="+4512345672", coordinator_id=jens.id, consent_at=NOW)
        hana = create_citizen(session, name="Hana", phone="+4512345673", coordinator_id=jens.id, consent_at=NOW)
        john.language, hana.language = "en", "ar"
        return jens, mette, john, bente, hana

    return db.call(create)


def sent_to(db, citizen) -> list[str]:
    return db.call(lambda s: list(s.execute(
        sa.select(OutboxMessage.text).where(OutboxMessage.citizen_id == citizen.id)).scalars()))


def test_a_change_of_coordinator_is_told_in_the_citizens_language(db, people):
    jens, mette, john, bente, hana = people
    for citizen in (john, bente, hana):
        db.call(lambda s, c=citizen: reassign(s, c.id, jens.id, mette.id, now=NOW, settings=SETTINGS,
                                              handover_at=HANDOVER))
    [english] = sent_to(db, john)
    assert english == ("Your new coordinator is Mette. Jens has passed your case on. "
                       "The three of you meet Wednesday 2 December at 13:30. You can write here as before.")
    [danish] = sent_to(db, bente)
    assert danish.startswith("Din nye koordinator hedder Mette.") and "onsdag 2. december kl. 13.30" in danish
    # Arabic has no such text yet: Danish, as every gap in a catalogue.
    assert sent_to(db, hana) == [danish]


def test_the_chat_link_sms_in_the_citizens_language(db, people):
    _, _, john, bente, _ = people

    def links(session):
        return [link_message(c, link_for_citizen(session, c, "https://borger.example", "s" * 32, NOW, timedelta(days=14)))
                for c in (john, bente)]

    english, danish = db.call(links)
    assert english.startswith("Here is your link, if you want to write to us online: https://borger.example/chat?token=")
    assert danish.startswith("Her er dit link, hvis du vil skrive med os på nettet: https://borger.example/chat?token=")
