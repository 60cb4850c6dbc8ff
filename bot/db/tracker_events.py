"""Rasa's conversation events in its SQL tracker store, for a citizen's export and erasure.

Rasa owns the `events` table (it creates it at start-up); we only read and delete one sender's
rows. Rasa's HTTP API can append and replace events but never delete them, and its SQL tracker
store only ever appends, so erasure has to go to the table itself.
"""
from __future__ import annotations

import json

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from bot.db.database import create_engine

# The columns of Rasa's SQLTrackerStore.SQLEvent that we need (rasa/core/tracker_store.py).
EVENTS = sa.table("events", sa.column("id"), sa.column("sender_id"), sa.column("data"))


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

    def dispose(self) -> None:
        self.engine.dispose()
