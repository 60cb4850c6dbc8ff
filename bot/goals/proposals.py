"""Goals from the citizen's preparation (issue 14 §1: goals "in the citizen's own words, from
preparation or entered by the coordinator"). docs/decisions.md, "Goals from the preparation".

The preparation asks "Hvad vil du helst tale om på mødet?" (up to three things, the most important
first; bot/meetings/preparation.py, key "topics"). Those are the citizen's own words about what
matters to them, and the nearest the preparation comes to wishes; but they are topics for a meeting,
and free text: "penge", "nej", or words the coordinator must talk about before anything is written
down. So none of them becomes a goal by itself. Each is a *proposal* the coordinator sees on the
goal panel and takes with one click (a goal with source "preparation", in the citizen's words,
created by that coordinator) or leaves.

Nothing is stored until a proposal is taken: the proposals are read from the completed preparations
each time, so there is no second copy of the citizen's words to keep, export or erase. A proposal
is offered while it can still matter: for a meeting that has not yet been held, or was held at most
PROPOSAL_DAYS ago (the meeting is where goals are set together), and while no goal of the citizen
has the same words (taken, or written in by hand). One left untaken goes away with time."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.errors import Invalid, NotFound
from bot.core.ids import MAX_ID, as_id
from bot.db import citizens as citizen_db
from bot.db import goals as goal_db
from bot.db.models import Goal, Preparation
from bot.goals import plan

# The preparation's answer with the citizen's wishes (bot/meetings/preparation.py, QUESTIONS; bot.goals
# may not import bot.meetings, so tests/db/test_goal_proposals.py checks that the key is still asked).
WISHES_KEY = "topics"
PROPOSAL_DAYS = 14  # how long after the meeting its preparation's wishes are still offered
MAX_PROPOSALS = 6
# Answers that say there is nothing: never a goal (the summary skips the same words).
NOTHING = {"nej", "nej tak", "ingen", "intet", "ingenting", "ikke noget", "ved ikke", "nix", "-"}


@dataclass(frozen=True)
class Proposal:
    preparation_id: int
    appointment_id: int
    index: int  # which of the preparation's topics (0: the most important)
    text: str  # the citizen's words, on one line, at most plan.MAX_TEXT characters
    meeting_starts_at: datetime
    completed_at: datetime | None


def _words(topic) -> str | None:
    """The topic as a goal's text, or None when it holds no wish."""
    if not isinstance(topic, str):
        return None
    text = " ".join(topic.replace("\x00", "").split())
    if not text or text.strip(" .!?-").casefold() in NOTHING:
        return None
    if len(text) > plan.MAX_TEXT:  # cut at a word, as the summary does; the whole answer stays in the preparation
        text = text[: plan.MAX_TEXT - 3].rsplit(" ", 1)[0].rstrip(" ,;.") + "..."
    return text


def _topics(preparation: Preparation) -> list:
    topics = (preparation.answers or {}).get(WISHES_KEY)
    if isinstance(topics, str):  # one answer not split into a list
        return [topics]
    return topics if isinstance(topics, list) else []


def _key(text: str) -> str:
    return text.casefold()


def _goal_words(session: Session, citizen_id: int) -> dict[str, Goal]:
    """The citizen's goals (any status) by their words: a wish already written down is not proposed again."""
    return {_key(g.text): g for g in goal_db.goals_for(session, citizen_id)}


def _citizen_id(session: Session, citizen_id: int, scope: int | None) -> int:
    citizen = citizen_db.get_citizen(session, citizen_id, scope)
    if citizen is None:
        raise NotFound("citizen not found")
    return citizen.id


def proposals_for(session: Session, citizen_id: int, scope: int | None, now: datetime) -> list[Proposal]:
    """What the coordinator may take as goals now: the wishes of the citizen's completed
    preparations for meetings from PROPOSAL_DAYS ago on (the latest meeting first, each preparation's
    most important first), not already a goal, each wording once, at most MAX_PROPOSALS."""
    return citizen_proposals(session, _citizen_id(session, citizen_id, scope), now)


def citizen_proposals(session: Session, citizen_id: int, now: datetime) -> list[Proposal]:
    """The same for a citizen already checked (the coordinator's page of their own citizen)."""
    seen = set(_goal_words(session, citizen_id))
    found: list[Proposal] = []
    for preparation, appointment in goal_db.completed_preparations(
            session, citizen_id, now - timedelta(days=PROPOSAL_DAYS)):
        for index, topic in enumerate(_topics(preparation)):
            text = _words(topic)
            if text is None or _key(text) in seen:
                continue
            seen.add(_key(text))  # once, even when two preparations name it
            found.append(Proposal(preparation.id, appointment.id, index, text, appointment.starts_at,
                                  preparation.completed_at))
    return found[:MAX_PROPOSALS]


def _row_id(value, field: str) -> int:
    """A preparation's id from a JSON body: a JSON number ("12" and true are not), and a row id
    (bot/core/ids.py; 0 is none, as for every id)."""
    number = as_id(value) if isinstance(value, int) else None
    if number is None:
        raise Invalid(f"'{field}' must be a whole number", field)
    return number


def _index(value) -> int:
    """Which topic: 0 is the first, so this is no row id."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_ID:
        raise Invalid("'index' must be a whole number", "index")
    return value


def take_proposal(session: Session, citizen_id: int, scope: int | None, preparation_id, index, *,
                  now: datetime, created_by: int | None = None) -> tuple[Goal, bool]:
    """The coordinator takes a wish from the preparation as a goal, in the citizen's words (source
    "preparation"). (goal, True) when it is new; (the goal, False) when the citizen already has a
    goal with these words, so a second click makes no second goal. Another citizen's preparation,
    one not completed, a topic that is not there or holds no wish: NotFound. The proposal need not
    be on offer any more (PROPOSAL_DAYS only decides what the panel shows)."""
    preparation_id = _row_id(preparation_id, "preparation_id")
    index = _index(index)
    citizen_id = _citizen_id(session, citizen_id, scope)
    preparation = goal_db.completed_preparation(session, preparation_id, citizen_id)
    topics = _topics(preparation) if preparation is not None else []
    text = _words(topics[index]) if index < len(topics) else None
    if text is None:
        raise NotFound("proposal not found")
    existing = _goal_words(session, citizen_id).get(_key(text))
    if existing is not None:
        return existing, False
    goal = plan.add_goal(session, citizen_id, scope, text, now=now, source="preparation", created_by=created_by)
    return goal, True
