"""Dates and times as a Danish citizen reads them: "tirsdag 3. juni kl. 10.30", Copenhagen time."""
from __future__ import annotations

from datetime import date, datetime

from bot.clock import COPENHAGEN

WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
MONTHS = ["januar", "februar", "marts", "april", "maj", "juni", "juli", "august", "september", "oktober",
          "november", "december"]


def day_text(value: date) -> str:
    return f"{WEEKDAYS[value.weekday()]} {value.day}. {MONTHS[value.month - 1]}"


def when_text(moment: datetime) -> str:
    local = moment.astimezone(COPENHAGEN)
    clock = f"{local.hour}" if local.minute == 0 else f"{local.hour}.{local.minute:02d}"
    return f"{day_text(local.date())} kl. {clock}"
