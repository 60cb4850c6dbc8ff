"""Benchmark: a Monday-morning proactive round. N citizens whose check-in prompt is due at 10:00
(the stack's clock, inside the daytime window) are prompted through the real system: the
scheduler's tick -> Rasa's trigger_intent -> action server -> the SMS channel's outbox -> the
service's dispatcher -> the fake operator (GatewayAPI's wire format). Runs on SQLite and on a
throw-away PostgreSQL database (optionally with two services ticking at once, each with its
dispatcher). Prints prompts handed to the gateway per second, total time, duplicates (a citizen
prompted twice), misses (never prompted) and the scheduler's concurrency; asserts nothing about time.

    .venv/bin/python -m bench.proactive [--citizens 2000] [--db sqlite,postgresql] [--services 2]
                                        [--concurrency K]
"""
from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import datetime, timedelta
from pathlib import Path

import requests
import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.scheduler_claims import drop_postgres_database, new_postgres_database  # noqa: E402
from bot.citizens.registration import register  # noqa: E402
from bot.core.clock import COPENHAGEN  # noqa: E402
from bot.core.config import ProactiveSettings  # noqa: E402
from bot.db.coordinators import create_coordinator  # noqa: E402
from bot.db.database import Database  # noqa: E402
from bot.db.migrate import upgrade  # noqa: E402
from bot.db.models import FakeSms, Job  # noqa: E402
from bot.jobs import planner  # noqa: E402
from bot.jobs.purposes import CHECKIN_PROMPT  # noqa: E402
from tests.ports import free_port  # noqa: E402
from tests.stack import Stack  # noqa: E402

SETTINGS = ProactiveSettings()
PROMPT_TEXT = "tjek ind"  # in every check-in prompt (domain.yml, utter of EXTERNAL_checkin_prompt)


def phone(i: int) -> str:
    return f"+4560{i:06d}"


def seed(url: str, n: int, registered: datetime) -> None:
    """N citizens registered a week before the stack's today, through the use case; their first
    prompt planned as the scheduler plans it (due today at CHECKIN_PROMPT_AT, 10:00)."""
    db = Database(url)
    try:
        coordinator_id = db.call(lambda s: create_coordinator(s, "Bench", phone="+4511223344")[0].id)
        for start in range(0, n, 500):
            db.call(lambda s, start=start: [register(s, f"B{i}", phone(i), coordinator_id, registered)
                                            for i in range(start, min(n, start + 500))])
        db.call(planner.plan_checkin_prompts, registered, SETTINGS)
    finally:
        db.dispose()


def gateway_count(db: Database) -> int:
    return db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(FakeSms)
                                       .where(FakeSms.direction == "mt")).scalar_one())


def start_second_service(stack: Stack) -> tuple[subprocess.Popen, str]:
    """A second coordination service on the same database (its own scheduler and dispatcher); its
    SMS go to the first one's fake operator (SMS_GATEWAY_URL from PUBLIC_URL), as in production."""
    port = free_port()
    env = {**stack.env, "SERVICE_PORT": str(port), "SMS_GATEWAY_URL": f"{stack.service_url}/fake-sms"}
    with open(stack.workdir / "service2.log", "ab") as log:
        proc = subprocess.Popen([sys.executable, "-m", "bot.service"], cwd=Path(__file__).resolve().parent.parent,
                                env=env, stdout=log, stderr=log)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{url}/healthz", timeout=2).status_code == 200:
                return proc, url
        except requests.RequestException:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("second service did not start")


def drive(service_url: str, token: str, at: datetime, reports: list[dict]) -> None:
    """Tick at `at` until a tick runs no job (a tick runs at most the scheduler's MAX_JOBS_PER_TICK)."""
    while True:
        resp = requests.post(f"{service_url}/api/scheduler/tick", json={"now": at.isoformat()},
                             headers={"Authorization": f"Bearer {token}"}, timeout=3600)
        resp.raise_for_status()
        report = resp.json()
        reports.append(report)
        if not report["jobs"]:
            return


