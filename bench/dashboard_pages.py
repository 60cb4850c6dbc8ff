"""How fast the dashboard's heaviest pages render for a busy coordinator: 15 citizens with a year of
weekly check-ins each (52), their alerts, and a meeting each. Prints median and p95 per page.

    .venv/bin/python -m bench.dashboard_pages [DATABASE_URL]   (default: a throw-away SQLite file)
"""
from __future__ import annotations

import asyncio
import re
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone

from aiohttp.test_utils import TestClient, TestServer

from bot.checkins.record import record_checkin
from bot.checkins.rules import CheckinAnswers
from bot.core.clock import FixedClock
from bot.core.config import Settings
from bot.core.passwords import hash_password
from bot.db.appointments import create_appointment
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator, set_password_hash
from bot.db.database import Database
from bot.db.migrate import upgrade
from bot.service.app import create_app

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=timezone.utc)
COLOURS = ["green", "green", "yellow", "green", "red", "yellow"]
ROUNDS = 40


def seed(session) -> list[int]:
    coordinator, _ = create_coordinator(session, "Bench", email="bench@example.invalid")
    set_password_hash(session, coordinator, hash_password("bench-password"))
    ids = []
    for n in range(15):
        citizen = create_citizen(session, name=f"Borger {n:02d}", phone=f"+452100{n:04d}",
                                 coordinator_id=coordinator.id)
        for week in range(52, 0, -1):
            colour = COLOURS[(n + week) % len(COLOURS)]
            answers = CheckinAnswers(colour, focus_areas=["krop"] if colour != "green" else [])
            record_checkin(session, citizen, answers, note="Lidt tekst" if week % 5 == 0 else None, complete=True,
                           channel="sms", now=NOW - timedelta(weeks=week))
        create_appointment(session, citizen.id, kind="opfoelgning", starts_at=NOW + timedelta(days=n + 1),
                           created_at=NOW)
        ids.append(citizen.id)
    return ids


async def timed(client: TestClient, path: str) -> list[float]:
    samples = []
    for _ in range(ROUNDS):
        start = time.perf_counter()
        resp = await client.get(path)
        await resp.read()
        assert resp.status == 200, path
        samples.append((time.perf_counter() - start) * 1000)
    return samples


async def main(url: str) -> None:
    upgrade(url)
    db = Database(url)
    ids = db.call(seed)
    app = create_app(Settings.from_env({"DATABASE_URL": url}), db=db, clock=FixedClock(NOW))
    async with TestClient(TestServer(app)) as client:
        page = await (await client.get("/login")).text()
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        await client.post("/login", data={"csrf_token": token, "email": "bench@example.invalid",
                                          "password": "bench-password"})
        for label, path in [("my citizens (15)", "/"), ("citizen page (52 check-ins)", f"/citizens/{ids[0]}"),
                            ("alerts page", "/alerts")]:
            samples = sorted(await timed(client, path))
            print(f"{label:30s} median {statistics.median(samples):6.1f} ms   p95 {samples[int(len(samples) * .95)]:6.1f} ms")
    db.dispose()


if __name__ == "__main__":
    target = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    asyncio.run(main(target))
