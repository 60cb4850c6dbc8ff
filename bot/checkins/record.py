"""Storing a check-in and raising the alerts its rules call for, in one transaction."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.checkins.programmes import get_programme
from bot.checkins.rules import CheckinAnswers, evaluate
from bot.db import alerts as alert_db
from bot.db import checkins as checkin_db
from bot.db.models import Alert, CheckIn, Citizen


def record_checkin(
    session: Session,
    citizen: Citizen,
    answers: CheckinAnswers,
    *,
    note: str | None,
    complete: bool,
    channel: str,
    now: datetime,
) -> tuple[CheckIn, list[Alert]]:
    previous_row = checkin_db.latest_checkin_with_colour(session, citizen.id)
    previous = (
        CheckinAnswers(overall=previous_row.overall, areas=dict(previous_row.areas or {})) if previous_row else None
    )
    checkin = checkin_db.add_checkin(
        session,
        citizen.id,
        created_at=now,
        overall=answers.overall,
        areas=dict(answers.areas),
        focus_areas=list(answers.focus_areas),
        note=note,
        wants_contact=answers.wants_contact,
        channel=channel,
        complete=complete,
    )
    drafts = evaluate(answers, previous, get_programme(citizen.programme))
    alerts = [
        alert_db.add_alert(
            session,
            citizen.id,
            rule=d.rule,
            severity=d.severity,
            reason=d.reason,
            created_at=now,
            checkin_id=checkin.id,
        )
        for d in drafts
    ]
    return checkin, alerts
