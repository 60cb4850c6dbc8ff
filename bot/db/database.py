"""Engine and transactions. Sync SQLAlchemy in a worker thread keeps the event loop free and
works identically on SQLite and PostgreSQL (one code path to test)."""
from __future__ import annotations

import asyncio
import functools
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import sqlalchemy as sa
from sqlalchemy.orm import Session, sessionmaker

T = TypeVar("T")

# What a briefly unreachable database raises: the driver's errors, wrapped in DBAPIError
# (OperationalError for a refused or dropped connection), and a pool with no connection to give in
# time. IntegrityError is a DBAPIError too, but it is about the data: callers that expect it catch
# it first.
DATABASE_ERRORS = (sa.exc.DBAPIError, sa.exc.TimeoutError)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    # Rasa, the action server and the service share one file: WAL + busy timeout avoid lock errors.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA foreign_keys=ON")
    # In WAL mode NORMAL keeps the file consistent and loses no commit when a process crashes; only
    # the last commits before a power cut of the machine can be lost. FULL (SQLite's default) syncs
    # the log on every commit *while holding the one write lock*: the other processes' writers then
    # sleep in the busy handler (1, 2, 5, 10 ... ms steps), and a check-in turn waited for several
    # of them (docs/performance.md). SQLite is the development database only: production refuses
    # it (bot/core/config.py) and uses PostgreSQL.
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Connections kept per engine, SQLite and PostgreSQL alike: as many as the default executor's threads
# (cpu+4, at most 32), where Database.run runs every transaction, so under load no transaction opens
# and closes an overflow connection of its own. On SQLite that was 5 % of the service's time in
# connect; on PostgreSQL each new connection is a new backend process, forked, authenticated and
# ended: 770 of them in a 10,000-prompt round with 5 kept, 32 now (docs/performance.md, "Round 10").
POOL_SIZE = min(32, (os.cpu_count() or 1) + 4)
POOL_MAX_OVERFLOW = 4  # other threads (a test's, Rasa's own) beyond the executor: opened and closed


def _same_file_on_checkout(engine: sa.engine.Engine, path: str) -> None:
    """A kept connection holds the file it opened, also after that file was moved away, deleted or
    replaced (a fresh `make migrate`, tests/outage.py's outage): it would go on writing where nobody
    reads. So each transaction checks, with one stat(), that the path still names the connection's
    file, and otherwise opens the path anew, as an unpooled engine would (and fails as it would)."""

    def identity() -> tuple[int, int]:
        stat = os.stat(path)
        return stat.st_dev, stat.st_ino

    def on_connect(_dbapi_connection, record) -> None:
        record.info["sqlite_file"] = identity()

    def on_checkout(_dbapi_connection, record, _proxy) -> None:
        try:
            same = identity() == record.info.get("sqlite_file")
        except OSError:
            same = False
        if not same:
            raise sa.exc.DisconnectionError("the SQLite file was moved or replaced")  # the pool reconnects

    sa.event.listen(engine, "connect", on_connect)
    sa.event.listen(engine, "checkout", on_checkout)


# A pooled PostgreSQL connection that came back from a transaction less than this long ago is handed
# out without a ping (docs/performance.md, "Round 7"; docs/deployment.md, "Databases").
PING_AFTER_IDLE_SECONDS = 1.0


def ping_when_idle(engine: sa.engine.Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS,
                   clock: Callable[[], float] = time.monotonic) -> None:
    """SQLAlchemy's `pool_pre_ping` for the connections that may have gone stale: a connection is
    pinged on checkout when it rested in the pool `idle_seconds` or more, not before every
    transaction (that ping was 7 of the 43 statements a check-in turn sent to the coordination
    database). A failed ping discards every pooled connection and connects anew, as `pool_pre_ping`
    does (DisconnectionError from SQLAlchemy's checkout hook); a new connection is never pinged. A
    connection PostgreSQL dropped less than `idle_seconds` after it came back fails its next
    statement instead, and SQLAlchemy discards the pool as for a transaction in flight (the trade-off:
    docs/deployment.md, "Databases"). `clock` is monotonic: the pool's housekeeping, not domain time."""

    def on_checkin(_dbapi_connection, record) -> None:
        record.info["returned_at"] = clock()  # cleared with the connection when it is replaced

    def on_checkout(dbapi_connection, record, _proxy) -> None:
        returned = record.info.get("returned_at")  # a reconnected record starts with an empty info
        if returned is None or clock() - returned < idle_seconds:
            return
        if not engine.dialect.do_ping(dbapi_connection):  # False for a disconnect; other errors raise
            raise sa.exc.InvalidatePoolError("a pooled connection failed its ping")

    sa.event.listen(engine, "checkin", on_checkin)
    sa.event.listen(engine, "checkout", on_checkout)


def create_engine(url: str, pool_clock: Callable[[], float] = time.monotonic) -> sa.engine.Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        memory = not path or path == ":memory:"
        if not memory:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # A file database keeps its connections (SQLAlchemy 1.4 opens one per transaction on SQLite,
        # with its pragmas: that was about 8 % of the Rasa server's busy time; docs/performance.md).
        # A pooled connection is used by one thread at a time; check_same_thread is off because
        # the pool hands it to whichever worker thread runs the next transaction.
        pool = {} if memory else {"poolclass": sa.pool.QueuePool, "pool_size": POOL_SIZE,
                                  "max_overflow": POOL_MAX_OVERFLOW}
        engine = sa.create_engine(url, future=True, connect_args={"check_same_thread": False}, **pool)
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        if not memory:
            _same_file_on_checkout(engine, path)
        return engine
    # Several processes share one PostgreSQL in production: the connection budget for POOL_SIZE is
    # in docs/deployment.md, "Connection budget".
    engine = sa.create_engine(url, future=True, pool_size=POOL_SIZE, max_overflow=POOL_MAX_OVERFLOW)
    ping_when_idle(engine, clock=pool_clock)
    return engine


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url)
        self._sessions = sessionmaker(self.engine, future=True, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed on success, rolled back on any error."""
        with self._sessions() as session, session.begin():
            yield session

    def call(self, fn: Callable[..., T], *args, **kwargs) -> T:
        with self.session() as session:
            return fn(session, *args, **kwargs)

    async def run(self, fn: Callable[..., T], *args, **kwargs) -> T:
        """Run fn(session, *args) in a transaction on a worker thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(None, functools.partial(self.call, fn, *args, **kwargs))

    def dispose(self) -> None:
        self.engine.dispose()


@functools.cache
def shared_database(url: str) -> Database:
    """One engine (and pool) per URL in a process: the Rasa server's channels share it."""
    return Database(url)
