"""Shared fixtures. Database tests run on SQLite always and on PostgreSQL (127.0.0.1:5432) when it
is reachable; each test gets a fresh, migrated, throw-away database."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from bot.clock import FixedClock
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


def _pg_admin(statement: str) -> None:
    engine = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(statement))
    engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'coordination.db'}"
        return
    if not POSTGRES:
        pytest.skip("PostgreSQL is not reachable on 127.0.0.1:5432")
    name = f"test_{uuid.uuid4().hex[:12]}"
    _pg_admin(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql://root@127.0.0.1:5432/{name}"
    finally:
        _pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def db(db_url):
    upgrade(db_url)
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
