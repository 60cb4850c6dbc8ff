"""What happens when a citizen's message contains crisis language: an urgent alert for the
coordinator (one per hour per citizen, so a long crisis conversation does not bury the list).
Hopelessness (docs/nlu.md, "Hopelessness") is the lower level: a high alert, in the same quiet window."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.alert_catalogue import Rule
from bot.core.vocabulary import AlertStatus
from bot.db import alerts as alert_db
from bot.db.models import Alert

RULE = Rule.CRISIS_LANGUAGE
CATEGORY_DANISH = {
    "suicide": "selvmordstanker",
    "self_harm": "selvskade",
    "violence": "vold",
    "acute_illness": "akut sygdom",
}
REPEAT_AFTER = timedelta(hours=1)


def _told_recently(session: Session, citizen_id: int, rules: tuple[Rule, ...], now: datetime) -> bool:
    """An open alert of one of these rules from the last REPEAT_AFTER (the catalogue's QUIET_WINDOW)."""
    return any(alert.rule in rules and now - alert.created_at < REPEAT_AFTER
               for alert in alert_db.list_alerts(session, citizen_id=citizen_id, status=AlertStatus.OPEN))


def crisis_alert(session: Session, citizen_id: int, category: str, now: datetime) -> Alert | None:
    if _told_recently(session, citizen_id, (RULE,), now):
        return None
    reason = (f"Krisesprog i en besked fra borgeren ({CATEGORY_DANISH.get(category, category)}). "
              "Borgeren har fået besked om 112 og Livslinien. Kontakt borgeren hurtigst muligt.")
    return alert_db.add_alert(session, citizen_id, rule=RULE, severity=RULE.severity, reason=reason, created_at=now)


def hopelessness_alert(session: Session, citizen_id: int, now: datetime) -> Alert | None:
    """A high alert, unless a crisis or hopelessness alert for the citizen is open from the last
    REPEAT_AFTER: the coordinator has been told and is calling."""
    rule = Rule.HOPELESSNESS
    if _told_recently(session, citizen_id, (RULE, rule), now):
        return None
    reason = ("Borgeren skriver noget, der lyder som håbløshed eller at borgeren ikke kan mere. "
              "Borgeren har fået et kort svar med 112 og Livslinien. Kontakt borgeren snarest.")
    return alert_db.add_alert(session, citizen_id, rule=rule, severity=rule.severity, reason=reason, created_at=now)
