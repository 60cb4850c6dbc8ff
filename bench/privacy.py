"""How long a citizen's data export and erasure take for a year of data (52 check-ins, 1000 SMS,
2500 conversation events in Rasa's tracker store) among 50 other citizens, on SQLite and (if
reachable) PostgreSQL. Prints numbers; asserts only that the erasure left nothing.

    .venv/bin/python -m bench.privacy
"""
from __future__ import annotations

import asyncio
import json
import tempfile
import time
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import BotUttered, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bench.scheduler_claims import drop_postgres_database, new_postgres_database
from bot.checkins.record import record_checkin
from bot.checkins.rules import CheckinAnswers
from bot.citizens.privacy import erase, export_document
from bot.db.citizens import create_citizen, get_citizen
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from bot.db.messages import log_inbound
from bot.db.migrate import upgrade
from bot.db.tracker_events import TrackerEvents
from bot.sms.outbox import queue_sms

T0 = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)
PHONE = "+4520000000"


def seed(db: Database, others: int = 50) -> int:
    def fill(session):
        coordinator, _ = create_coordinator(session, "Bench")
        ids = []
        for n in range(others + 1):
            citizen = create_citizen(session, name="B", phone=f"+4520{n:06d}", coordinator_id=coordinator.id)
            ids.append(citizen.id)
            for week in range(52):
                at = T0 + timedelta(weeks=week)
                record_checkin(session, citizen, CheckinAnswers(("green", "yellow", "red")[week % 3]),
                               note="Det går op og ned.", complete=True, channel="sms", now=at)
                for i in range(10):
                    log_inbound(session, citizen.id, channel="sms", text="svar", received_at=at,
                                provider_id=f"mo-{n}-{week}-{i}")
                    queue_sms(session, citizen.phone, "Tak for dit svar.", purpose="reply", now=at)
        return ids[0]

    return db.call(fill)


def seed_tracker(url: str, events: int) -> None:
    parsed = sa.engine.make_url(url)
    store = (SQLTrackerStore(dialect="sqlite", db=parsed.database) if parsed.get_backend_name() == "sqlite" else
             SQLTrackerStore(dialect="postgresql", host=parsed.host, port=parsed.port, db=parsed.database,
                             username=parsed.username))
    turns = [e for _ in range(events // 2) for e in (UserUttered("rød"), BotUttered("Tak."))]
    asyncio.run(store.save(DialogueStateTracker.from_events(PHONE, turns)))
    store.engine.dispose()


def measure(db_url: str, tracker_url: str) -> None:
    upgrade(db_url)
    db = Database(db_url)
    citizen_id = seed(db)
    seed_tracker(tracker_url, 2500)
    tracker = TrackerEvents(tracker_url)
    citizen = db.call(get_citizen, citizen_id)

    start = time.perf_counter()
    document = db.call(export_document, citizen, tracker, T0)
    exported = time.perf_counter() - start
    size = len(json.dumps(document).encode())

    start = time.perf_counter()
    result = db.call(erase, citizen, PHONE, tracker, None, T0)
    erased = time.perf_counter() - start
    assert db.call(get_citizen, citizen_id) is None and tracker.for_sender(PHONE) == []
    rows = sum(result["rows"].values())
    print(f"    export {exported * 1000:7.1f} ms ({size / 1024:.0f} KiB)   erase {erased * 1000:7.1f} ms ({rows} rows)")
    tracker.dispose()
    db.dispose()


def main() -> None:
    print("one citizen's year (52 check-ins, 520 SMS in, 520 out, 2500 tracker events) among 50 others")
    with tempfile.TemporaryDirectory() as tmp:
        print("  sqlite")
        measure(f"sqlite:///{tmp}/coordination.db", f"sqlite:///{tmp}/tracker.db")
    url = new_postgres_database()
    if url:
        try:
            print("  postgresql")
            measure(url, url)
        finally:
            drop_postgres_database(url)


if __name__ == "__main__":
    main()
