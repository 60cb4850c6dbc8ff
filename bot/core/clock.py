"""Injected time: production code asks a Clock, tests pass a FixedClock or start their servers on a
stated clock (docs/testing.md, "Time in tests").

A test stack's processes (coordination service, action server, Rasa's channels) are started with
APP_CLOCK_START and APP_CLOCK_ANCHOR: each reads a clock that showed START at the real instant ANCHOR
and runs at real speed from there. All processes share the mapping, so they agree on "now" to the
millisecond, and the tests compute their times from the same mapping (tests/stack.py). It is refused
when APP_ENV=production: a real deployment only ever runs on the wall clock."""
from __future__ import annotations

import functools
import os
import time
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


class Clock:
    def now(self) -> datetime:
        return datetime.now(timezone.utc)


class FixedClock(Clock):
    """A clock that only moves when told to."""

    def __init__(self, now: datetime):
        self._now = now

    def now(self) -> datetime:
        return self._now

    def set(self, now: datetime) -> None:
        self._now = now

    def advance(self, delta: timedelta) -> None:
        self._now += delta


class ShiftedClock(Clock):
    """A clock that showed `start` at the real (epoch) instant `anchor` and runs at real speed."""

    def __init__(self, start: datetime, anchor: float):
        if start.tzinfo is None:
            raise ValueError("the start of a shifted clock must carry its UTC offset")
        self.start = start.astimezone(timezone.utc)
        self.anchor = anchor

    def now(self) -> datetime:
        return self.start + timedelta(seconds=time.time() - self.anchor)


def clock_from_env(env: Mapping[str, str] | None = None) -> Clock:
    """The wall clock, or the shifted clock a test stack asks for (never in production)."""
    env = os.environ if env is None else env
    start = env.get("APP_CLOCK_START")
    if not start:
        return Clock()
    if env.get("APP_ENV", "development") == "production":
        raise RuntimeError("APP_CLOCK_START is for tests only and is refused when APP_ENV=production")
    return ShiftedClock(datetime.fromisoformat(start), float(env.get("APP_CLOCK_ANCHOR") or time.time()))


@functools.lru_cache(maxsize=1)
def process_clock() -> Clock:
    """This process's clock, read once from the environment: the default for rows whose time the
    caller did not state (bot.db.models)."""
    return clock_from_env()
