"""PostgreSQL connections are pinged when they may have gone stale, not before every transaction
(bot/db/database.py ping_when_idle; docs/performance.md, "Round 7"). Against the test server: a
backend that PostgreSQL ends (pg_terminate_backend, as a restart or a cut connection does) while its
connection rests in the pool. The pool's clock is injected; the driver's ping is counted by a spy
that calls through to it. And the pool keeps a connection for each of the executor's threads, so a
process under load opens no backend per transaction (docs/performance.md, "Round 10")."""
from __future__ import annotations

import asyncio
import threading

import pytest
import sqlalchemy as sa

from bot.db.database import DATABASE_ERRORS, PING_AFTER_IDLE_SECONDS, POOL_SIZE, Database, create_engine

# PostgreSQL only (db_url skips when it is not reachable): SQLite checks its file instead
# (test_sqlite_pool.py).
pytestmark = pytest.mark.parametrize("db_url", ["postgresql"], indirect=True)


class PoolClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def pool(db_url):
    clock = PoolClock()
    engine = create_engine(db_url, pool_clock=clock)
    pings = []
    real_ping = engine.dialect.do_ping

    def counted(dbapi_connection):
        pings.append(dbapi_connection)
        return real_ping(dbapi_connection)

    engine.dialect.do_ping = counted
    admin = Database(db_url)
    yield engine, clock, pings, admin
    engine.dispose()
    admin.dispose()


def backend(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()


def terminate(admin: Database, pid: int) -> None:
    assert admin.call(lambda s: s.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar())


def test_a_connection_back_a_moment_ago_is_not_pinged_one_that_rested_is(pool):
    engine, clock, pings, _ = pool
    first = backend(engine)  # a new connection: never pinged
    assert pings == []
    clock.now += PING_AFTER_IDLE_SECONDS / 2
    assert backend(engine) == first
    assert pings == []
    clock.now += PING_AFTER_IDLE_SECONDS
    assert backend(engine) == first
    assert len(pings) == 1
    assert not engine.pool._pre_ping  # SQLAlchemy's ping before every checkout is off


def test_a_connection_ended_while_it_rested_is_replaced_before_the_transaction(pool):
    engine, clock, pings, admin = pool
    first = backend(engine)
    terminate(admin, first)
    clock.now += PING_AFTER_IDLE_SECONDS
    second = backend(engine)  # no error: the ping failed and the pool connected anew
    assert second != first
    assert len(pings) == 1


def test_a_connection_ended_within_the_second_fails_one_transaction_as_one_in_flight_would(pool):
    """The trade-off, stated: a backend ended less than PING_AFTER_IDLE_SECONDS after its connection
    came back fails the next transaction with a database error (the caller's 503 or kind answer), and
    the pool drops it: the transaction after that runs on a new connection."""
    engine, clock, pings, admin = pool
    first = backend(engine)
    terminate(admin, first)
    clock.now += PING_AFTER_IDLE_SECONDS / 10
    with pytest.raises(DATABASE_ERRORS):
        backend(engine)
    assert backend(engine) != first
    assert pings == []


def test_bursts_that_fill_the_executor_reuse_their_connections(db_url):
    """Bursts of Database.run transactions, each burst as many at once as the default executor has
    threads, as a service's load comes and goes: one connection (one PostgreSQL backend) per
    thread, opened once. With 5 kept, the sixth thread's overflow connection
    was closed at the end of every burst and a new backend forked for the next."""
    database = Database(db_url)
    opened = []
    sa.event.listen(database.engine, "connect", lambda conn, record: opened.append(conn))
    together = threading.Barrier(POOL_SIZE, timeout=10)  # every thread inside a transaction at once

    def transaction(session) -> int:
        together.wait()
        return session.execute(sa.text("SELECT pg_backend_pid()")).scalar()

    async def bursts() -> set[int]:
        backends = set()
        for _ in range(20):
            backends.update(await asyncio.gather(*(database.run(transaction) for _ in range(POOL_SIZE))))
        return backends

    try:
        backends = asyncio.run(bursts())
    finally:
        database.dispose()
    assert len(opened) == POOL_SIZE
    assert len(backends) == POOL_SIZE
