"""Every citizen-facing text, rendered with realistic (long) values, for the response lints."""
from __future__ import annotations

import string
from datetime import date
from pathlib import Path

import yaml

from actions.goals import MAX_GOAL_CHARS
from actions.outcomes import short_text
from bot.channels.sms import render_buttons
from bot.checkins.programmes import get_programme
from bot.core import i18n, texts
from bot.db.models import Agreement
from bot.meetings.agreements import LIST_IN_APPROVAL, agreement_list
from bot.meetings.preparation import summary_text
from bot.outcomes.instruments import FULL_ROUND, steps

ROOT = Path(__file__).resolve().parent.parent
DOMAIN = yaml.safe_load((ROOT / "domain.yml").read_text(encoding="utf-8"))

LONG_AGREEMENTS = [
    Agreement(what="y" * 150, who="Kommunens bostøttekonsulent", owner_is_citizen=False, due_date=date(2026, 12, 24)),
    Agreement(what="z" * 150, who="Du", owner_is_citizen=True, due_date=date(2026, 12, 24)),
    Agreement(what="w" * 150, who="Lægen", owner_is_citizen=False, due_date=None),
]

# Long but realistic values: a text must still fit its SMS budget with them filled in.
SAMPLE_VALUES = {
    "coordinator": "Mette Kristensen",
    # a change of coordinator (bot/core/texts.py REASSIGNED)
    "new": "Mette Kristensen-Overgaard",
    "old": "Christian Bach Andersen",
    # the citizen's network (bot/core/texts.py NETWORK_*): a member's name, the citizen's first name
    "member": "Christian Bach Andersen",
    "citizen": "Mette-Marie",
    "coordinator_phone": "12 34 56 78",
    "area_list": ", ".join(f"{i} {a.label}" for i, a in enumerate(get_programme("standard").areas, 1)),
    "area": "Familie og netværk",
    "count": "5",
    "days": "3",
    # a real link's length: the public URL plus a signed token
    "url": "https://borger.esbjerg.dk/chat?token=" + "x" * 170,
    # the longest recap: the citizen's topic cut at 50, and the interpreter line (actions/appointments.py)
    "recap": "Du vil gerne tale om: " + "x" * 47 + "... " + "Der kommer en tolk. ",
    "who": "Jobcentret i Esbjerg",
    "what": "x" * 120,
    # the longer of the two lists (approval); the status list is shorter still
    "agreements": agreement_list(LONG_AGREEMENTS, LIST_IN_APPROVAL),
    # the longest summary there can be: every answer long enough to be cut
    "summary": summary_text({"topics": ["x" * 200] * 3, "avoid": "y" * 200, "attendees": "z" * 200,
                             "practical": "w" * 200}),
    "when": "onsdag 30. september kl. 13.30",
    "location": "Sundhedshuset, Torvegade 74, 2. sal, lokale 12",
    "first": "onsdag 30. september kl. 13.30 (Sundhedshuset, Torvegade 74)",
    "second": "torsdag 29. oktober kl. 10 (Jobcentret, Kongensgade 12)",
    # outcome measures: the longest question of a round, as asked and as asked again
    "question_text": max((step.text() for step in steps(list(FULL_ROUND))), key=len),
    "question_short": max((short_text(step) for step in steps(list(FULL_ROUND))), key=len),
    "low": "0",
    "high": "5",
    "answered": "12",
    "again": "senere i dag",
    # a goal read back in the progress question, as long as actions/goals.py lets it be
    "goal": "x" * MAX_GOAL_CHARS,
    # how to answer a question's buttons (bot/core/texts.py ANSWER_WITH)
    "options": "1, 2 eller 3",
    # the words our code puts into those values (bot/core/texts.py): an agreement's day, the
    # citizen's topic as the reminder recaps it, a question's number in its round
    "day": "onsdag 30. september",
    "topic": "x" * 47 + "...",
    "number": "12",
}
# English values of the same length as the Danish samples (a meeting time in English is a bit longer).
EN_VALUES = {
    **SAMPLE_VALUES,
    "when": "Wednesday 30 September at 13:30",
    "first": "Wednesday 30 September at 13:30 (Sundhedshuset, Torvegade 74)",
    "second": "Thursday 29 October at 10:00 (Jobcentret, Kongensgade 12)",
    "again": "later today",
    # the values our code composes, as an English citizen gets them
    "area_list": ", ".join(f"{i} {a.label_in('en')}" for i, a in enumerate(get_programme("standard").areas, 1)),
    "area": "Mood and well-being",
    "recap": texts.for_language("TOPIC_RECAP", "en").format(topic="x" * 47 + "...") + " "
             + texts.for_language("INTERPRETER_COMING", "en") + " ",
    "agreements": agreement_list(LONG_AGREEMENTS, LIST_IN_APPROVAL, "en"),
    "summary": summary_text({"topics": ["x" * 200] * 3, "avoid": "y" * 200, "attendees": "z" * 200,
                             "practical": "w" * 200}, "en"),
    "question_text": max((step.text("en") for step in steps(list(FULL_ROUND))), key=len),
    "question_short": max((short_text(step, "en") for step in steps(list(FULL_ROUND))), key=len),
    "day": "Wednesday 30 September",
}


# For LIX: names and programme labels are data, not our wording; each counts as one short word.
PLACEHOLDER_VALUES = {name: "X" for name in SAMPLE_VALUES}


def render(template: str, values: dict[str, str] = SAMPLE_VALUES) -> str:
    fields = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    missing = fields - values.keys()
    assert not missing, f"add sample values for {missing} in tests/responses.py"
    return template.format(**values)


def button_texts(language: str = i18n.DANISH, values: dict[str, str] = SAMPLE_VALUES) -> list[tuple[str, str]]:
    """(name, the SMS as sent) for every response variation with buttons in `language`: its text
    with the values filled in, the buttons numbered and how to answer (bot/channels/sms.py)."""
    responses = DOMAIN["responses"] if language == i18n.DANISH else i18n.default_catalogue().responses(language)
    return [(f"{name}[{i}]", render_buttons(render(variant["text"], values), variant["buttons"], language))
            for name, variants in responses.items() for i, variant in enumerate(variants)
            if variant.get("buttons") and variant.get("channel") not in ("socketio",)]


def sms_texts(values: dict[str, str] = SAMPLE_VALUES) -> list[tuple[str, str]]:
    """(name, rendered text) for every text that can go out by SMS; a question with buttons as the
    SMS sends it, with its options numbered (`button_texts`)."""
    out = []
    for name, variants in DOMAIN["responses"].items():
        for i, variant in enumerate(variants):
            if variant.get("channel") in ("socketio",):
                continue  # web-chat-only variants may use emoji
            text = render(variant["text"], values)
            if variant.get("buttons"):
                text = render_buttons(text, variant["buttons"], i18n.DANISH)
            out.append((f"{name}[{i}]", text))
    for name in dir(texts):
        value = getattr(texts, name)
        if name.isupper() and isinstance(value, str):
            out.append((f"bot.core.texts.{name}", render(value, values)))
    return out
