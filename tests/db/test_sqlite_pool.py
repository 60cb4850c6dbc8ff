"""SQLite engines keep their connections (bot/db/database.py, docs/performance.md): many threads'
transactions share a few connections, every connection has the pragmas, nothing is lost, and a
database file moved away or replaced under a running process is noticed at the next transaction."""
from __future__ import annotations

import shutil
import threading

import pytest
import sqlalchemy as sa

from bot.db.database import DATABASE_ERRORS, POOL_MAX_OVERFLOW, POOL_SIZE, Database

THREADS, EACH = 8, 40


@pytest.fixture
def database(tmp_path):
    db = Database(f"sqlite:///{tmp_path / 'pool.db'}")
    db.call(lambda s: s.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, thread INT, n INT)")))
    yield db
    db.dispose()


def test_threads_share_a_few_connections_and_every_write_lands(database):
    opened = []
    sa.event.listen(database.engine, "connect", lambda conn, record: opened.append(conn))
    errors = []

    def insert(session, thread: int, n: int) -> None:
        session.execute(sa.text("INSERT INTO t (thread, n) VALUES (:t, :n)"), {"t": thread, "n": n})

    def work(thread: int) -> None:
        try:
            for n in range(EACH):
                database.call(insert, thread, n)
        except Exception as exc:  # noqa: BLE001  (reported below, with the thread's number)
            errors.append((thread, exc))

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = database.call(lambda s: s.execute(sa.text("SELECT thread, n FROM t")).all())
    assert sorted(rows) == sorted((t, n) for t in range(THREADS) for n in range(EACH))
    # THREADS * EACH transactions, a handful of connections (unpooled, it was one each).
    assert 1 <= len(opened) <= min(THREADS, POOL_SIZE + POOL_MAX_OVERFLOW)


def test_every_pooled_connection_has_the_pragmas(database):
    def pragmas(session):
        return tuple(session.execute(sa.text(f"PRAGMA {name}")).scalar()
                     for name in ("journal_mode", "foreign_keys", "busy_timeout", "synchronous"))

    barrier = threading.Barrier(3)
    seen = []

    def hold() -> None:
        with database.session() as session:  # three connections out at once
            barrier.wait()
            seen.append(pragmas(session))

    threads = [threading.Thread(target=hold) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert seen == [("wal", 1, 5000, 1)] * 3  # synchronous 1 = NORMAL


def test_a_file_moved_away_is_noticed_and_its_return_too(database, tmp_path):
    database.call(lambda s: s.execute(sa.text("INSERT INTO t (thread, n) VALUES (0, 0)")))
    path = tmp_path / "pool.db"
    aside = tmp_path / "aside"
    aside.mkdir()
    for suffix in ("", "-wal", "-shm"):
        if (tmp_path / f"pool.db{suffix}").exists():
            shutil.move(tmp_path / f"pool.db{suffix}", aside / f"pool.db{suffix}")
    path.mkdir()  # what tests/outage.py does: the path cannot be opened as a database
    with pytest.raises(DATABASE_ERRORS):
        database.call(lambda s: s.execute(sa.text("INSERT INTO t (thread, n) VALUES (0, 1)")))
    path.rmdir()
    for part in aside.iterdir():
        shutil.move(part, tmp_path / part.name)
    database.call(lambda s: s.execute(sa.text("INSERT INTO t (thread, n) VALUES (0, 2)")))
    assert database.call(lambda s: s.execute(sa.text("SELECT n FROM t ORDER BY n")).scalars().all()) == [0, 2]


def test_a_replaced_file_is_opened_anew(database, tmp_path):
    database.call(lambda s: s.execute(sa.text("INSERT INTO t (thread, n) VALUES (0, 0)")))
    fresh = Database(f"sqlite:///{tmp_path / 'fresh.db'}")
    fresh.call(lambda s: s.execute(sa.text("CREATE TABLE t (id INTEGER PRIMARY KEY, thread INT, n INT)")))
    fresh.dispose()
    for suffix in ("-wal", "-shm"):
        (tmp_path / f"pool.db{suffix}").unlink(missing_ok=True)
    (tmp_path / "fresh.db").replace(tmp_path / "pool.db")  # a fresh database under the same name
    assert database.call(lambda s: s.execute(sa.text("SELECT count(*) FROM t")).scalar()) == 0
