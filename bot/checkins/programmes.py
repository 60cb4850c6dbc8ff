"""Programme settings (check-in shape and life areas) loaded from programmes.yml."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import yaml

CONFIG = Path(__file__).with_name("programmes.yml")
DEFAULT_PROGRAMME = "standard"


@dataclass(frozen=True)
class LifeArea:
    key: str
    label: str  # Danish: the coordinator's pages, and a Danish citizen's messages
    words: tuple[str, ...]  # Danish, the source language
    # Another language's words (`words_<code>` in programmes.yml): a citizen of that language is read
    # in those instead, since the Danish stems are English words too ("mad", "boern" is "born").
    other_words: dict[str, tuple[str, ...]] = field(default_factory=dict, hash=False, compare=False)
    # Another language's label (`label_<code>`): what a citizen of that language is shown.
    other_labels: dict[str, str] = field(default_factory=dict, hash=False, compare=False)

    def words_in(self, language: str) -> tuple[str, ...]:
        """The words a citizen of `language` names this area by; Danish when it has none listed."""
        return self.other_words.get(language, self.words)

    def label_in(self, language: str | None) -> str:
        """The area's name in a message to a citizen of `language`; the Danish label when it has none."""
        return self.other_labels.get(language or "", self.label)


@dataclass(frozen=True)
class Programme:
    name: str
    shape: str  # "short" | "full"
    areas: tuple[LifeArea, ...]

    def area(self, key: str) -> LifeArea:
        return next(a for a in self.areas if a.key == key)

    def label(self, key: str) -> str:
        return self.area(key).label

    def numbered_areas(self, language: str | None) -> str:
        """"1 Krop og helbred, 2 Humør og trivsel, ...": the areas as "Hvad fylder mest?" lists them."""
        return ", ".join(f"{i} {area.label_in(language)}" for i, area in enumerate(self.areas, start=1))


@cache
def _load(path: Path = CONFIG) -> dict[str, Programme]:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    programmes = {}
    for name, spec in raw["programmes"].items():
        if spec["shape"] not in ("short", "full"):
            raise ValueError(f"programme {name}: shape must be short or full")
        areas = tuple(LifeArea(a["key"], a["label"], tuple(a.get("words", [])),
                               {k.removeprefix("words_"): tuple(v) for k, v in a.items() if k.startswith("words_")},
                               {k.removeprefix("label_"): str(v) for k, v in a.items() if k.startswith("label_")})
                      for a in spec["areas"])
        programmes[name] = Programme(name, spec["shape"], areas)
    return programmes


def programme_names() -> list[str]:
    return list(_load())


def get_programme(name: str | None) -> Programme:
    programmes = _load()
    return programmes.get(name or DEFAULT_PROGRAMME, programmes[DEFAULT_PROGRAMME])


def response_placeholders(slots: dict, language: str) -> dict[str, str]:
    """What the check-in's questions name that no slot holds, from the slots: the response
    generator fills these in Rasa's own process (bot/channels/nlg.py), so asking "Hvad fylder
    mest?" needs no call to the action server (docs/performance.md, round 4)."""
    return {"area_list": get_programme(slots.get("checkin_programme")).numbered_areas(language)}
