"""The preparation questions and the short summary the citizen confirms."""
from __future__ import annotations

import re

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


def summary_text(answers: dict) -> str:
    """Fits two SMS with the question: each answer is cut, the full text stays in the database."""
    lines = []
    topics = answers.get("topics")
    if topics:
        lines.append("Vigtigst: " + _short("; ".join(topics), 55))
    labels = [("avoid", "Ikke tale om"), ("attendees", "Med til mødet"), ("practical", "Brug for")]
    for key, label in labels:
        value = answers.get(key)
        if value and value.strip().lower() not in ("nej", "nej tak", "ingen", "intet"):
            lines.append(f"{label}: {_short(value, 32)}")
    if not lines:
        lines.append("Du har sprunget alle spørgsmål over.")
    return "\n".join(lines)
