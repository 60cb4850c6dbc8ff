"""When a WHO-5 score alerts the coordinator (docs/outcomes.md, "Alerts"). Both rules come from the
evaluation of Samarbejdsmodellen (seed 004): a change of 10 points or more is clinically significant
(Sundhedsstyrelsen 2017), and 0-35 is the band "stor risiko for depression eller stressbelastning".
A fall is the stronger signal: most citizens start at 35 or below (the notes, R27), so the band
alone would alert for most of them, and the coordinator already knows their level."""
from __future__ import annotations

from dataclasses import dataclass

from bot.core.alert_catalogue import Rule

DROP_POINTS = 10
LOW_BAND_TOP = 35


@dataclass(frozen=True)
class OutcomeAlert:
    rule: Rule
    reason: str  # Danish, for the coordinator; scores only, no answers
    threshold: int


def who5_alerts(score: int, previous: int | None) -> list[OutcomeAlert]:
    alerts = []
    if previous is not None and previous - score >= DROP_POINTS:
        alerts.append(OutcomeAlert(
            Rule.WHO5_DROP, f"WHO-5 faldt fra {previous} til {score} point ({previous - score} point; "
                            f"grænsen er et fald på {DROP_POINTS}).", DROP_POINTS))
    if score <= LOW_BAND_TOP:
        alerts.append(OutcomeAlert(
            Rule.WHO5_LOW, f"WHO-5 er {score} point: i båndet 0-{LOW_BAND_TOP} (stor risiko for depression "
                           "eller stressbelastning).", LOW_BAND_TOP))
    return alerts
