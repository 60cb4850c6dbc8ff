"""NLU quality gates: the held-out sets, the scores, and the thresholds the build must meet.

Shared by tests/nlu/test_nlu_gate.py (fails `make test`), bench/nlu.py and bench/compare_pipelines.py,
so every number in docs/nlu.md is computed the same way. The red-colour gate goes through
`decide_colour`, the function the check-in uses, so it measures what citizens get.
"""
from __future__ import annotations

import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from bot.checkins.answers import RED, STOP_CONFIDENT, decide_colour
from bot.checkins.language import file_language
from bot.core.text import fold

ROOT = Path(__file__).resolve().parents[2]
TRAINING = ROOT / "data" / "nlu"
NLU_TESTS = ROOT / "tests" / "nlu"
HELDOUT_FILES = sorted(NLU_TESTS.glob("heldout*.yml"))  # every language's held-out intent files
COLOURS = NLU_TESTS / "colours.yml"
CRISIS = NLU_TESTS / "crisis.yml"
# Each language is measured on its own held-out sets (docs/nlu.md, "English"): a file whose name ends
# in "_<language code>" (two or three letters) belongs to that language (heldout_en.yml,
# colours_en.yml, crisis_en.yml); any other name is Danish, the source language (heldout.yml, or
# heldout_<flow>.yml, a flow's name being longer). A language is added by adding its files.
DEFAULT_LANGUAGE = "da"
CRISIS_CATEGORIES = ("suicide", "self_harm", "violence", "acute_illness")

MIN_MACRO_F1 = 0.90
MIN_SAFETY_RECALL = 0.98  # red colour, contact request, crisis
MAX_CRISIS_FALSE_ALARMS = 0.15  # keeps "alert on everything" from passing the recall gate
CONTACT_INTENT = "request_contact"
STOP_INTENT = "stop_checkin"  # the intent that ends a form (actions/forms.py)


@dataclass(frozen=True)
class Parse:
    intent: str | None
    confidence: float


# ---- data ---------------------------------------------------------------------------------------

def nlu_examples(path: Path) -> list[tuple[str, str]]:
    """(intent, text) from a Rasa NLU YAML file (no entity annotations are used here)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    out = []
    for block in data.get("nlu") or []:
        for line in block["examples"].splitlines():
            line = line.strip()
            if line.startswith("- "):
                out.append((block["intent"], line[2:].strip()))
    return out


def language_of(path: Path) -> str:
    """The language of a data or test file: "heldout_en.yml" is English, "heldout.yml" Danish. The
    rule the NLU vocabulary reads its training files by (bot/checkins/language.py)."""
    return file_language(path)


LANGUAGES = sorted({language_of(path) for path in HELDOUT_FILES}, key=lambda lang: (lang != DEFAULT_LANGUAGE, lang))


def heldout_files(language: str) -> list[Path]:
    return [path for path in HELDOUT_FILES if language_of(path) == language]


def colours_file(language: str = DEFAULT_LANGUAGE) -> Path:
    return COLOURS if language == DEFAULT_LANGUAGE else NLU_TESTS / f"colours_{language}.yml"


def crisis_file(language: str = DEFAULT_LANGUAGE) -> Path:
    """The crisis detector's development set in that language (the phrase lists are tuned on it)."""
    return CRISIS if language == DEFAULT_LANGUAGE else NLU_TESTS / f"crisis_{language}.yml"


def training_examples() -> list[tuple[str, str]]:
    return [ex for path in sorted(TRAINING.glob("*.yml")) for ex in nlu_examples(path)]


def heldout_examples(language: str | None = None) -> list[tuple[str, str]]:
    """(intent, text) from every held-out intent file, or from one language's."""
    return [ex for path in (HELDOUT_FILES if language is None else heldout_files(language)) for ex in nlu_examples(path)]


