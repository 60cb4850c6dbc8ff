"""Retention: what is deleted by itself, and when (docs/privacy.md, "Retention"; issue 12, point 8).

The policy is pure (`cutoffs`): from the settings (RETENTION_*; bot/core/config.py) and `now` it
gives the instant before which each kind of data is past its period:
- a citizen's conversation (Rasa's tracker store) and messages (SMS in and out, and the fake
  operator's copy): `conversation_months` after their course ended, each item also that long after
  it was written (a citizen may still write after the end);
- the access log: `access_log_years` after each entry, also an erased citizen's kept trail;
- dashboard sessions: at their expiry; failed logins: `login_failure_hours` after the failure.
The citizen's structured record (check-ins, alerts, appointments, agreements, stratification) is
not deleted by time: erasing a person is the coordinator's decision (docs/privacy.md).

`purge` is the use case on the coordination database (one transaction); `Retention.run` is what the
scheduler's tick calls (bot/scheduler/runner.py): the transaction first, then the tracker store,
which is another database, outside it."""
from __future__ import annotations

import asyncio
import calendar
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.config import RetentionSettings
from bot.db import retention as retention_db
from bot.db.access_log import delete_older_than as delete_access_log_before
from bot.db.database import Database
from bot.db.tracker_events import TrackerEvents
from bot.db.web_sessions import purge_expired

log = logging.getLogger(__name__)


def months_before(now: datetime, months: int) -> datetime:
    """The same day and time `months` calendar months earlier (the month's last day if shorter)."""
    month_index = now.year * 12 + now.month - 1 - months
    year, month = divmod(month_index, 12)
    day = min(now.day, calendar.monthrange(year, month + 1)[1])
    return now.replace(year=year, month=month + 1, day=day)


@dataclass(frozen=True)
class Cutoffs:
    """Data from before each instant is past its period."""

    conversations: datetime
    access_log: datetime
    login_failures: datetime
    sessions: datetime


def cutoffs(now: datetime, settings: RetentionSettings) -> Cutoffs:
    return Cutoffs(
        conversations=months_before(now, settings.conversation_months),
        access_log=months_before(now, 12 * settings.access_log_years),
        login_failures=now - timedelta(hours=settings.login_failure_hours),
        sessions=now,
    )


def purge(session: Session, now: datetime, settings: RetentionSettings,
          citizen_ids: list[int] | None = None) -> tuple[dict[str, int], list[str]]:
    """Deletes what is past its period in the coordination database; returns the counts and the
    phone numbers (Rasa's sender ids) whose old conversation events go next. With `citizen_ids`
    (a scoped tick: tests that share one stack) only those citizens' data, and nothing global."""
    limits = cutoffs(now, settings)
    counts = retention_db.delete_messages(session, limits.conversations, citizen_ids)
    counts["access_log"] = delete_access_log_before(session, limits.access_log, citizen_ids)
    if citizen_ids is None:
        counts["web_sessions"] = purge_expired(session, limits.sessions)
        counts["login_failures"] = retention_db.delete_login_failures_before(session, limits.login_failures)
    return counts, retention_db.phones_ended_before(session, limits.conversations, citizen_ids)


class Retention:
    """The retention pass on the scheduler's beat: at most every `interval_minutes` for the
    scheduler's own loop, and on every tick that names citizens (their data only)."""

    def __init__(self, db: Database, tracker: TrackerEvents, settings: RetentionSettings):
        self.db = db
        self.tracker = tracker
        self.settings = settings
        self.last_run: datetime | None = None

    def due(self, now: datetime, citizen_ids: list[int] | None) -> bool:
        if citizen_ids is not None or self.last_run is None:
            return True
        return now - self.last_run >= timedelta(minutes=self.settings.interval_minutes)

    async def run(self, now: datetime, citizen_ids: list[int] | None = None) -> dict | None:
        """What was deleted, per table; None when not due. Never raises: a failing pass is logged
        and tried again on the next beat (nothing is lost by deleting later)."""
        if not self.due(now, citizen_ids):
            return None
        try:
            counts, phones = await self.db.run(purge, now, self.settings, citizen_ids)
            cutoff = cutoffs(now, self.settings).conversations
            counts["conversation_events"] = await asyncio.get_running_loop().run_in_executor(
                None, self.tracker.delete_older_than, phones, cutoff)
        except Exception as exc:  # the tick's other work must go on
            log.exception("retention pass failed; trying again on the next beat")
            return {"error": type(exc).__name__}
        if citizen_ids is None:
            self.last_run = now
        if any(counts.values()):
            log.info("retention deleted %s", {k: v for k, v in counts.items() if v})
        return counts
