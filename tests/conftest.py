"""Shared fixtures. Database tests run on SQLite always and on PostgreSQL (127.0.0.1:5432) when it
is reachable; each test gets a fresh, migrated, throw-away database."""
from __future__ import annotations

import functools
import shutil
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from bot.core.clock import FixedClock
from bot.db.database import Database
from bot.db.migrate import upgrade

PG_ADMIN_URL = "postgresql://root@127.0.0.1:5432/postgres"
T0 = datetime(2026, 11, 23, 10, 0, tzinfo=timezone.utc)


def _postgres_available() -> bool:
    try:
        engine = sa.create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 2})
        with engine.connect():
            pass
        engine.dispose()
        return True
    except Exception:
        return False


POSTGRES = _postgres_available()


@functools.lru_cache(maxsize=1)
def _pg_admin_engine() -> sa.engine.Engine:
    return sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")


def _pg_admin(statement: str) -> None:
    with _pg_admin_engine().connect() as conn:
        conn.execute(sa.text(statement))


@contextmanager
def throwaway_postgres(prefix: str) -> Iterator[str]:
    """An empty PostgreSQL database of its own, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://root@127.0.0.1:5432/{name}"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def migrated_postgres(prefix: str) -> Iterator[tuple[str, str]]:
    """A throw-away PostgreSQL database with every migration run, for a process of its own (the
    production checks refuse SQLite): (name, url), dropped afterwards."""
    with throwaway_postgres(prefix) as url:
        upgrade(url)
        yield url.rsplit("/", 1)[1], url


class _TemplateCopies:
    """Copies of the migrated PostgreSQL template for the tests of one worker, made AHEAD at a time
    while the tests run, and dropped in the background. CREATE DATABASE ... TEMPLATE waits about
    0.3 s on the server's disk, but several at once take hardly longer than one (measured: six one
    after another 2.0 s, six on two threads 0.16 s), and about a thousand tests take a copy
    (docs/testing.md, "Speed")."""

    AHEAD = 3

    def __init__(self, template: str):
        self.template = template
        self._threads = ThreadPoolExecutor(2, thread_name_prefix="pg-copies")
        self._drops: list[Future] = []
        self._ready: deque[Future] = deque(self._threads.submit(self._create) for _ in range(self.AHEAD))

    def _create(self) -> str:
        name = f"test_{uuid.uuid4().hex[:12]}"
        _pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def take(self) -> str:
        name = self._ready.popleft().result()
        self._ready.append(self._threads.submit(self._create))
        return name

    def drop(self, name: str) -> None:
        self._drops.append(self._threads.submit(_pg_admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        """Drops the copies made ahead and waits for every drop; the first failure (a copy that
        could not be made, a database left behind) fails the run here, after all were tried."""
        made = list(self._ready)
        self._ready.clear()
        for copy in made:
            if copy.exception() is None:
                self.drop(copy.result())
        self._threads.shutdown(wait=True)
        for done in made + self._drops:
            done.result()


@pytest.fixture(scope="session")
def migrated_templates(tmp_path_factory):
    """One migrated database per engine, made once per run: each test's database is a copy of it
    (PostgreSQL's CREATE DATABASE ... TEMPLATE, made ahead by _TemplateCopies; a file copy for
    SQLite), which is much faster than running every migration for every test."""
    sqlite_file = tmp_path_factory.mktemp("template") / "coordination.db"
    upgrade(f"sqlite:///{sqlite_file}")
    pg_name, copies = None, None
    if POSTGRES:
        pg_name = f"template_{uuid.uuid4().hex[:12]}"
        _pg_admin(f'CREATE DATABASE "{pg_name}"')
        upgrade(f"postgresql://root@127.0.0.1:5432/{pg_name}")
        copies = _TemplateCopies(pg_name)
    yield {"sqlite": sqlite_file, "postgresql": pg_name, "copies": copies}
    if copies is not None:
        copies.close()
    if pg_name:
        _pg_admin(f'DROP DATABASE IF EXISTS "{pg_name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path, migrated_templates):
    """A fresh, migrated, throw-away database on each engine."""
    if request.param == "sqlite":
        path = tmp_path / "coordination.db"
        shutil.copyfile(migrated_templates["sqlite"], path)
        yield f"sqlite:///{path}"
        return
    if not POSTGRES:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    copies = migrated_templates["copies"]
    name = copies.take()
    yield f"postgresql://root@127.0.0.1:5432/{name}"
    copies.drop(name)


@pytest.fixture
def db(db_url):
    database = Database(db_url)
    yield database
    database.dispose()


@pytest.fixture
def sqlite_db(tmp_path):
    url = f"sqlite:///{tmp_path / 'coordination.db'}"
    upgrade(url)
    database = Database(url)
    yield database
    database.dispose()


@pytest.fixture
def clock():
    return FixedClock(T0)


@pytest.fixture
def restore_action_context():
    """Actions read the database and the clock from actions.context, module globals the action server
    sets once. A test that points them at its own database must not leak it into the next test (a
    disposed database, or another test's clock): it gets them back as they were. Not autouse: the
    modules that run actions ask for it (tests/actions/conftest.py, tests/nlu/test_non_answers.py)."""
    from actions import context  # only where actions run: most tests never import the action code

    saved = context._db, context._clock
    yield
    context._db, context._clock = saved
    context.proactive_settings.cache_clear()


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    """The running system (Rasa server, action server, coordination service on SQLite), started once
    per run for every end-to-end and browser test that asks for it. Its clock starts at
    tests.stack.CLOCK_START; tests keep apart by their own citizens and scoped ticks."""
    from tests.stack import Stack

    running = Stack(tmp_path_factory.mktemp("stack")).start()
    yield running
    running.stop()


# Attacks in tests/security that start no Rasa server (in-process aiohttp clients and actions):
# they need not queue behind the stack's worker, and their tests are spread over both workers.
IN_PROCESS_ATTACKS = {"tests/security/test_session_doors.py"}


def pytest_collection_modifyitems(config, items):
    """`make test` runs pytest on two workers (pytest-xdist, `--dist loadgroup`). A module's tests
    stay on one worker, so a module-scoped fixture (a model, a production process) starts once; and
    every test that uses the shared `stack`, and every attack in tests/security (they start Rasa
    servers beside it), runs on one worker, so the run starts that system once (docs/testing.md,
    "Two workers")."""
    for item in items:
        module = item.nodeid.split("::", 1)[0]
        if module in IN_PROCESS_ATTACKS:
            continue  # no group: its many small tests spread over both workers
        shared = "stack" in item.fixturenames or module.startswith("tests/security/")
        item.add_marker(pytest.mark.xdist_group("stack" if shared else module))
