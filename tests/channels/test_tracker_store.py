"""Our tracker store (bot/channels/tracker_store.py) against Rasa's own SQL store on the same database,
SQLite and PostgreSQL: whatever the cache hands out is what Rasa's own read of the database gives,
also after another Rasa server wrote, after an erasure (bot/db/tracker_events.py, as the service erases)
and after a restart; and it saves the same rows Rasa's save would."""
from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, BotUttered, SessionStarted, SlotSet, UserUttered

from bot.channels.tracker_store import CachingSQLTrackerStore
from bot.db.tracker_events import TrackerEvents
from tests.conftest import POSTGRES, throwaway_postgres

ROOT = Path(__file__).resolve().parents[2]
SENDER = "+4512345678"


@pytest.fixture(scope="module")
def domain():
    return Domain.load(str(ROOT / "domain.yml"))


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'tracker.db'}"
        return
    if not POSTGRES:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    with throwaway_postgres("tracker") as database:
        yield database


def store(url: str, domain: Domain, cls=CachingSQLTrackerStore, **kwargs) -> SQLTrackerStore:
    """A store as Rasa makes it from endpoints.yml (a full URL in `url` is taken as it is)."""
    if url.startswith("sqlite"):
        made = cls(domain=domain, dialect="sqlite", db=url.removeprefix("sqlite:///"), **kwargs)
    else:
        made = cls(domain=domain, dialect="postgresql", host=url, **kwargs)
    return made


def run(coro):
    return asyncio.run(coro)


def turn(tracker, text: str, answer: str) -> None:
    """One turn's events, as Rasa's processor adds them."""
    tracker.update(UserUttered(text, intent={"name": "checkin", "confidence": 0.9}))
    tracker.update(ActionExecuted("action_start_checkin"))
    tracker.update(SlotSet("checkin_programme", text))
    tracker.update(BotUttered(answer))
    tracker.update(ActionExecuted("action_listen"))


def new_conversation(s: SQLTrackerStore, sender: str = SENDER):
    """A first contact as the processor makes it: get_or_create_tracker, a session start, a turn."""
    tracker = run(s.get_or_create_tracker(sender, append_action_listen=False))
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "tjek ind", "Hvordan går det?")
    run(s.save(tracker))
    return tracker


def rasas_read(url: str, domain: Domain, sender: str = SENDER):
    return run(store(url, domain, cls=SQLTrackerStore).retrieve(sender))


def same(a, b) -> None:
    """The same tracker as far as a turn can tell: events, slots, active loop, latest message."""
    assert (a is None) == (b is None)
    if a is None:
        return
    assert [e.as_dict() for e in a.events] == [e.as_dict() for e in b.events]
    assert a.current_slot_values() == b.current_slot_values()
    assert a.active_loop == b.active_loop and a.latest_message == b.latest_message
    assert a.latest_action == b.latest_action and a.followup_action == b.followup_action


def test_cached_read_is_rasas_read_and_saves_rasas_rows(url, domain):
    ours = store(url, domain)
    new_conversation(ours)
    for i in range(3):
        hits = ours.hits
        tracker = run(ours.retrieve(SENDER))
        # A read after a save is a hit, also after the first contact (whose save started the session).
        assert ours.hits == hits + 1
        same(tracker, rasas_read(url, domain))
        turn(tracker, f"svar {i}", f"spørgsmål {i}")
        run(ours.save(tracker))
    rows = TrackerEvents(url).for_sender(SENDER)
    # The same rows Rasa's own save writes: one per event, each event once.
    assert len(rows) == len(run(store(url, domain, cls=SQLTrackerStore).retrieve_full_tracker(SENDER)).events)
    assert len(rows) == 1 + len(rasas_read(url, domain).events)  # action_session_start precedes the session


def test_another_servers_turn_is_seen(url, domain):
    one, two = store(url, domain), store(url, domain)
    new_conversation(one)
    run(one.save(run(one.retrieve(SENDER))))  # cached on server one
    # The citizen's next message lands on server two (deploy/endpoints.yml: both share PostgreSQL).
    elsewhere = run(two.retrieve(SENDER))
    turn(elsewhere, "rød", "Hvilke områder?")
    run(two.save(elsewhere))
    tracker = run(one.retrieve(SENDER))
    same(tracker, rasas_read(url, domain))
    assert any(getattr(e, "text", None) == "rød" for e in tracker.events)
    # ... and server one's next save appends after server two's events, not over them.
    turn(tracker, "2 og 5", "Tak")
    run(one.save(tracker))
    same(run(two.retrieve(SENDER)), rasas_read(url, domain))
    texts = [e.text for e in rasas_read(url, domain).events if isinstance(e, UserUttered)]
    assert texts == ["tjek ind", "rød", "2 og 5"]


def test_erasure_is_seen(url, domain):
    ours = store(url, domain)
    new_conversation(ours)
    run(ours.save(run(ours.retrieve(SENDER))))
    assert TrackerEvents(url).delete_sender(SENDER) > 0  # the service's erasure (bot/citizens/privacy.py)
    assert run(ours.retrieve(SENDER)) is None
    assert rasas_read(url, domain) is None


def test_erasure_during_a_turn_does_not_bring_the_conversation_back(url, domain):
    ours = store(url, domain)
    new_conversation(ours)
    run(ours.save(run(ours.retrieve(SENDER))))
    tracker = run(ours.retrieve(SENDER))  # a turn is in progress ...
    TrackerEvents(url).delete_sender(SENDER)  # ... when the erasure deletes the conversation
    turn(tracker, "gul", "Tak")
    run(ours.save(tracker))  # Rasa's own rule decides what is appended then (its count)
    # The next read is the database's, never the tracker from before the erasure.
    same(run(ours.retrieve(SENDER)), rasas_read(url, domain))


