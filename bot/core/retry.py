"""How long to wait before the next try: doubling from a base, capped (the SMS and e-mail outboxes)."""
from __future__ import annotations

from datetime import timedelta


def backoff(attempts: int, base: timedelta, ceiling: timedelta) -> timedelta:
    """After the first attempt `base`, then twice as long each time, never more than `ceiling`."""
    return min(base * (2 ** (attempts - 1)), ceiling)
