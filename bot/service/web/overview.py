"""The "my citizens" list: one line per citizen, the most urgent first."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.alert_catalogue import SEVERITY_RANK
from bot.core.vocabulary import AlertStatus, CitizenStatus
from bot.db import alerts as alert_db
from bot.db import appointments as appointment_db
from bot.db import checkins as checkin_db
from bot.db import citizens as citizen_db
from bot.db import stratifications as stratification_db
from bot.db.models import Appointment, Citizen

_COLOUR_RANK = {"red": 2, "yellow": 1, "green": 0}


@dataclass
class CitizenSummary:
    citizen: Citizen
    colour: str | None = None
    colour_at: datetime | None = None
    colour_status: str | None = None  # of that check-in: open (being answered), partial or complete
    trend: str | None = None  # better | worse | same | None (fewer than two colours)
    open_alerts: list[str] = field(default_factory=list)  # severities, not yet acknowledged
    acknowledged_alerts: int = 0
    next_appointment: Appointment | None = None
    level: int | None = None

    @property
    def opted_out(self) -> bool:
        return self.citizen.status == CitizenStatus.OPTED_OUT

    @property
    def top_severity(self) -> str | None:
        return max(self.open_alerts, key=SEVERITY_RANK.__getitem__, default=None)


def trend(newest: str | None, previous: str | None) -> str | None:
    if newest not in _COLOUR_RANK or previous not in _COLOUR_RANK:
        return None
    diff = _COLOUR_RANK[newest] - _COLOUR_RANK[previous]
    return "worse" if diff > 0 else "better" if diff < 0 else "same"


def urgency_key(summary: CitizenSummary) -> tuple:
    """Unacknowledged alerts by severity, then the latest colour, then getting worse, then the
    nearest meeting; ties by name. Sorted ascending, so every "more urgent" is a smaller number."""
    far_future = datetime.max.replace(tzinfo=None)
    meeting = summary.next_appointment.starts_at.replace(tzinfo=None) if summary.next_appointment else far_future
    return (
        -SEVERITY_RANK.get(summary.top_severity or "", 0),
        -len(summary.open_alerts),
        -_COLOUR_RANK.get(summary.colour or "", -1),
        0 if summary.trend == "worse" else 1,
        meeting,
        summary.citizen.name.lower(),
    )


def citizen_overview(session: Session, coordinator_id: int, now: datetime) -> list[CitizenSummary]:
    citizens = citizen_db.list_citizens(session, coordinator_id)
    ids = [c.id for c in citizens]
    colours = checkin_db.recent_colours(session, ids)
    alerts = alert_db.unresolved_alerts(session, ids)
    meetings = appointment_db.next_appointments(session, ids, now)
    levels = stratification_db.current_levels(session, ids)
    summaries = []
    for citizen in citizens:
        recent = colours.get(citizen.id, [])
        summary = CitizenSummary(
            citizen,
            colour=recent[0].overall if recent else None,
            colour_at=recent[0].created_at if recent else None,
            colour_status=recent[0].status if recent else None,
            trend=trend(recent[0].overall, recent[1].overall) if len(recent) > 1 else None,
            open_alerts=[sev for sev, status in alerts.get(citizen.id, []) if status == AlertStatus.OPEN],
            acknowledged_alerts=sum(1 for _, status in alerts.get(citizen.id, []) if status == AlertStatus.ACKNOWLEDGED),
            next_appointment=meetings.get(citizen.id),
            level=levels.get(citizen.id),
        )
        summaries.append(summary)
    return sorted(summaries, key=urgency_key)
