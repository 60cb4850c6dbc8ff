"""Rasa's SQL tracker store on SQLite (development, `make run`), with the connection handling of our
own database layer.

Rasa 3.6's SQLTrackerStore builds a bare engine: on SQLite (SQLAlchemy 1.4) that opens a new
connection for every read and every save, in the rollback-journal mode with a full sync, and it does
all of it on the event loop, inside the turn. The tracker store's reads and saves were then the
largest part of the Rasa server's busy time after the response validation (docs/performance.md).
Here, right after Rasa made its store, a SQLite store gets the engine of bot/db/database.py
instead: pooled connections, WAL, a busy timeout and `synchronous=NORMAL` (bot/db/database.py says
why). Same file, same tables, same queries; PostgreSQL stores are not touched.

Installed from the channel modules (gate.py), which Rasa imports through credentials.yml before it
creates its tracker store; only for the Rasa version it was checked against.
"""
from __future__ import annotations

import functools
import logging

import rasa
import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore

from bot.db.database import create_engine

log = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"  # rasa/core/tracker_store.py, SQLTrackerStore.__init__
ORIGINAL_INIT = SQLTrackerStore.__init__


def use_our_engine(store: SQLTrackerStore) -> bool:
    """Swap a SQLite store's engine for ours (a file database only). True when the store has ours,
    whether swapped now or before (bot/channels/tracker_store.py calls it after this patch may have)."""
    if getattr(store, "_our_engine", False):
        return True
    url = store.engine.url
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return False
    store.engine.dispose()
    store.engine = create_engine(url.render_as_string(hide_password=False))
    store.sessionmaker = sa.orm.session.sessionmaker(bind=store.engine)
    store._our_engine = True
    return True


@functools.wraps(ORIGINAL_INIT)
def _init(self, *args, **kwargs) -> None:
    ORIGINAL_INIT(self, *args, **kwargs)
    use_our_engine(self)


def install() -> bool:
    if SQLTrackerStore.__init__ is _init:
        return True
    if rasa.__version__ != RASA_VERSION:
        log.warning("tracker store: Rasa %s is not %s, keeping Rasa's own SQLite engine",
                    rasa.__version__, RASA_VERSION)
        return False
    SQLTrackerStore.__init__ = _init
    return True
