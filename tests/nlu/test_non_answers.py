"""The non-answer gate (issue 15, docs/nlu.md "Answers that are answers"): every message of the
held-out set tests/nlu/non_answers.yml (emoji noise, other languages, code, garbage, empty), parsed by
the trained model as the Rasa server parses it, is given as the answer to every kind of question
through the real validation code, on a real database. None may be stored.

Stored means: for the check-in and the preparation, the database changed (a check-in row, an answer,
an alert); for a proactive question (answer_form), the validation handed the handler an answer (its
first miss asks again, its second hands over `unclear`, which the handlers store nothing for:
tests/actions/test_actions_answers.py)."""
from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass
from datetime import timedelta

import pytest
import sqlalchemy as sa
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.checkin import ActionStartCheckin, ValidateCheckinForm
from actions.preparation import ValidatePreparationForm
from actions.questions import DIGIT, JA_LIDT_NEJ, TEXT, UNCLEAR, YES_NO, YES_NO_UNKNOWN, ValidateAnswerForm
from bot.channels.keywords import as_rasa_text
from bot.db.appointments import create_appointment
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.models import Alert, CheckIn, Preparation
from bot.nlp import quality
from tests.conftest import T0
from tests.trackers import DOMAIN, PHONE, slot_values, tracker

NON_ANSWERS = quality.NLU_TESTS / "non_answers.yml"
# Text with letters of the Danish alphabet is an answer to a free-text question, in any language.
FREE_TEXT_TAKES = {"latin_other_language", "code", "distress_english"}
# Distress in words the assistant reads (non_answers.yml): a red check-in, never another answer.
RED_TO_A_COLOUR = {"distress_english": ("start", "colour")}
LONG = {"long": ["a" * 5000, "🏳️‍🌈" * 500, "{{7*7}}" * 700]}
pytestmark = pytest.mark.usefixtures("restore_action_context")  # the tests point actions.context at their database


def non_answers() -> list[tuple[str, str]]:
    data = yaml.safe_load(NON_ANSWERS.read_text(encoding="utf-8"))
    data["long"] = LONG["long"]
    return [(category, str(text)) for category, texts in data.items() for text in texts or []]


@dataclass(frozen=True)
class Parsed:
    text: str  # what Rasa gets (bot/channels/keywords.py as_rasa_text)
    intent: str | None
    confidence: float


@pytest.fixture(scope="module")
def parsed(agent) -> dict[str, Parsed]:
    texts = {raw: as_rasa_text(raw) for _, raw in non_answers()}
    parses, _ = asyncio.run(quality.parse_all(agent, sorted(set(texts.values()))))
    return {raw: Parsed(seen, parses[seen].intent, parses[seen].confidence) for raw, seen in texts.items()}


def _snapshot(db) -> tuple:
    """Everything an answer could change: check-ins, preparations and alerts, row by row."""
    def read(session):
        checkins = session.execute(sa.select(CheckIn).order_by(CheckIn.id)).scalars().all()
        preparations = session.execute(sa.select(Preparation).order_by(Preparation.id)).scalars().all()
        alerts = session.execute(sa.select(Alert.rule).order_by(Alert.id)).scalars().all()
        return (tuple((c.id, c.overall, repr(c.focus_areas), repr(c.areas), c.note, c.wants_contact, str(c.status),
                       c.last_answer_at) for c in checkins),
                tuple((p.id, repr(p.answers), p.correction, str(p.status)) for p in preparations),
                tuple(alerts))
    return db.call(read)


class Citizen:
    """The one citizen every non-answer comes from, with a check-in waiting at each question."""

    def __init__(self, db):
        self.db = db

        def make(session):
            coordinator, _ = create_coordinator(session, "Mette")
            citizen = create_citizen(session, name="Bente", phone=PHONE, coordinator_id=coordinator.id)
            return create_appointment(session, citizen.id, kind="opfoelgning", starts_at=T0 + timedelta(days=3),
                                      created_at=T0).id

        self.appointment_id = db.call(make)

    async def validate(self, form, said: Parsed, requested: str | None, slots: dict, loop: str) -> dict:
        events = await form.run(CollectingDispatcher(), tracker(said.text, intent=said.intent,
                                                                confidence=said.confidence, slots=slots,
                                                                requested_slot=requested, active_loop=loop), DOMAIN)
        return slot_values(events)

    async def checkin(self, programme: str = "standard") -> dict:
        """An open check-in answered "gul" (yellow): the questions after the colour can be asked."""
        gul = Parsed("gul", "mood_okay", 1.0)
        slots = {"checkin_programme": programme}
        slots.update(await self.validate(ValidateCheckinForm(), gul, "checkin_overall", slots, "checkin_form"))
        slots["checkin_overall"] = "yellow"
        slots.pop("requested_slot", None)
        return slots


