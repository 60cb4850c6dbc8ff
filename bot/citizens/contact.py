"""A citizen asking for a person: one open contact_request per citizen at a time."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from bot.checkins.rules import contact_request
from bot.core.alert_catalogue import Rule
from bot.db import alerts as alert_db
from bot.db.models import Alert, Citizen


def request_contact(session: Session, citizen: Citizen, now: datetime) -> Alert:
    """Repeated "ring til mig" while one request is still open does not pile up alerts."""
    existing = alert_db.open_alert(session, citizen.id, Rule.CONTACT_REQUEST)  # Dedupe.ONE_OPEN
    if existing is not None:
        return existing
    draft = contact_request()
    return alert_db.add_alert(
        session, citizen.id, rule=draft.rule, severity=draft.severity, reason=draft.reason, created_at=now
    )
