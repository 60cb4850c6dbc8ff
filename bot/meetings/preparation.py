"""The preparation questions and the short summary the citizen confirms."""
from __future__ import annotations

import re

from bot.core import i18n, texts

# (answer key, form slot) in the order they are asked; every one can be skipped.
QUESTIONS = [
    ("topics", "prep_topics"),
    ("avoid", "prep_avoid"),
    ("went_well", "prep_went_well"),
    ("hard", "prep_hard"),
    ("attendees", "prep_attendees"),
    ("practical", "prep_practical"),
    ("questions", "prep_questions"),
]
SLOT_OF = dict(QUESTIONS)
# How the coordinator's pages name each answer.
PREPARATION_LABELS = {
    "topics": "Vigtigst at tale om",
    "avoid": "Vil ikke tale om",
    "went_well": "Gået godt siden sidst",
    "hard": "Svært lige nu",
    "attendees": "Vil have med til mødet",
    "practical": "Praktiske behov",
    "questions": "Spørgsmål til de professionelle",
}
KEY_OF = {slot: key for key, slot in QUESTIONS}
MAX_TOPICS = 3
MAX_ANSWER = 1000
SKIPPED = False  # slot value for a skipped question (a slot must be non-empty to count as answered)

_TOPIC_SPLIT = re.compile(r"\s*(?:\n|;|,|\b\d[.)]\s)\s*")


def split_topics(text: str) -> list[str]:
    """'1. min ryg 2. penge' or 'ryg, penge, job' -> up to three topics, most important first."""
    parts = [p.strip(" .-") for p in _TOPIC_SPLIT.split(text.strip()) if p and p.strip(" .-")]
    return parts[:MAX_TOPICS] if parts else [text.strip()]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3].rstrip() + "..."


# Answers that say there is nothing (to avoid, to bring, to need), left out of the summary: the
# Danish ones for every citizen, and those of the citizen's language ("Write it, or reply NO.").
NOTHING_ANSWERS = {i18n.DANISH: ("nej", "nej tak", "ingen", "intet"),
                   "en": ("no", "no thanks", "none", "nothing", "nobody", "no one")}
# (answer key, its label in bot/core/texts.py), in the order the summary lists them.
SUMMARY_LABELS = [("avoid", "SUMMARY_AVOID"), ("attendees", "SUMMARY_ATTENDEES"), ("practical", "SUMMARY_PRACTICAL")]


def summary_text(answers: dict, language: str | None = i18n.DANISH) -> str:
    """Fits two SMS with the question: each answer is cut, the full text stays in the database. Our
    labels in the citizen's `language` (bot/core/texts.py SUMMARY_*), the answers in their own words."""
    lines = []
    topics = answers.get("topics")
    if topics:
        lines.append(f"{texts.for_language('SUMMARY_TOPICS', language)}: " + _short("; ".join(topics), 55))
    nothing = set(NOTHING_ANSWERS[i18n.DANISH]) | set(NOTHING_ANSWERS.get(language or i18n.DANISH, ()))
    for key, label in SUMMARY_LABELS:
        value = answers.get(key)
        if value and value.strip().lower() not in nothing:
            lines.append(f"{texts.for_language(label, language)}: {_short(value, 32)}")
    if not lines:
        lines.append(texts.for_language("SUMMARY_ALL_SKIPPED", language))
    return "\n".join(lines)