def run(kind: str, n: int, services: int, concurrency: int | None) -> None:
    workdir = Path(tempfile.mkdtemp(prefix=f"bench-proactive-{kind}-"))
    url = f"sqlite:///{workdir / 'coordination.db'}" if kind == "sqlite" else new_postgres_database()
    if url is None:
        print(f"{kind}: PostgreSQL is not reachable, skipped")
        return
    # Check-in prompts only: a new citizen's baseline round is planned once, not every morning
    # (bench/topology.py proactive_env says the same).
    extra = {"QUESTIONNAIRES": "off", **({"SCHEDULER_CONCURRENCY": str(concurrency)} if concurrency else {})}
    stack = Stack(workdir, database_url=url, extra_env=extra)
    second = None
    try:
        today = stack.today()
        registered = datetime(today.year, today.month, today.day, 9, 0, tzinfo=COPENHAGEN) - timedelta(days=7)
        at = datetime(today.year, today.month, today.day, 10, 0, tzinfo=COPENHAGEN)
        started = time.perf_counter()
        upgrade(url)
        seed(url, n, registered)
        print(f"{kind}: {n} citizens seeded in {time.perf_counter() - started:.0f} s; starting the stack")
        stack.start()
        urls = [stack.service_url]
        if services > 1:
            second, url2 = start_second_service(stack)
            urls.append(url2)
        db = Database(url)
        reports: list[dict] = []
        threads = [threading.Thread(target=drive, args=(u, stack.admin_token, at, reports)) for u in urls]
        started = time.perf_counter()
        for t in threads:
            t.start()
        count, last_change, last_count = 0, time.perf_counter(), -1
        while True:
            count = gateway_count(db)
            now = time.perf_counter()
            if count != last_count:
                last_count, last_change = count, now
            ticking = any(t.is_alive() for t in threads)
            if count >= n and not ticking:
                break
            if not ticking and now - last_change > 30:
                break  # the outbox has gone quiet: what is missing will not come
            time.sleep(0.25)
        for t in threads:
            t.join()
        # The last new SMS counts, not the 30 s of waiting for more.
        elapsed = last_change - started
        report(kind, db, n, services, elapsed, reports)
        db.dispose()
    finally:
        if second is not None:
            second.terminate()
            second.wait(15)
        stack.stop()
        if kind == "postgresql":
            drop_postgres_database(url)


def report(kind: str, db: Database, n: int, services: int, elapsed: float, reports: list[dict]) -> None:
    def gather(session):
        rows = session.execute(sa.select(FakeSms.msisdn, FakeSms.message).where(FakeSms.direction == "mt")).all()
        jobs = Counter(session.execute(sa.select(Job.status).where(Job.purpose == CHECKIN_PROMPT,
                                                                  Job.sent_at.is_not(None))).scalars())
        return rows, jobs

    rows, jobs = db.call(gather)
    prompts = Counter(msisdn for msisdn, text in rows if PROMPT_TEXT in text.lower())
    expected = {phone(i).lstrip("+") for i in range(n)}
    duplicates = sum(1 for m, c in prompts.items() if c > 1)
    misses = len(expected - set(prompts))
    outcomes = Counter(j["outcome"] for r in reports for j in r["jobs"])
    in_flight = max((r.get("max_in_flight", 1) for r in reports), default=0)
    concurrency = next((r["concurrency"] for r in reports if "concurrency" in r), "1 (sequential)")
    total = sum(prompts.values())
    print(f"{kind}, {services} service(s), scheduler concurrency {concurrency}: {total} prompts to the gateway "
          f"in {elapsed:.1f} s = {total / elapsed:.1f} prompts/s; duplicates {duplicates}, misses {misses}, "
          f"max in flight {in_flight}; job outcomes {dict(outcomes)}; {len(reports)} ticks; "
          f"10,000 would take {10_000 / max(total / elapsed, 1e-9) / 60:.1f} min")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--citizens", type=int, default=2000)
    parser.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--services", type=int, default=1, help="services ticking at once (PostgreSQL only)")
    parser.add_argument("--concurrency", type=int, default=None, help="SCHEDULER_CONCURRENCY (default: the service's)")
    args = parser.parse_args()
    for kind in args.db.split(","):
        run(kind, args.citizens, args.services if kind == "postgresql" else 1, args.concurrency)


if __name__ == "__main__":
    main()
