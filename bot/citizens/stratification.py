"""Esbjerg's stratification: four levels of needed support from two judgements, the complexity of
the functional impairment and the citizen's coping ability (mestringsevne).

The source report names the axes but not the four categories (their names and cut-offs are in a
figure without text), so the labels below are neutral placeholders to replace with the municipality's
own wording. The level order assumes coping weighs more than complexity; that too is the
municipality's call."""
from __future__ import annotations

from dataclasses import dataclass

COMPLEXITY_LABELS = {"low": "Mindre kompleks funktionsnedsættelse", "high": "Kompleks funktionsnedsættelse"}
COPING_LABELS = {"good": "God mestringsevne", "weak": "Svag mestringsevne"}


@dataclass(frozen=True)
class Level:
    number: int
    label: str


LEVELS = {
    ("low", "good"): Level(1, "Niveau 1 - lille støttebehov"),
    ("high", "good"): Level(2, "Niveau 2 - moderat støttebehov"),
    ("low", "weak"): Level(3, "Niveau 3 - større støttebehov"),
    ("high", "weak"): Level(4, "Niveau 4 - omfattende støttebehov"),
}
LEVEL_LABELS = {level.number: level.label for level in LEVELS.values()}


def level_for(complexity: str, coping: str) -> Level:
    try:
        return LEVELS[(complexity, coping)]
    except KeyError:
        raise ValueError(f"unknown stratification: complexity={complexity!r}, coping={coping!r}") from None
