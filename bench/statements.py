"""Benchmark: a hot read built per call against the same read built once (docs/performance.md, "Round 6").

SQLAlchemy builds a statement object and its cache key on every call of a function that writes
`sa.select(...).where(... == value)`; a statement built once with `sa.bindparam` keeps its cache key
and is only run. For each read that runs on every action call, every Rasa response or every
delivery report, this prints the CPU microseconds per call both ways, on an in-memory SQLite
database (the statement's Python work is what differs; the database's answer is the same).

    .venv/bin/python bench/statements.py [--calls 3000]
"""
from __future__ import annotations

import argparse
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session, joinedload

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.db import checkins, citizens, jobs, outbox  # noqa: E402
from bot.db.models import Base, CheckIn, Citizen, Coordinator, Job, OutboxMessage  # noqa: E402

NOW = datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)


def cpu_us(call, calls: int) -> float:
    for _ in range(200):
        call()
    started = time.process_time()
    for _ in range(calls):
        call()
    return (time.process_time() - started) / calls * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=3000)
    args = parser.parse_args()
    engine = sa.create_engine("sqlite://")
    Base.metadata.create_all(engine)
    session = Session(engine)
    coordinator = Coordinator(name="Mette", phone="+4511223344", token_hash="x")
    session.add(coordinator)
    session.flush()
    citizen = Citizen(name="Bente", phone="+4540000001", coordinator_id=coordinator.id)
    session.add(citizen)
    session.flush()
    checkin = checkins.add_checkin(session, citizen.id, created_at=NOW, status="open", areas={}, focus_areas=[])
    job = jobs.schedule(session, citizen_id=citizen.id, purpose="checkin_open_nudge", due_at=NOW,
                        next_attempt_at=NOW, now=NOW, target=f"checkin:{checkin.id}")
    session.add(OutboxMessage(citizen_id=citizen.id, msisdn=citizen.phone, text="Hej", purpose="reply",
                              status="sent", provider_id="77", created_at=NOW, next_attempt_at=NOW, attempts=1,
                              segments=1))
    session.flush()
    phone, key = citizen.phone, (job.citizen_id, job.purpose, job.target, job.due_at)

    # Each pair: (built per call, as the code did before round 6; the function in bot.db now).
    reads = {
        "citizen by phone, with coordinator": (
            lambda: session.execute(sa.select(Citizen).where(Citizen.phone == phone)
                                    .options(joinedload(Citizen.coordinator))).scalar_one_or_none(),
            lambda: citizens.citizen_by_phone(session, phone, with_coordinator=True)),
        "language by phone (Rasa's NLG)": (
            lambda: session.execute(sa.select(Citizen.language).where(Citizen.phone == phone)).scalar_one_or_none(),
            lambda: citizens.language_by_phone(session, phone)),
        "the citizen's own check-in": (
            lambda: session.execute(sa.select(CheckIn).where(CheckIn.id == checkin.id,
                                                             CheckIn.citizen_id == citizen.id)).scalar_one_or_none(),
            lambda: checkins.get_checkin(session, checkin.id, citizen.id)),
        "a job by its natural key": (
            lambda: session.execute(sa.select(Job).where(Job.citizen_id == key[0], Job.purpose == key[1],
                                                         Job.target == key[2], Job.due_at == key[3])).scalar_one(),
            lambda: session.execute(jobs._BY_KEY, dict(zip(("citizen_id", "purpose", "target", "due_at"), key)))
            .scalar_one()),
        "a delivery report's message": (
            lambda: session.execute(sa.select(OutboxMessage).where(sa.or_(
                OutboxMessage.provider_id == "77", sa.and_(OutboxMessage.id == 1, OutboxMessage.provider_id.is_(None))))
                .order_by(OutboxMessage.id).with_for_update()).scalars().all(),
            lambda: session.execute(outbox._REPORTED, {"provider_id": "77", "ours": 1}).scalars().all()),
    }
    print(f"CPU microseconds per call ({args.calls} calls, in-memory SQLite):")
    for name, (built, prebuilt) in reads.items():
        assert built() == prebuilt(), name  # the same answer both ways
        before, after = cpu_us(built, args.calls), cpu_us(prebuilt, args.calls)
        print(f"  {name:38s} built per call {before:6.0f}   built once {after:6.0f}   {after / before:.2f}x")


if __name__ == "__main__":
    main()
