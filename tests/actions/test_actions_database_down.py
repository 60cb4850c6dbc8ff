"""Custom actions while the coordination database is briefly down: the citizen gets a kind answer
instead of silence, and nothing unchecked is kept. Real databases only: a PostgreSQL URL on a
localhost port nothing listens on, or a SQLite file that goes away and comes back."""
import pytest
from rasa_sdk.executor import ActionExecutor, CollectingDispatcher

from actions import context
from actions.base import AnswersWhenDatabaseDown, CitizenAction
from actions.contact import ActionRequestContact
from actions.preparation import ValidatePreparationForm
from bot.core.texts import DATABASE_DOWN, for_language
from bot.db import alerts as alert_db
from bot.db.citizens import citizen_by_phone, create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from tests.outage import SqliteOutage, unreachable_postgres_url
from tests.trackers import DOMAIN, PHONE, slot_values, tracker


@pytest.fixture
def use_database(monkeypatch, clock):
    """Point the actions at a database; the previous one is restored afterwards."""
    monkeypatch.setattr(context, "_db", context._db)
    monkeypatch.setattr(context, "_clock", context._clock)
    opened = []

    def use(database: Database) -> Database:
        context.use(database, clock)
        opened.append(database)
        return database

    yield use
    for database in opened:
        database.dispose()


@pytest.fixture
def unreachable(use_database):
    return use_database(Database(unreachable_postgres_url()))


def texts(dispatcher: CollectingDispatcher) -> list:
    return [m.get("text") or m.get("response") for m in dispatcher.messages]


def test_every_action_the_server_registers_answers_when_the_database_is_down():
    executor = ActionExecutor()
    executor.register_package("actions")  # what `rasa run actions --actions actions` registers
    assert "action_request_contact" in executor.actions and "validate_checkin_form" in executor.actions
    unguarded = [name for name, run in executor.actions.items()
                 if not isinstance(run.__self__, AnswersWhenDatabaseDown)]
    assert unguarded == [], "base these on actions.base.CitizenAction or actions.forms.CitizenFormValidation"


async def test_contact_request_while_down_gets_the_kind_answer_then_works_when_back(sqlite_db, use_database):
    def make(session):
        coordinator, _ = create_coordinator(session, "Mette")
        return create_citizen(session, name="Bente", phone=PHONE, coordinator_id=coordinator.id).id

    citizen_id = sqlite_db.call(make)
    use_database(sqlite_db)
    outage = SqliteOutage(sqlite_db.url)
    await outage.down()

    dispatcher = CollectingDispatcher()
    events = await ActionRequestContact().run(dispatcher, tracker("ring til mig", intent="request_contact"), DOMAIN)
    assert texts(dispatcher) == [DATABASE_DOWN] and events == []

    await outage.up()
    dispatcher = CollectingDispatcher()
    await ActionRequestContact().run(dispatcher, tracker("ring til mig", intent="request_contact"), DOMAIN)
    assert texts(dispatcher) == ["utter_contact_confirmed"]
    assert [a.rule for a in sqlite_db.call(alert_db.list_alerts, citizen_id=citizen_id)] == ["contact_request"]


async def test_form_answer_while_down_is_not_kept_so_the_question_is_asked_again(unreachable):
    dispatcher = CollectingDispatcher()
    t = tracker("At jeg kan få hjælp til økonomien", requested_slot="prep_topics",
                active_loop="preparation_form", slots={"prep_appointment_id": 1})
    events = await ValidatePreparationForm().run(dispatcher, t, DOMAIN)
    assert texts(dispatcher) == [DATABASE_DOWN]
    assert slot_values(events) == {"prep_topics": None}


class SaysThenSaves(CitizenAction):
    """Says something before its database call fails, as a confirmation written too early would."""

    def name(self) -> str:
        return "action_test_says_then_saves"

    async def run(self, dispatcher, tracker, domain):
        dispatcher.utter_message(text="Mette ringer til dig.")
        await context.db().run(citizen_by_phone, tracker.sender_id)
        return []


async def test_what_an_action_said_before_the_failure_is_not_sent(unreachable):
    dispatcher = CollectingDispatcher()
    events = await SaysThenSaves().run(dispatcher, tracker("ring til mig"), DOMAIN)
    assert texts(dispatcher) == [DATABASE_DOWN] and events == []


@pytest.mark.parametrize("metadata, language", [({"language": "en"}, "en"), ({"language": "da"}, "da"),
                                                ({"language": "ar"}, "da"),  # ar.yml has no DATABASE_DOWN
                                                (None, "da")])  # a proactive turn: no metadata
async def test_the_kind_answer_is_in_the_citizens_language_from_the_message(unreachable, metadata, language):
    """The database cannot say the citizen's language now: the gate's metadata does."""
    t = tracker("call me", intent="request_contact")
    t.latest_message["metadata"] = metadata
    dispatcher = CollectingDispatcher()
    await ActionRequestContact().run(dispatcher, t, DOMAIN)
    assert texts(dispatcher) == [for_language("DATABASE_DOWN", language)]
    assert (texts(dispatcher) == [DATABASE_DOWN]) is (language == "da")
