"""The crisis detector on the held-out taxonomy set (tests/nlu/crisis_heldout.yml; docs/nlu.md,
"Crisis taxonomy and held-out set"): recall per category x tense cell, per phrasing and per batch,
and the false-alarm rate on the hard negatives per kind.

    .venv/bin/python bench/crisis_heldout.py [--batch N] [--quiet]

A crisis message is caught when `detect` raises any crisis category (the alert is what matters); a
message that only the hopelessness list matches is a miss for crisis recall, counted apart (it still
gets the kind reply and a high alert). tests/nlu/test_crisis_heldout.py gates on the same numbers.
"""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

HELDOUT = ROOT / "tests" / "nlu" / "crisis_heldout.yml"
TENSES = ("thinking", "about_to", "has_done")
PHRASINGS = ("first_person", "sms", "typos", "no_aeoeaa", "english")
MIN_RECALL = 1.0
MAX_FALSE_ALARMS = 0.03


@dataclass(frozen=True)
class Message:
    batch: int
    text: str
    category: str  # the taxonomy category (crisis) or the kind of hard negative
    tense: str = ""
    phrasing: str = ""


@dataclass
class Score:
    crisis: list[tuple[Message, str | None, bool]] = field(default_factory=list)  # found category, hopelessness
    negatives: list[tuple[Message, str | None]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return _rate(found is not None for _, found, _ in self.crisis)

    @property
    def false_alarm_rate(self) -> float:
        return _rate(found is not None for _, found in self.negatives)

    def misses(self) -> list[Message]:
        return [m for m, found, _ in self.crisis if found is None]

    def hopelessness_only(self) -> list[Message]:
        return [m for m, found, hopeless in self.crisis if found is None and hopeless]

    def false_alarms(self) -> list[tuple[Message, str]]:
        return [(m, found) for m, found in self.negatives if found is not None]

    def summary(self) -> str:
        caught = sum(found is not None for _, found, _ in self.crisis)
        alarms = len(self.false_alarms())
        return (f"crisis recall {self.recall:.3f} ({caught}/{len(self.crisis)}; "
                f"{len(self.hopelessness_only())} of the misses hopelessness only), "
                f"false alarms {self.false_alarm_rate:.3f} ({alarms}/{len(self.negatives)})")


def _rate(hits) -> float:
    hits = list(hits)
    return sum(hits) / len(hits) if hits else 0.0


def load(path: Path = HELDOUT) -> tuple[list[Message], list[Message]]:
    """(crisis messages, hard negatives) of every batch."""
    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    crisis, negatives = [], []
    for batch in spec["batches"]:
        n = int(batch["batch"])
        for category, tenses in (batch.get("crisis") or {}).items():
            for tense, phrasings in tenses.items():
                for phrasing, texts in phrasings.items():
                    crisis += [Message(n, str(t), category, tense, phrasing) for t in texts]
        for kind, texts in (batch.get("negatives") or {}).items():
            negatives += [Message(n, str(t), kind) for t in texts]
    return crisis, negatives


def score(messages: tuple[list[Message], list[Message]],
          detect: Callable | None = None, detect_hopelessness: Callable | None = None) -> Score:
    if detect is None or detect_hopelessness is None:
        from bot.safety import crisis as detector

        detect = detect or detector.detect
        detect_hopelessness = detect_hopelessness or detector.detect_hopelessness
    crisis, negatives = messages
    result = Score()
    for m in crisis:
        found = detect(m.text)
        result.crisis.append((m, found and found.category, found is None and detect_hopelessness(m.text) is not None))
    for m in negatives:
        found = detect(m.text)
        result.negatives.append((m, found and f"{found.category} ({found.phrase}: {found.words})"))
    return result


def only(result: Score, keep: Callable[[Message], bool]) -> Score:
    return Score([c for c in result.crisis if keep(c[0])], [n for n in result.negatives if keep(n[0])])


def report(result: Score, quiet: bool = False) -> list[str]:
    crisis = [m for m, _, _ in result.crisis]
    categories = list(dict.fromkeys(m.category for m in crisis))
    lines = [result.summary(), "", "recall per cell (caught/total):",
             f"  {'category':<20}" + "".join(f"{t:>12}" for t in TENSES) + f"{'all':>12}"]
    for c in categories:
        cells = [only(result, lambda m, c=c, t=t: m.category == c and m.tense == t) for t in TENSES]
        whole = only(result, lambda m, c=c: m.category == c and bool(m.tense))
        lines.append(f"  {c:<20}" + "".join(f"{_fraction(s):>12}" for s in cells) + f"{_fraction(whole):>12}")
    lines += ["", "recall per phrasing: " + ", ".join(
        f"{p} {_fraction(only(result, lambda m, p=p: m.phrasing == p))}" for p in PHRASINGS)]
    batches = sorted({m.batch for m in crisis} | {m.batch for m, _ in result.negatives})
    if len(batches) > 1:
        lines += [f"batch {b}: " + only(result, lambda m, b=b: m.batch == b).summary() for b in batches]
    kinds = list(dict.fromkeys(m.category for m, _ in result.negatives))
    lines += ["", "false alarms per kind of hard negative: " + ", ".join(
        f"{k} {sum(f is not None for m, f in result.negatives if m.category == k)}/"
        f"{sum(m.category == k for m, _ in result.negatives)}" for k in kinds)]
    if not quiet:
        lines += ["", "missed crisis messages (category/tense/phrasing, batch):"]
        lines += [f"  {m.category}/{m.tense}/{m.phrasing} b{m.batch}: {m.text!r}"
                  + ("  [hopelessness only]" if m in result.hopelessness_only() else "") for m in result.misses()]
        lines += ["", "false alarms (kind, batch -> what matched):"]
        lines += [f"  {m.category} b{m.batch}: {m.text!r} -> {found}" for m, found in result.false_alarms()]
    return lines


def _fraction(s: Score) -> str:
    return f"{sum(f is not None for _, f, _ in s.crisis)}/{len(s.crisis)}" if s.crisis else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--batch", type=int, help="only this batch")
    parser.add_argument("--quiet", action="store_true", help="numbers only, no list of misses")
    args = parser.parse_args()
    result = score(load())
    if args.batch is not None:
        result = only(result, lambda m: m.batch == args.batch)
    print("\n".join(report(result, args.quiet)))


if __name__ == "__main__":
    main()
