"""Alert rules for a check-in (docs/architecture.md, "Check-ins and alerts"). Pure functions: each
alert carries the rule that fired and a reason a coordinator can read, so the triage is transparent."""
from __future__ import annotations

from dataclasses import dataclass, field

from bot.checkins.programmes import Programme
from bot.core.alert_catalogue import Rule, Severity

_RANK = {"green": 0, "yellow": 1, "red": 2}
DANISH = {"green": "grøn", "yellow": "gul", "red": "rød"}


@dataclass(frozen=True)
class CheckinAnswers:
    overall: str | None
    areas: dict[str, str] = field(default_factory=dict)
    focus_areas: list[str] = field(default_factory=list)
    wants_contact: bool | None = None


@dataclass(frozen=True)
class AlertDraft:
    rule: Rule
    severity: Severity
    reason: str


def contact_request(reason: str = "Borgeren beder om at blive ringet op.") -> AlertDraft:
    return AlertDraft(Rule.CONTACT_REQUEST, Rule.CONTACT_REQUEST.severity, reason)


def _worse_areas(current: CheckinAnswers, previous: CheckinAnswers) -> list[str]:
    return [
        area
        for area, colour in current.areas.items()
        if area in previous.areas and _RANK[colour] > _RANK[previous.areas[area]]
    ]


def evaluate(current: CheckinAnswers, previous: CheckinAnswers | None, programme: Programme) -> list[AlertDraft]:
    alerts: list[AlertDraft] = []
    if current.overall == "red":
        alerts.append(AlertDraft(Rule.OVERALL_RED, Rule.OVERALL_RED.severity, "Borgeren svarede rød (det går skidt) samlet set."))
    else:
        red_areas = [programme.label(a) for a, c in current.areas.items() if c == "red"]
        if red_areas:
            alerts.append(AlertDraft(Rule.AREA_RED, Rule.AREA_RED.severity, f"Rød på livsområde: {', '.join(red_areas)}."))
    if previous is not None:
        if (
            current.overall
            and previous.overall
            and _RANK[current.overall] - _RANK[previous.overall] >= 2
        ):
            alerts.append(
                AlertDraft(
                    Rule.WORSENED,
                    Rule.WORSENED.severity,
                    f"Forværring: samlet {DANISH[previous.overall]} sidst, {DANISH[current.overall]} nu.",
                )
            )
        else:
            worse = _worse_areas(current, previous)
            if len(worse) >= 2:
                labels = ", ".join(programme.label(a) for a in worse)
                alerts.append(AlertDraft(Rule.WORSENED, Rule.WORSENED.severity, f"Forværring på {len(worse)} livsområder: {labels}."))
    if current.wants_contact:
        alerts.append(contact_request("Borgeren bad om at blive ringet op i sit tjek ind."))
    return alerts
