"""Dates and times the way a Danish citizen reads them: "tirsdag 3. juni kl. 10", "kl. 13.30"."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime

from bot.core.clock import COPENHAGEN


def format_when(instant: datetime, zone: ZoneInfo = COPENHAGEN) -> str:
    local = instant.astimezone(zone)
    pattern = "EEEE d. MMMM 'kl.' H" if local.minute == 0 else "EEEE d. MMMM 'kl.' H.mm"
    return format_datetime(local, pattern, locale="da")


def format_day(day: date) -> str:
    return format_date(day, "EEEE d. MMMM", locale="da")
