"""Rasa's conversation events in its SQL tracker store, for a citizen's export and erasure, and
for the retention pass.

Rasa owns the `events` table (it creates it at start-up); we only read and delete one sender's
rows. Rasa's HTTP API can append and replace events but never delete them, and its SQL tracker
store only ever appends, so erasure has to go to the table itself.
"""
from __future__ import annotations

import json
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.db.database import create_engine

# The columns of Rasa's SQLTrackerStore.SQLEvent that we need (rasa/core/tracker_store.py).
EVENTS = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("timestamp"), sa.column("data"))
CHUNK = 500  # senders per statement (SQLite allows 999 bound parameters in older builds)


class TrackerEvents:
    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url)

    @staticmethod
    def _created(conn: Connection) -> bool:
        """False until Rasa has created its table (nobody has talked to it yet)."""
        return sa.inspect(conn).has_table("events")

    def for_sender(self, sender_id: str) -> list[dict]:
        """The sender's events as Rasa stored them (each row's `data` is the event's JSON)."""
        with self.engine.connect() as conn:
            if not self._created(conn):
                return []
            rows = conn.execute(sa.select(EVENTS.c.data).where(EVENTS.c.sender_id == sender_id).order_by(EVENTS.c.id))
            return [json.loads(data) for (data,) in rows]

    def delete_sender(self, sender_id: str) -> int:
        with self.engine.begin() as conn:
            if not self._created(conn):
                return 0
            return conn.execute(sa.delete(EVENTS).where(EVENTS.c.sender_id == sender_id)).rowcount

    def delete_older_than(self, sender_ids: list[str], before: datetime) -> int:
        """Retention (bot/citizens/retention.py): these senders' events stored before `before`
        (Rasa's `timestamp`, Unix seconds of the wall clock)."""
        deleted = 0
        with self.engine.begin() as conn:
            if not self._created(conn):
                return 0
            for start in range(0, len(sender_ids), CHUNK):
                deleted += conn.execute(sa.delete(EVENTS).where(
                    EVENTS.c.sender_id.in_(sender_ids[start:start + CHUNK]),
                    EVENTS.c.timestamp < before.timestamp())).rowcount
        return deleted

    def move_sender(self, old_sender_id: str, new_sender_id: str) -> int:
        """A citizen's new phone number: their conversation moves with them (the sender id is the
        number), so their export and erasure still find it and the old number keeps nothing."""
        with self.engine.begin() as conn:
            if not self._created(conn):
                return 0
            return conn.execute(
                sa.update(EVENTS).where(EVENTS.c.sender_id == old_sender_id).values(sender_id=new_sender_id)
            ).rowcount

    def dispose(self) -> None:
        self.engine.dispose()
