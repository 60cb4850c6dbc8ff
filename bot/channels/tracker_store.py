"""Our tracker store: Rasa's SQL tracker store (same tables, same rows) for SQLite in development and
PostgreSQL in production, with a connection pool that survives an outage and a cache of recent
conversations that is checked against the database on every read.

The pool. Rasa's own SQLTrackerStore creates its engine without `pool_pre_ping`, so after PostgreSQL
was unreachable (a restart, a failover, a network cut) every pooled connection is dead and the next
read fails. Rasa then falls back to an empty in-memory tracker for that turn: the citizen's
conversation forks between servers and a check-in answer is taken for the wrong question (found by
tests/e2e/test_production_topology.py, "PostgreSQL unreachable for 20 s"). So each connection is
checked out with a ping. A SQLite file gets the engine of bot/db/database.py instead (pooled, WAL,
`synchronous=NORMAL`; bot/channels/rasa_sqlite.py says why).

The cache. Rasa reads a conversation at the start of every turn and saves it at the end, on its event
loop. Reading replays every event since the session start into a new tracker (Rasa resolves each
event's class by walking all Event subclasses): for a full check-in (76 events) that and the query
were the largest part of a turn after NLU and policies (docs/performance.md). Here the trackers of the
last `cache_size` conversations this server saved are kept, each with the key of what the database
held for that sender right after the save: (number of rows, newest row id, newest timestamp). A read
asks the database for that key (one indexed aggregate query) and uses the kept tracker only if it is
the same; any other writer in between (another Rasa server, an erasure, retention, a renumbering)
changes the count or the newest id, and a restart starts with an empty cache, so Rasa's own read is
used. A kept tracker is handed out once (taken out of the cache): the turn that holds it owns it, and
a second reader of the same conversation meanwhile reads the database. The save stores a copy, so
what the turn does to its tracker after saving never reaches the cache.

A save appends the events the database does not have, as Rasa does: when the database still shows the
key the tracker was handed out with, those are the events after the ones it was read with; otherwise
Rasa's own count decides. The key cached after a save is computed from the key read before the insert
plus the rows inserted, never read back afterwards: a delete that commits between the two (an erasure
on PostgreSQL) leaves the database different from that key, so the next read goes to the database.

The tracker cached is the one Rasa's own read would build: events since the latest session start. A
save that starts a session (its new events hold a `session_started`) caches a tracker rebuilt from that
session's events only, as a read would return it.

deploy/endpoints.yml, endpoints.yml and tests/stack.py name it:
`type: bot.channels.tracker_store.CachingSQLTrackerStore` (`cache_size` optional, default 256)."""
from __future__ import annotations

import copy
import itertools
import json
import logging
import pickle
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs
from rasa.shared.core.events import SessionStarted
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from bot.channels.rasa_sqlite import use_our_engine

log = logging.getLogger(__name__)

DEFAULT_CACHE_SIZE = 256  # a full check-in's tracker is ~90 KiB in memory (docs/performance.md)
# Where the key a tracker was handed out with travels with it to the save (a private attribute: the
# tracker object is the only thing Rasa passes from retrieve to save).
_STAMP = "_caching_store_stamp"


@dataclass(frozen=True)
class Key:
    """What the database holds for one sender: rows, newest row id, newest event timestamp."""
    rows: int
    newest_id: int | None
    newest_timestamp: float | None


@dataclass(frozen=True)
class Stamp:
    key: Key       # the database's key when the tracker was handed out (or last saved)
    stored: int    # how many of the tracker's events are the database's, from the first


class CachingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args: Any, cache_size: int | str = DEFAULT_CACHE_SIZE, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not use_our_engine(self):
            url = self.engine.url
            self.engine.dispose()
            self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
            self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self.cache_size = int(cache_size)
        # Built once: building and cache-keying the select per call cost more than running it
        # (0.43 against 0.10 ms on SQLite, 1.0 against 0.55 on PostgreSQL; docs/performance.md).
        events = self.SQLEvent.__table__
        self._key_query = (sa.select(sa.func.count(), sa.func.max(events.c.id), sa.func.max(events.c.timestamp))
                           .where(events.c.sender_id == sa.bindparam("sender_id")))
        self._insert_query = sa.insert(events)
        self._insert_returning = self._insert_query.returning(events.c.id)
        self._cache: OrderedDict[str, tuple[Key, DialogueStateTracker]] = OrderedDict()
        self.hits = self.misses = 0  # read by tests

    # --- the key ---
    def _key(self, session: sa.orm.Session, sender_id: str) -> Key:
        # count() alongside max(): PostgreSQL then uses the sender_id index for the aggregate rather
        # than scanning the primary key backwards for max(id) alone.
        rows, newest_id, newest_timestamp = session.execute(self._key_query, {"sender_id": sender_id}).one()
        return Key(rows, newest_id, newest_timestamp)

    # --- reads ---
    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        with self.session_scope() as session:
            key = self._key(session, sender_id)
        cached = self._cache.pop(sender_id, None)
        if key.rows == 0:
            return None  # what Rasa's read returns for a sender without events, without its query
        if cached is not None and cached[0] == key and self.domain:
            self.hits += 1
            tracker = cached[1]
        else:
            self.misses += 1
            # The key was read first: a write after it makes the database differ from the key the
            # tracker carries, so the save below does not cache on it and the next read rereads.
            tracker = await super().retrieve(sender_id)
            if tracker is None:
                return None
        setattr(tracker, _STAMP, Stamp(key, len(tracker.events)))
        return tracker

    # retrieve_full_tracker (every session: the HTTP API, export, erasure's check) is Rasa's, uncached.

    # --- saves ---
    async def save(self, tracker: DialogueStateTracker) -> None:
        await self.stream_events(tracker)
        sender_id = tracker.sender_id
        stamp: Stamp | None = getattr(tracker, _STAMP, None)
        self._cache.pop(sender_id, None)
        with self.session_scope() as session:
            before = self._key(session, sender_id)
            if stamp is not None and stamp.key == before and stamp.stored <= len(tracker.events):
                # The database holds exactly the events the tracker was read (or last saved) with.
                new_events = list(itertools.islice(tracker.events, stamp.stored, None))
                cacheable = True
            else:
                new_events = list(self._additional_events(session, tracker))
                # Only a conversation the database had nothing of is known to equal the tracker now.
                cacheable = before.rows == 0
            rows = [self._row(sender_id, event) for event in new_events]
            newest_id = self._insert(session, rows)
            after = Key(before.rows + len(rows),
                        max(before.newest_id or 0, newest_id) if rows else before.newest_id,
                        _newest(before.newest_timestamp, [row["timestamp"] for row in rows]))
            data = [row["data"] for row in rows]
            session.commit()
        log.debug("Tracker with sender_id '%s' stored to database", sender_id)
        if not cacheable or after.rows == 0 or not self.domain or self.cache_size <= 0:
            _unstamp(tracker)
            return
        setattr(tracker, _STAMP, Stamp(after, len(tracker.events)))
        self._cache[sender_id] = (after, self._as_read(tracker, new_events, data))
        while len(self._cache) > self.cache_size:
            self._cache.popitem(last=False)

    def _row(self, sender_id: str, event: Any) -> dict[str, Any]:
        """One event's row as Rasa's save stores it (rasa/core/tracker_store.py, SQLTrackerStore.save)."""
        data = event.as_dict()
        return dict(
            sender_id=sender_id,
            type_name=event.type_name,
            timestamp=data.get("timestamp"),
            intent_name=data.get("parse_data", {}).get("intent", {}).get(INTENT_NAME_KEY),
            action_name=data.get("name"),
            data=json.dumps(data),
        )

    def _insert(self, session: sa.orm.Session, rows: list[dict[str, Any]]) -> int:
        """The rows inserted in order; returns the newest row's id (0 for none). One executemany of
        one prepared INSERT, where Rasa's save adds each event as an ORM object: one INSERT (and, on
        PostgreSQL, one round trip) per event. A multi-row VALUES would be one statement too, but
        SQLAlchemy compiles it anew for every number of rows (0.9 ms for 8 rows against 0.3 on
        SQLite; docs/performance.md). The id is what this INSERT numbered, never read back from the
        table: PostgreSQL's RETURNING (psycopg2's execute_values: one statement per 1,000 rows);
        SQLite's last_insert_rowid() on this connection, the last row's. Another database gets
        Rasa's way."""
        if not rows:
            return 0
        dialect = session.bind.dialect.name
        if dialect == "postgresql":
            return max(session.execute(self._insert_returning, rows).scalars())
        if dialect == "sqlite":
            session.execute(self._insert_query, rows)
            return session.execute(sa.select(sa.func.last_insert_rowid())).scalar_one()
        objects = [self.SQLEvent(**row) for row in rows]
        session.add_all(objects)
        session.flush()
        return max(row.id for row in objects)

    def _as_read(self, tracker: DialogueStateTracker, new_events: list, data: list[str]) -> DialogueStateTracker:
        """The tracker Rasa's read would build from the database now, as an object of its own."""
        if not any(isinstance(event, SessionStarted) for event in new_events):
            # Events since the session start already (the tracker was read so and got new events).
            snapshot = _copy(tracker)
            _unstamp(snapshot)
            return snapshot
        # A session started in this save: a read returns the events from its `session_started` on
        # (Rasa's query: timestamp >= the latest session start's), rebuilt from what was stored.
        stored = [json.loads(text) for text in data]
        start = max(event["timestamp"] for event in stored if event.get("event") == SessionStarted.type_name)
        since = [json.loads(json.dumps(event.as_dict())) for event in tracker.events
                 if event.timestamp is not None and event.timestamp >= start]
        return DialogueStateTracker.from_dict(tracker.sender_id, since, self.domain.slots)


def _copy(tracker: DialogueStateTracker) -> DialogueStateTracker:
    """An independent copy of the tracker, as copy.deepcopy makes it, by a pickle round trip of our
    own bytes in this process (no outside input is unpickled): a check-in's tracker of 77 events
    takes 0.28 ms against deepcopy's 1.37 (docs/performance.md). Both copy through the same
    __reduce_ex__; nothing in a tracker defines its own copy or pickling (Rasa's Domain does, and a
    tracker holds none). Deepcopy if something in it cannot be pickled."""
    try:
        return pickle.loads(pickle.dumps(tracker, protocol=pickle.HIGHEST_PROTOCOL))
    except (pickle.PicklingError, TypeError, AttributeError):
        return copy.deepcopy(tracker)


def _newest(timestamp: float | None, timestamps: list[float | None]) -> float | None:
    values = [t for t in [timestamp, *timestamps] if t is not None]
    return max(values) if values else None


def _unstamp(tracker: DialogueStateTracker) -> None:
    if hasattr(tracker, _STAMP):
        delattr(tracker, _STAMP)
