"""Slowing down password guessing per account and client address: a few free tries, then each further
try has to wait twice as long as the one before (30 s, 60 s, ... up to 15 minutes)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class LoginThrottle:
    free_attempts: int = 5
    window: timedelta = timedelta(minutes=30)
    first_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(minutes=15)

    def wait(self, failures: list[datetime], now: datetime) -> timedelta:
        """How long before the next try is accepted, given the recent failures (oldest first)."""
        excess = len(failures) - self.free_attempts
        if excess < 0:
            return timedelta(0)
        delay = min(self.first_delay * (2 ** excess), self.max_delay)
        return max(timedelta(0), failures[-1] + delay - now)