def labelled(path: Path) -> list[tuple[str, str]]:
    """(label, text) from a {label: [texts]} YAML file (colours.yml, crisis.yml)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return [(label, str(text)) for label, texts in data.items() for text in texts]


def near_copy_key(text: str) -> str:
    """What "the same example" means for the independence check: case, æøå spelling, punctuation,
    emoji and spacing do not make an example new. Emoji-only texts keep their emoji."""
    folded = fold(text)
    letters = "".join(c if unicodedata.category(c)[0] in "LN" else " " for c in folded)
    key = " ".join(letters.split())
    return key or "".join(text.split())


# ---- scores -------------------------------------------------------------------------------------

@dataclass
class Report:
    macro_f1: float
    accuracy: float
    per_intent_f1: dict[str, float]
    contact_recall: float
    red_recall: float
    colour_counts: dict[str, dict[str, int]]  # meant colour -> {decided colour or "ask again": n}
    crisis_recall: float
    crisis_false_alarm_rate: float
    crisis_not_stopped: float  # crisis messages that NLU does not read as "stop" (which would end a form)
    indirect_recall: float
    misses: dict[str, list[str]] = field(default_factory=dict)
    sizes: dict[str, int] = field(default_factory=dict)
    language: str = DEFAULT_LANGUAGE

    def lines(self) -> list[str]:
        colours = ", ".join(
            f"{meant}: " + " ".join(f"{k}={v}" for k, v in sorted(got.items()))
            for meant, got in self.colour_counts.items())
        return [
            f"[{self.language}] intent macro-F1 {self.macro_f1:.3f}, accuracy {self.accuracy:.3f} "
            f"({self.sizes.get('intents', 0)} held-out examples)",
            "per intent F1: " + ", ".join(f"{k} {v:.2f}" for k, v in sorted(self.per_intent_f1.items())),
            f"contact request recall {self.contact_recall:.3f} ({self.sizes.get('contact', 0)})",
            f"red colour recall {self.red_recall:.3f} ({self.sizes.get('red', 0)}); decided colours: {colours}",
            f"crisis recall {self.crisis_recall:.3f} ({self.sizes.get('crisis', 0)}), false alarms "
            f"{self.crisis_false_alarm_rate:.3f} ({self.sizes.get('ordinary', 0)} ordinary), "
            f"indirect (not gated) {self.indirect_recall:.3f} ({self.sizes.get('indirect', 0)}); "
            f"not read as stop {self.crisis_not_stopped:.3f}",
        ]


def intent_scores(gold: list[str], predicted: list[str | None]) -> tuple[float, float, dict[str, float]]:
    """Macro-F1 over the held-out labels (a fallback prediction counts as wrong), accuracy, F1s."""
    from sklearn.metrics import f1_score

    labels = sorted(set(gold))
    pred = [p or "none" for p in predicted]
    per = f1_score(gold, pred, labels=labels, average=None, zero_division=0)
    accuracy = sum(g == p for g, p in zip(gold, pred)) / len(gold)
    return float(per.mean()), accuracy, dict(zip(labels, map(float, per)))


def _recall(hits: Iterable[bool]) -> float:
    hits = list(hits)
    return sum(hits) / len(hits) if hits else 0.0


def evaluate(parses: dict[str, Parse], detect=None, language: str = DEFAULT_LANGUAGE) -> Report:
    """Scores from the model's parse of every held-out text of one language (`parses`, keyed by
    text) and the crisis detector (`detect`, default bot.safety.crisis.detect, every language's lists)."""
    if detect is None:
        from bot.safety.crisis import detect
    misses: dict[str, list[str]] = {"intent": [], "contact": [], "red": [], "crisis": [], "false_alarm": [],
                                    "stopped": []}

    heldout = heldout_examples(language)
    gold = [intent for intent, _ in heldout]
    predicted = [parses[text].intent for _, text in heldout]
    macro_f1, accuracy, per_intent = intent_scores(gold, predicted)
    for (intent, text), got in zip(heldout, predicted):
        if got != intent:
            misses["intent"].append(f"{text!r}: {intent} -> {got} ({parses[text].confidence:.2f})")
    contact = [(text, parses[text]) for intent, text in heldout if intent == CONTACT_INTENT]
    misses["contact"] = [f"{t!r} -> {p.intent} ({p.confidence:.2f})" for t, p in contact if p.intent != CONTACT_INTENT]

    colour_counts: dict[str, dict[str, int]] = {}
    red_hits = []
    for meant, text in labelled(colours_file(language)):
        p = parses[text]
        decided = decide_colour(text, p.intent, p.confidence, language=language)
        counts = colour_counts.setdefault(meant, {})
        counts[decided or "ask again"] = counts.get(decided or "ask again", 0) + 1
        if meant == RED:
            red_hits.append(decided == RED)
            if decided != RED:
                misses["red"].append(f"{text!r} -> {decided or 'ask again'} ({p.intent} {p.confidence:.2f})")

    crisis = labelled(crisis_file(language))
    found = {text: detect(text) for _, text in crisis}
    crisis_hits = [found[t] is not None for c, t in crisis if c in CRISIS_CATEGORIES]
    misses["crisis"] = [f"{c}: {t!r}" for c, t in crisis if c in CRISIS_CATEGORIES and found[t] is None]
    alarms = [found[t] is not None for c, t in crisis if c == "ordinary"]
    misses["false_alarm"] = [f"{t!r} -> {found[t].category} ({found[t].phrase})"
                             for c, t in crisis if c == "ordinary" and found[t] is not None]
    crisis_texts = [t for c, t in crisis if c in CRISIS_CATEGORIES or c == "indirect"]
    stopped = [t for t in crisis_texts
               if t in parses and parses[t].intent == STOP_INTENT and parses[t].confidence >= STOP_CONFIDENT]
    misses["stopped"] = [f"{t!r} -> {STOP_INTENT} ({parses[t].confidence:.2f})" for t in stopped]

    return Report(
        macro_f1=macro_f1,
        accuracy=accuracy,
        per_intent_f1=per_intent,
        contact_recall=_recall(p.intent == CONTACT_INTENT for _, p in contact),
        red_recall=_recall(red_hits),
        colour_counts=colour_counts,
        crisis_recall=_recall(crisis_hits),
        crisis_false_alarm_rate=_recall(alarms),
        crisis_not_stopped=1 - len(stopped) / len(crisis_texts) if crisis_texts else 1.0,
        indirect_recall=_recall(found[t] is not None for c, t in crisis if c == "indirect"),
        misses=misses,
        sizes={"intents": len(heldout), "contact": len(contact), "red": len(red_hits),
               "crisis": len(crisis_hits), "ordinary": len(alarms),
               "indirect": sum(c == "indirect" for c, _ in crisis)},
        language=language,
    )


# ---- gates --------------------------------------------------------------------------------------

def failures(report: Report) -> list[str]:
    """One message per failed gate, listing the misses; empty when the build may pass."""
    out = []

    def check(ok: bool, message: str, missed: list[str]):
        if not ok:
            out.append("\n    ".join([message, *missed]))

    check(report.macro_f1 >= MIN_MACRO_F1,
          f"intent macro-F1 {report.macro_f1:.3f} < {MIN_MACRO_F1}; misclassified:", report.misses.get("intent", []))
    check(report.contact_recall >= MIN_SAFETY_RECALL,
          f"contact request recall {report.contact_recall:.3f} < {MIN_SAFETY_RECALL}; missed:",
          report.misses.get("contact", []))
    check(report.red_recall >= MIN_SAFETY_RECALL,
          f"red colour recall {report.red_recall:.3f} < {MIN_SAFETY_RECALL}; missed:", report.misses.get("red", []))
    check(report.crisis_recall >= MIN_SAFETY_RECALL,
          f"crisis recall {report.crisis_recall:.3f} < {MIN_SAFETY_RECALL}; missed:", report.misses.get("crisis", []))
    check(report.crisis_not_stopped >= MIN_SAFETY_RECALL,
          f"crisis messages read as '{STOP_INTENT}' {1 - report.crisis_not_stopped:.3f} > "
          f"{1 - MIN_SAFETY_RECALL:.2f} (a form would end instead of carrying on):", report.misses.get("stopped", []))
    check(report.crisis_false_alarm_rate <= MAX_CRISIS_FALSE_ALARMS,
          f"crisis false-alarm rate {report.crisis_false_alarm_rate:.3f} > {MAX_CRISIS_FALSE_ALARMS}:",
          report.misses.get("false_alarm", []))
    return out


# ---- parsing with a trained model ---------------------------------------------------------------

def texts_to_parse(languages: Iterable[str] | None = None) -> list[str]:
    """Every held-out text the gates parse, of every language (or of `languages`)."""
    texts = []
    for language in LANGUAGES if languages is None else languages:
        texts += [t for _, t in heldout_examples(language)] + [t for _, t in labelled(colours_file(language))]
        texts += [t for _, t in labelled(crisis_file(language))]
    return list(dict.fromkeys(texts))


def load_agent(model: Path):
    """The trained model as the Rasa server loads it; Rasa's per-message debug log silenced."""
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    return Agent.load(str(model))


async def parse_all(agent, texts: list[str]) -> tuple[dict[str, Parse], list[float]]:
    """Every text through Agent.parse_message (the Rasa server's NLU path), with per-text seconds."""
    parses, seconds = {}, []
    for text in texts:
        start = time.perf_counter()
        result = await agent.parse_message(text)
        seconds.append(time.perf_counter() - start)
        intent = result.get("intent") or {}
        parses[text] = Parse(intent.get("name"), float(intent.get("confidence") or 0.0))
    return parses, seconds


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]