def test_retention_and_renumbering_are_seen(url, domain):
    ours = store(url, domain)
    new_conversation(ours)
    run(ours.save(run(ours.retrieve(SENDER))))
    assert TrackerEvents(url).move_sender(SENDER, "+4587654321") > 0
    assert run(ours.retrieve(SENDER)) is None
    same(run(ours.retrieve("+4587654321")), rasas_read(url, domain, "+4587654321"))


def test_restart_reads_the_database(url, domain):
    before = store(url, domain)
    new_conversation(before)
    tracker = run(before.retrieve(SENDER))
    turn(tracker, "nej", "Tak")
    run(before.save(tracker))
    after = store(url, domain)  # a new process: nothing cached
    same(run(after.retrieve(SENDER)), rasas_read(url, domain))
    assert after.misses == 1 and after.hits == 0


def test_a_tracker_is_handed_out_once_and_changes_after_the_save_stay_out(url, domain):
    ours = store(url, domain)
    new_conversation(ours)
    run(ours.save(run(ours.retrieve(SENDER))))
    first = run(ours.retrieve(SENDER))
    second = run(ours.retrieve(SENDER))  # e.g. a second reader while a turn holds the first
    assert first is not second
    turn(first, "tjek ind", "Hvordan går det?")
    run(ours.save(first))
    turn(first, "not saved", "never stored")  # the turn's tracker after its save
    tracker = run(ours.retrieve(SENDER))
    same(tracker, rasas_read(url, domain))
    assert not any(getattr(e, "text", None) == "not saved" for e in tracker.events)


def test_a_new_session_is_cached_as_rasa_reads_it(url, domain):
    ours = store(url, domain)
    new_conversation(ours)
    tracker = run(ours.retrieve(SENDER))
    turn(tracker, "første", "svar")
    run(ours.save(tracker))
    tracker = run(ours.retrieve(SENDER))
    # The session expired: the processor appends a session start to the tracker it read.
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    turn(tracker, "anden session", "svar")
    run(ours.save(tracker))
    hits = ours.hits
    read = run(ours.retrieve(SENDER))
    assert ours.hits == hits + 1
    same(read, rasas_read(url, domain))
    assert [e.text for e in read.events if isinstance(e, UserUttered)] == ["anden session"]


def test_the_cache_is_bounded(url, domain):
    ours = store(url, domain, cache_size=2)
    for i in range(4):
        new_conversation(ours, f"+45100000{i:02d}")
        run(ours.save(run(ours.retrieve(f"+45100000{i:02d}"))))
    assert list(ours._cache) == ["+4510000002", "+4510000003"]
    same(run(ours.retrieve("+4510000000")), rasas_read(url, domain, "+4510000000"))


def test_engines(url, domain):
    ours = store(url, domain)
    if url.startswith("sqlite"):
        with ours.engine.connect() as conn:  # bot/db/database.py's engine: WAL
            assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    else:
        assert ours.engine.pool._pre_ping  # survives a PostgreSQL outage


def test_a_long_save_is_inserted_as_rasas_rows(url, domain):
    """More new events than psycopg2 puts in one INSERT (execute_values' page of 1,000 rows): every
    row as Rasa's own save writes it
    (column by column, against the same conversation saved by Rasa's store), in order, and the key
    the save cached is the database's (the next read is a hit)."""
    import sqlalchemy as sa

    page = 1000
    ours, rasas = store(url, domain), store(url, domain, cls=SQLTrackerStore)
    other = "+4587654321"
    trackers = {}
    for s, sender in ((ours, SENDER), (rasas, other)):
        tracker = run(s.get_or_create_tracker(sender, append_action_listen=False))
        tracker.update(ActionExecuted("action_session_start"))
        tracker.update(SessionStarted())
        for i in range(page // 5 + 30):  # 5 events a turn: over one page
            turn(tracker, f"svar {i}", f"spørgsmål {i}")
        trackers[sender] = tracker
    # The same events for both senders, saved in one save each.
    trackers[other].events.clear()
    for event in trackers[SENDER].events:
        trackers[other].events.append(event)
    run(ours.save(trackers[SENDER]))
    run(rasas.save(trackers[other]))

    engine = sa.create_engine(url)
    columns = "type_name, timestamp, intent_name, action_name, data"
    with engine.connect() as connection:
        def rows(sender):
            return connection.execute(sa.text(f"SELECT {columns} FROM events WHERE sender_id = :s ORDER BY id"),
                                      {"s": sender}).all()
        assert len(rows(SENDER)) > page
        assert rows(SENDER) == rows(other)
    engine.dispose()
    hits = ours.hits
    same(run(ours.retrieve(SENDER)), rasas_read(url, domain))
    assert ours.hits == hits + 1


def test_the_cached_copy_is_independent_and_falls_back_to_deepcopy(domain):
    from rasa.shared.core.trackers import DialogueStateTracker

    from bot.channels import tracker_store

    tracker = DialogueStateTracker(SENDER, domain.slots)
    turn(tracker, "tjek ind", "Hvordan går det?")
    tracker.update(SlotSet("checkin_note", "før"))
    copied = tracker_store._copy(tracker)
    assert copied is not tracker and copied.current_state() == tracker.current_state()
    copied.update(SlotSet("checkin_note", "efter"))
    copied.events[0].timestamp = 0
    assert tracker.get_slot("checkin_note") == "før" and tracker.events[0].timestamp != 0
    tracker.unpicklable = lambda: None  # pickle refuses a lambda; deepcopy takes it
    again = tracker_store._copy(tracker)
    assert again.current_state() == tracker.current_state() and again.get_slot("checkin_note") == "før"
