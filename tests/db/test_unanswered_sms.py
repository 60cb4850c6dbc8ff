"""An SMS turn lost with its Rasa server gets an apology (bot/sms/unanswered.py), on SQLite and
PostgreSQL, at times stated with the FixedClock: after UNANSWERED_SMS_SECONDS, once per citizen,
never for a turn that finished, for another channel or for a message older than an hour, and
exactly once when two services run the pass at the same moment."""
import threading
from datetime import timedelta

from bot.core.config import ProactiveSettings
from bot.core.texts import TURN_LOST
from bot.db import outbox as outbox_db
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from bot.db.messages import log_inbound, mark_answered
from bot.sms.unanswered import apologise_for_unanswered
from tests.db.conftest import PHONE

SETTINGS = ProactiveSettings()
AFTER = timedelta(seconds=SETTINGS.unanswered_sms_seconds)


def receive(db, citizen_id, at, channel="sms", provider_id=None):
    return db.call(lambda s: log_inbound(s, citizen_id, channel=channel, text="rød", received_at=at,
                                         provider_id=provider_id)).id


def apologise(db, at, citizen_ids=None) -> int:
    return db.call(apologise_for_unanswered, at, SETTINGS, citizen_ids)


def apologies(db, phone=PHONE) -> list[str]:
    return [m.text for m in db.call(outbox_db.list_for_msisdn, phone) if m.text == TURN_LOST]


def test_a_lost_turn_gets_one_apology_after_the_wait(db, clock, citizen):
    at = clock.now()
    receive(db, citizen.id, at, provider_id="mo-1")
    assert apologise(db, at + AFTER - timedelta(seconds=1)) == 0  # the turn may still be running
    assert apologise(db, at + AFTER + timedelta(seconds=1)) == 1
    assert apologise(db, at + AFTER + timedelta(minutes=5)) == 0
    assert apologies(db) == [TURN_LOST]


def test_a_finished_turn_another_channel_or_an_old_message_gets_none(db, clock, citizen):
    at = clock.now()
    answered = receive(db, citizen.id, at, provider_id="mo-1")
    db.call(mark_answered, answered, at + timedelta(seconds=1))
    receive(db, citizen.id, at, channel="webchat")  # the citizen sees at once that nothing came
    receive(db, citizen.id, at - timedelta(hours=1, seconds=1), provider_id="mo-0")
    assert apologise(db, at + AFTER + timedelta(seconds=1)) == 0
    assert apologies(db) == []


def test_several_lost_messages_of_one_citizen_get_one_apology_and_others_their_own(db, clock, citizen):
    at = clock.now()
    other = db.call(lambda s: create_citizen(s, name="Jens", phone="+4512345679",
                                             coordinator_id=create_coordinator(s, "Ole")[0].id, consent_at=at))
    receive(db, citizen.id, at, provider_id="mo-1")
    receive(db, citizen.id, at + timedelta(seconds=5), provider_id="mo-2")
    receive(db, other.id, at, provider_id="mo-3")
    assert apologise(db, at + AFTER + timedelta(seconds=10), citizen_ids=[citizen.id]) == 1
    assert apologies(db) == [TURN_LOST] and apologies(db, "+4512345679") == []
    assert apologise(db, at + AFTER + timedelta(seconds=10)) == 1
    assert apologies(db, "+4512345679") == [TURN_LOST]


def test_two_services_at_the_same_moment_send_one_apology(db, db_url, clock, citizen):
    at = clock.now()
    for n in range(5):
        receive(db, citizen.id, at + timedelta(seconds=n), provider_id=f"mo-{n}")
    barrier = threading.Barrier(2)
    counts = []

    def service():
        database = Database(db_url)  # each service its own engine, as two processes would have
        try:
            barrier.wait()
            counts.append(apologise(database, at + AFTER + timedelta(minutes=1)))
        finally:
            database.dispose()

    threads = [threading.Thread(target=service) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert apologies(db) == [TURN_LOST]
