"""What actions share: the database and the clock, built once from the environment.
Tests replace them with `use(db, clock)`."""
from __future__ import annotations

import functools

from bot.core.clock import Clock, process_clock
from bot.core.config import ProactiveSettings, Settings
from bot.db.database import Database, shared_database

_db: Database | None = None
_clock: Clock = process_clock()


def db() -> Database:
    global _db
    if _db is None:
        _db = shared_database(Settings.from_env().database_url)
    return _db


@functools.lru_cache(maxsize=1)
def proactive_settings() -> ProactiveSettings:
    """Timings of proactive messages (the same environment variables as the service reads)."""
    return Settings.from_env().proactive


def clock() -> Clock:
    return _clock


def use(database: Database, new_clock: Clock | None = None) -> None:
    global _db, _clock
    _db = database
    _clock = new_clock or process_clock()