async def _stored_by_checkin(person: Citizen, said: Parsed, kind: str, base: dict) -> bool:
    form = ValidateCheckinForm()
    if kind == "start":  # no conversation open: a mood intent starts a check-in (data/rules/checkin.yml)
        dispatcher = CollectingDispatcher()
        events = await ActionStartCheckin().run(dispatcher, tracker(said.text, intent=said.intent,
                                                                    confidence=said.confidence), DOMAIN)
        slots = slot_values(events)
        # The form starts: it stores a colour the starting message gave.
        await person.validate(form, said, None, slots, "checkin_form")
        return slots.get("checkin_overall") is not None
    slot = {"colour": "checkin_overall", "areas": "checkin_focus", "area_colour": "checkin_area_answer",
            "note": "checkin_note", "wants_contact": "checkin_wants_contact"}[kind]
    slots = await person.validate(form, said, slot, base, "checkin_form")
    return slots.get(slot) is not None


QUESTIONS = {
    "yes_no": {"kind": "preparation_invite", "expects": YES_NO, "params": {"appointment_id": 1}},
    "yes_no_unknown": {"kind": "agreement_followup", "expects": YES_NO_UNKNOWN,
                       "params": {"agreement_id": 1, "who": "Jobcentret", "what": "et møde"}},
    "ja_lidt_nej": {"kind": "goal_progress", "expects": JA_LIDT_NEJ, "params": {"goal_id": 1, "goal": "et job"}},
    "digit": {"kind": "questionnaire", "expects": DIGIT,
              "params": {"questionnaire_id": 1, "instrument": "who5", "item": 0, "low": 0, "high": 5}},
    "text": {"kind": "teachback", "expects": TEXT, "params": {"appointment_id": 1}},
}


async def _stored_by_question(person: Citizen, said: Parsed, kind: str) -> bool:
    """Asked twice: the first miss asks again, the second hands `unclear` to the handler."""
    question = QUESTIONS[kind]
    slot = "answer_text" if question["expects"] == TEXT else "answer"
    for clarify in (False, True):
        slots = await person.validate(ValidateAnswerForm(), said, slot, {"question": question, "clarify": clarify},
                                      "answer_form")
        if slots.get(slot) not in (None, UNCLEAR):
            return True
    return False


async def _stored_by_preparation(person: Citizen, said: Parsed, slot: str) -> bool:
    slots = await person.validate(ValidatePreparationForm(), said, slot,
                                  {"prep_appointment_id": person.appointment_id}, "preparation_form")
    return slots.get(slot) is not None


CHECKIN_KINDS = ("start", "colour", "areas", "area_colour", "wants_contact")
QUESTION_KINDS = ("yes_no", "yes_no_unknown", "ja_lidt_nej", "digit")
FREE_TEXT_KINDS = ("note", "text", "prep_topics", "prep_attendees", "prep_confirm")


async def _feed(person: Citizen, said: Parsed, kind: str, bases: dict) -> bool:
    if kind in CHECKIN_KINDS or kind == "note":
        return await _stored_by_checkin(person, said, kind, bases.get(kind, {}))
    if kind in QUESTIONS:
        return await _stored_by_question(person, said, kind)
    return await _stored_by_preparation(person, said, kind)


async def test_no_non_answer_is_stored(sqlite_db, clock, parsed):
    # One engine: what is stored is decided before the database (PostgreSQL would double ~2 minutes).
    db = sqlite_db
    context.use(db, clock)
    person = Citizen(db)
    standard = await person.checkin()
    full = await person.checkin("fuld")
    bases = {"areas": standard, "area_colour": {**full, "checkin_areas": {}},
             "note": {**standard, "checkin_focus": ["humoer"]},
             "wants_contact": {**standard, "checkin_focus": ["humoer"], "checkin_note": False}}
    cells, stored = 0, []
    for category, raw in non_answers():
        said = parsed[raw]
        kinds = CHECKIN_KINDS + QUESTION_KINDS + (() if category in FREE_TEXT_TAKES else FREE_TEXT_KINDS)
        for kind in kinds:
            before = _snapshot(db)
            accepted = await _feed(person, said, kind, bases)
            after = _snapshot(db)
            changed = after != before
            cells += 1
            if kind in RED_TO_A_COLOUR.get(category, ()):
                written = [row for row in after[0] if row not in before[0]]  # by this answer, not before it
                newest = written[-1] if written else None
                if not (accepted and newest is not None and newest[1] == "red"):
                    stored.append(f"{kind:15} {category:21} {raw[:40]!r} -> not red: {newest}")
            elif accepted or changed:
                stored.append(f"{kind:15} {category:21} {raw[:40]!r} -> {said.intent} ({said.confidence:.2f})"
                              f"{' [database changed]' if changed else ''}")
    texts = len(non_answers())
    print(f"\nnon-answer gate: {texts} non-answers x {len(CHECKIN_KINDS + QUESTION_KINDS)} question kinds with "
          f"options + {len(FREE_TEXT_KINDS)} free-text kinds where they apply = {cells} answers; "
          f"{len(stored)} stored")
    by_kind = Counter(line.split()[0] for line in stored)
    print("stored by kind: " + (", ".join(f"{k} {n}" for k, n in sorted(by_kind.items())) or "none"))
    assert not stored, f"{len(stored)} of {cells} non-answers stored as answers:\n" + "\n".join(stored)
