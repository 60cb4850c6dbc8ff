"""What the citizen's language costs per response (bot/channels/nlg.py): Rasa's own generator (no
lookup, Danish) against ours (one indexed query for the language, then the overlaid responses), on a
migrated SQLite file and, if reachable, PostgreSQL, with many citizens in the table. Prints
percentiles and the query plan; asserts only that the language was the citizen's.

    .venv/bin/python -m bench.nlg_language [N_RESPONSES] [N_CITIZENS]
"""
from __future__ import annotations

import asyncio
import sys
import tempfile
import time
import uuid
from pathlib import Path

import sqlalchemy as sa
from rasa.core.nlg.response import TemplatedNaturalLanguageGenerator
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker

from bench.measure import percentile
from bot.channels.nlg import CatalogueNLG
from bot.db import citizens as citizen_db
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.db.models import Citizen, Coordinator

ROOT = Path(__file__).resolve().parent.parent
PG_ADMIN = "postgresql://root@127.0.0.1:5432/postgres"
RESPONSE = "utter_ask_checkin_wants_contact"


def seed(db: Database, citizens: int) -> str:
    """`citizens` citizens, every tenth English; the phone of an English one in the middle."""
    def fill(session):
        coordinator = Coordinator(name="Bench", token_hash=uuid.uuid4().hex)
        session.add(coordinator)
        session.flush()
        session.execute(sa.insert(Citizen), [
            {"name": "B", "phone": f"+4530{i:06d}", "coordinator_id": coordinator.id,
             "language": "en" if i % 10 == 0 else "da"} for i in range(citizens)])

    db.call(fill)
    return f"+4530{(citizens // 2) // 10 * 10:06d}"


async def timed(generate, n: int) -> list[float]:
    times = []
    for _ in range(n):
        start = time.perf_counter()
        await generate()
        times.append((time.perf_counter() - start) * 1000)
    return times


def plan(db: Database, phone: str) -> str:
    query = sa.select(Citizen.language).where(Citizen.phone == phone)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    explain = "EXPLAIN QUERY PLAN " if db.url.startswith("sqlite") else "EXPLAIN "
    with db.engine.connect() as conn:
        rows = conn.execute(sa.text(explain + str(compiled))).all()
    return " | ".join(str(row[-1]) for row in rows)


async def measure(url: str, label: str, n: int, citizens: int) -> None:
    upgrade(url)
    db = Database(url)
    phone = seed(db, citizens)
    domain = Domain.load(str(ROOT / "domain.yml"))
    tracker = DialogueStateTracker.from_events(phone, [], slots=domain.slots)
    rasa_own = TemplatedNaturalLanguageGenerator(domain.responses)
    ours = CatalogueNLG(domain=domain, database=db)
    english = await ours.generate(RESPONSE, tracker, "sms")
    assert english["text"].startswith("Should your coordinator"), english
    await timed(lambda: rasa_own.generate(RESPONSE, tracker, "sms"), 50)  # warm both
    await timed(lambda: ours.generate(RESPONSE, tracker, "sms"), 50)
    base = await timed(lambda: rasa_own.generate(RESPONSE, tracker, "sms"), n)
    with_language = await timed(lambda: ours.generate(RESPONSE, tracker, "sms"), n)
    lookup = await timed(lambda: ours.language_of(phone), n)
    query = await timed(lambda: asyncio.sleep(0, db.call(citizen_db.language_by_phone, phone)), n)
    print(f"{label}: {citizens} citizens, {n} responses each")
    for name, values in (("Rasa's generator", base), ("CatalogueNLG", with_language), ("  of which the lookup", lookup),
                         ("  its query, in-thread", query)):
        print(f"  {name:22s} p50 {percentile(values, 50):6.3f} ms  p95 {percentile(values, 95):6.3f} ms  "
              f"p99 {percentile(values, 99):6.3f} ms")
    print(f"  query plan: {plan(db, phone)}")
    db.dispose()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 2000
    citizens = int(sys.argv[2]) if len(sys.argv) > 2 else 20000
    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(measure(f"sqlite:///{tmp}/bench.db", "SQLite", n, citizens))
    try:
        admin = sa.create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 2})
        with admin.connect():
            pass
    except sa.exc.OperationalError:
        print("PostgreSQL not reachable: skipped")
        return
    name = f"bench_nlg_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        asyncio.run(measure(f"postgresql://root@127.0.0.1:5432/{name}", "PostgreSQL", n, citizens))
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    main()
