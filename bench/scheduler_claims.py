"""How fast the scheduler claims and finishes due jobs, on SQLite and (if reachable) PostgreSQL,
with one and with two workers at once. Prints numbers; asserts only that every job finished once.

    .venv/bin/python -m bench.scheduler_claims [N_JOBS]
"""
from __future__ import annotations

import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from bot.db import jobs as job_db
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.database import Database
from bot.db.migrate import upgrade

NOW = datetime(2026, 11, 24, 9, 0, tzinfo=timezone.utc)
PG_ADMIN = "postgresql://root@127.0.0.1:5432/postgres"


def seed(db: Database, n: int) -> None:
    def fill(session):
        coordinator, _ = create_coordinator(session, "Bench")
        for i in range(n):
            citizen = create_citizen(session, name="B", phone=f"+4540{i:06d}", coordinator_id=coordinator.id)
            job_db.schedule(session, citizen_id=citizen.id, purpose="appointment_reminder",
                            target=f"appointment:{i}", due_at=NOW, next_attempt_at=NOW, now=NOW)

    db.call(fill)
    db.dispose()


def drain(url: str, finished: list[int]) -> None:
    db = Database(url)
    while True:
        jobs = db.call(job_db.claim_due, NOW, limit=20, lease=timedelta(minutes=5))
        if not jobs:
            break
        finished.extend(job.id for job in jobs if db.call(job_db.mark_done, job, NOW))
    db.dispose()


def measure(url: str, n: int, workers: int) -> float:
    upgrade(url)
    seed(Database(url), n)
    finished: list[list[int]] = [[] for _ in range(workers)]
    threads = [threading.Thread(target=drain, args=(url, f)) for f in finished]
    start = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    ids = [i for f in finished for i in f]
    assert len(ids) == len(set(ids)) == n, f"{len(ids)} finished, {len(set(ids))} distinct, of {n}"
    return n / elapsed


def new_postgres_database() -> str | None:
    try:
        engine = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 2})
        name = f"bench_{uuid.uuid4().hex[:10]}"
        with engine.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
        return f"postgresql://root@127.0.0.1:5432/{name}"
    except sa.exc.OperationalError:
        return None


def drop_postgres_database(url: str) -> None:
    engine = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)'))
    engine.dispose()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 500
    print(f"claim + mark done of {n} due jobs, batches of 20")
    for workers in (1, 2):
        with tempfile.TemporaryDirectory() as tmp:
            print(f"  sqlite      {workers} worker(s): {measure(f'sqlite:///{tmp}/bench.db', n, workers):8.0f} jobs/s")
        url = new_postgres_database()
        if url:
            try:
                print(f"  postgresql  {workers} worker(s): {measure(url, n, workers):8.0f} jobs/s")
            finally:
                drop_postgres_database(url)


if __name__ == "__main__":
    main()
