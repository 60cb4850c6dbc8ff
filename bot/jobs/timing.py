"""When things are due, in local time and DST-safe: local wall-clock times are built with zoneinfo
and converted to UTC, so "10:00 the day before" is 10:00 in Copenhagen in summer and winter."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from bot.core.config import ProactiveSettings


def local_instant(day: date, at: time, settings: ProactiveSettings) -> datetime:
    """The UTC instant of a local wall-clock time. Times inside a DST gap resolve forward (fold=0)."""
    return datetime.combine(day, at, tzinfo=settings.timezone).astimezone(timezone.utc)


def local_date(instant: datetime, settings: ProactiveSettings) -> date:
    return instant.astimezone(settings.timezone).date()


def in_window(instant: datetime, settings: ProactiveSettings) -> bool:
    local = instant.astimezone(settings.timezone).time()
    return settings.quiet_end <= local < settings.quiet_start


def next_window(instant: datetime, settings: ProactiveSettings) -> datetime:
    """The instant itself when proactive messages are allowed then, else the next morning's start."""
    if in_window(instant, settings):
        return instant
    local = instant.astimezone(settings.timezone)
    day = local.date() if local.time() < settings.quiet_end else local.date() + timedelta(days=1)
    return local_instant(day, settings.quiet_end, settings)


def reminder_times(starts_at: datetime, settings: ProactiveSettings) -> list[datetime]:
    """The day before at 10:00 and 2 hours before (defaults), earliest first, without duplicates."""
    day_before = local_instant(local_date(starts_at, settings) - timedelta(days=1),
                               settings.reminder_day_before_at, settings)
    shortly = starts_at - timedelta(hours=settings.reminder_hours_before)
    return sorted({day_before, shortly})


def unanswered_check_time(starts_at: datetime, settings: ProactiveSettings) -> datetime:
    return starts_at - timedelta(hours=settings.unanswered_alert_hours_before)


def missed_followup_time(starts_at: datetime, ends_at: datetime | None, now: datetime,
                         settings: ProactiveSettings) -> datetime:
    """An hour after the end (defaults); if the appointment is marked missed later than that, now."""
    end = ends_at or starts_at + timedelta(hours=1)
    return max(end + timedelta(minutes=settings.missed_followup_minutes_after_end), now)


def next_checkin_prompt(anchor: datetime, interval_days: int, today: date, settings: ProactiveSettings) -> datetime:
    """`interval_days` after the anchor's local date, at the prompt time. A prompt that would lie
    before today (the service was off) moves forward in whole intervals, so no backlog is sent and
    every scheduler computes the same instant on the same day."""
    day = local_date(anchor, settings) + timedelta(days=interval_days)
    if day < today:
        behind = (today - day).days
        day += timedelta(days=-(-behind // interval_days) * interval_days)
    return local_instant(day, settings.checkin_prompt_at, settings)


def open_checkin_nudge_time(last_answer_at: datetime, settings: ProactiveSettings) -> datetime:
    """The one nudge about a check-in left open: some hours after the last answer (default 2), moved
    out of quiet hours (docs/decisions.md, "An answer counts the moment it is given")."""
    return next_window(last_answer_at + timedelta(hours=settings.checkin_open_nudge_hours), settings)


def open_checkin_close_time(last_answer_at: datetime, settings: ProactiveSettings) -> datetime:
    """When a check-in still open is closed as partial: at the end of the local day of the last
    answer (midnight), but never sooner than `checkin_open_close_hours` after the nudge could go
    out, so an answer late in the evening still gets its nudge the next morning and time to reply."""
    day_ends = local_instant(local_date(last_answer_at, settings) + timedelta(days=1), time(0), settings)
    after_nudge = open_checkin_nudge_time(last_answer_at, settings) + timedelta(hours=settings.checkin_open_close_hours)
    return max(day_ends, after_nudge)


def questionnaire_nudge_due(questionnaire, job_due_at: datetime, settings: ProactiveSettings) -> datetime:
    """When a round's one nudge goes (its job due at `job_due_at`): QUESTIONNAIRE_NUDGE_HOURS after
    the last answer (none yet: after the round was asked), never before the job's own time, moved
    out of quiet hours. The scheduler's handler defers the job until then; the conversation tells
    the citizen this time (actions/outcomes.py)."""
    last = questionnaire.last_answer_at or questionnaire.asked_at or job_due_at
    return next_window(max(job_due_at, last + timedelta(hours=settings.questionnaire_nudge_hours)), settings)


def backoff(attempts: int, settings: ProactiveSettings) -> timedelta:
    """1, 2, 4, ... minutes (defaults), capped at an hour."""
    seconds = settings.retry_base_seconds * 2 ** max(attempts - 1, 0)
    return timedelta(seconds=min(seconds, settings.retry_max_seconds))


def questionnaire_due(anchor: datetime, days: int, now: datetime, settings: ProactiveSettings) -> datetime:
    """`days` after the anchor's local date at QUESTIONNAIRE_AT. A time already past (the service
    was off, or a citizen older than the feature) becomes the next QUESTIONNAIRE_AT from now: a
    round is late, never sent as a backlog, and every scheduler computes the same instant."""
    due = local_instant(local_date(anchor, settings) + timedelta(days=days), settings.questionnaire_at, settings)
    if due >= now:
        return due
    today = local_instant(local_date(now, settings), settings.questionnaire_at, settings)
    return today if today >= now else local_instant(local_date(now, settings) + timedelta(days=1),
                                                    settings.questionnaire_at, settings)
