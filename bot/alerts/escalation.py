"""When an unacknowledged alert goes to the backup: urgent after 30 minutes around the clock, high
after 4 working hours (Mon-Fri 08-16 Europe/Copenhagen). An urgent alert still unacknowledged 30
minutes after that first step goes to the duty contact (docs/architecture.md, "Check-ins and alerts").
All configurable. Working time is counted on the local wall clock and the arithmetic is done in UTC,
so DST changes neither add nor lose an hour."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from bot.core.alert_catalogue import Severity
from bot.core.clock import COPENHAGEN


@dataclass(frozen=True)
class EscalationPolicy:
    urgent_after: timedelta = timedelta(minutes=30)
    # Counted from the first step (the backup, or the owner's reminder when there is no backup), not
    # from the alert: a scheduler that was down must not let the backup and the duty contact hear
    # about it in the same minute, with no time for the backup to act.
    duty_after: timedelta = timedelta(minutes=30)
    high_after_working: timedelta = timedelta(hours=4)
    workday_start: time = time(8)
    workday_end: time = time(16)
    workdays: frozenset[int] = field(default_factory=lambda: frozenset(range(5)))  # Monday = 0
    tz: ZoneInfo = COPENHAGEN

    @property
    def severities(self) -> tuple[str, ...]:
        return (Severity.URGENT, Severity.HIGH)

    @classmethod
    def from_env(cls, env: dict[str, str]) -> EscalationPolicy:
        start, _, end = env.get("ESCALATION_WORKING_HOURS", "08:00-16:00").partition("-")
        first, _, last = env.get("ESCALATION_WORKING_DAYS", "1-5").partition("-")  # ISO: Monday = 1
        return cls(
            urgent_after=timedelta(minutes=float(env.get("ESCALATION_URGENT_MINUTES", "30"))),
            duty_after=timedelta(minutes=float(env.get("ESCALATION_DUTY_MINUTES", "30"))),
            high_after_working=timedelta(hours=float(env.get("ESCALATION_HIGH_WORKING_HOURS", "4"))),
            workday_start=time.fromisoformat(start),
            workday_end=time.fromisoformat(end),
            workdays=frozenset(range(int(first) - 1, int(last or first))),
        )

    def deadline(self, severity: str, created_at: datetime) -> datetime | None:
        if severity == Severity.URGENT:
            return created_at.astimezone(timezone.utc) + self.urgent_after  # UTC: a DST night has no gap
        if severity == Severity.HIGH:
            return self.add_working_time(created_at, self.high_after_working)
        return None

    def duty_deadline(self, severity: str, escalated_at: datetime | None) -> datetime | None:
        """When an alert goes to the duty contact: urgent ones only, once the first step was taken.
        Real elapsed time (UTC), around the clock: the duty contact is on call day and night."""
        if severity != Severity.URGENT or escalated_at is None:
            return None
        return escalated_at.astimezone(timezone.utc) + self.duty_after

    def add_working_time(self, start: datetime, amount: timedelta) -> datetime:
        remaining = amount
        day = start.astimezone(self.tz).date()
        cursor = start.astimezone(timezone.utc)
        for _ in range(3660):  # ten years of days: a policy with no working time cannot loop forever
            if day.weekday() in self.workdays:
                opens = datetime.combine(day, self.workday_start, self.tz).astimezone(timezone.utc)
                closes = datetime.combine(day, self.workday_end, self.tz).astimezone(timezone.utc)
                cursor = max(cursor, opens)
                if cursor < closes:
                    if remaining <= closes - cursor:
                        return cursor + remaining
                    remaining -= closes - cursor
            day += timedelta(days=1)
        raise ValueError("the escalation policy has no working hours")
