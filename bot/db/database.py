"""Engine and transactions. Sync SQLAlchemy in a worker thread keeps the event loop free and
works identically on SQLite and PostgreSQL (one code path to test)."""
from __future__ import annotations

import asyncio
import functools
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
    cursor.close()


def create_engine(url: str) -> sa.engine.Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, future=True, connect_args={"check_same_thread": False})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Small pool: several processes share one PostgreSQL in production.
    return sa.create_engine(url, future=True, pool_size=5, max_overflow=5, pool_pre_ping=True)


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
