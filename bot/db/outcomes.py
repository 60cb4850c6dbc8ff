"""Stored rounds of outcome questions and their answers (bot/outcomes/)."""
from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bot.core.vocabulary import CitizenStatus, QuestionnaireStatus
from bot.db.models import Citizen, OutcomeMeasure, Questionnaire

PLANNED, OPEN = QuestionnaireStatus.PLANNED, QuestionnaireStatus.OPEN


def add_round(session: Session, *, citizen_id: int, reason: str, round_no: int | None, instruments: list[str],
              item_counts: dict[str, int], due_at: datetime, now: datetime,
              requested_by: int | None = None) -> Questionnaire | None:
    """A new round with an empty answer row per instrument. A planned round (`round_no`) is stored
    once: when another scheduler stored it first, None."""
    values = dict(citizen_id=citizen_id, reason=reason, round_no=round_no, instruments=instruments,
                  requested_by=requested_by, status=PLANNED, due_at=due_at, created_at=now)
    if round_no is None:
        row = Questionnaire(**values)
        session.add(row)
        session.flush()
    else:
        insert = (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)
        inserted = session.execute(insert(Questionnaire).values(**values).on_conflict_do_nothing(
            index_elements=["citizen_id", "round_no"]))
        if inserted.rowcount != 1:
            return None
        row = session.execute(sa.select(Questionnaire).where(
            Questionnaire.citizen_id == citizen_id, Questionnaire.round_no == round_no)).scalar_one()
    new_id = row.id
    for code in instruments:
        session.add(OutcomeMeasure(questionnaire_id=new_id, citizen_id=citizen_id, instrument=code,
                                   items=[None] * item_counts[code]))
    session.flush()
    return row


def get_round(session: Session, questionnaire_id: int, citizen_id: int) -> Questionnaire | None:
    """Only the citizen's own: an id from a conversation never reaches another citizen's answers."""
    return session.execute(sa.select(Questionnaire).where(
        Questionnaire.id == questionnaire_id, Questionnaire.citizen_id == citizen_id)).scalar_one_or_none()


def current_round(session: Session, citizen_id: int) -> Questionnaire | None:
    """The round being asked (open), else the next one planned, else None."""
    return session.execute(
        sa.select(Questionnaire).where(Questionnaire.citizen_id == citizen_id,
                                       Questionnaire.status.in_((OPEN, PLANNED)))
        .order_by(sa.case((Questionnaire.status == OPEN, 0), else_=1), Questionnaire.due_at, Questionnaire.id)
        .limit(1)
    ).scalar_one_or_none()


def measures(session: Session, questionnaire_id: int) -> dict[str, OutcomeMeasure]:
    rows = session.execute(sa.select(OutcomeMeasure).where(OutcomeMeasure.questionnaire_id == questionnaire_id))
    return {row.instrument: row for row in rows.scalars()}


def previous_score(session: Session, citizen_id: int, instrument: str, before: OutcomeMeasure) -> OutcomeMeasure | None:
    """The citizen's newest scored answer to `instrument` from before `before` was completed."""
    return session.execute(
        sa.select(OutcomeMeasure).where(
            OutcomeMeasure.citizen_id == citizen_id, OutcomeMeasure.instrument == instrument,
            OutcomeMeasure.score.is_not(None), OutcomeMeasure.id != before.id,
            OutcomeMeasure.answered_at <= before.answered_at)
        .order_by(OutcomeMeasure.answered_at.desc(), OutcomeMeasure.id.desc()).limit(1)
    ).scalar_one_or_none()


def answered_measures(session: Session, citizen_id: int) -> list[OutcomeMeasure]:
    """Every instrument the citizen answered in full, oldest first."""
    return list(session.execute(
        sa.select(OutcomeMeasure).where(OutcomeMeasure.citizen_id == citizen_id,
                                        OutcomeMeasure.answered_at.is_not(None))
        .order_by(OutcomeMeasure.answered_at, OutcomeMeasure.id)).scalars())


def rounds(session: Session, citizen_id: int) -> list[Questionnaire]:
    return list(session.execute(sa.select(Questionnaire).where(Questionnaire.citizen_id == citizen_id)
                                .order_by(Questionnaire.due_at, Questionnaire.id)).scalars())


# Any fixed number: the key of PostgreSQL's transaction-level advisory lock on round planning.
_ROUND_PLANNING_LOCK = 0x51_0015


def lock_round_planning(session: Session) -> None:
    """Until this transaction ends, no other scheduler plans rounds. Without it a second scheduler
    ticking at the same moment could read this one's new rounds half-way and plan the next round
    number as well (docs/outcomes.md). SQLite has one writer at a time anyway."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(sa.select(sa.func.pg_advisory_xact_lock(_ROUND_PLANNING_LOCK)))


def citizens_without_round(session: Session) -> list[Citizen]:
    """Active citizens whose course runs and who have no round planned or being asked."""
    busy = sa.select(Questionnaire.citizen_id).where(Questionnaire.status.in_((OPEN, PLANNED)))
    return list(session.execute(
        sa.select(Citizen).where(Citizen.status == CitizenStatus.ACTIVE, Citizen.course_ended_at.is_(None),
                                 Citizen.id.not_in(busy)).order_by(Citizen.id)).scalars())


def last_planned_rounds(session: Session, citizen_ids: list[int]) -> dict[int, Questionnaire]:
    """Each citizen's newest planned round (highest round_no), whatever became of it."""
    if not citizen_ids:
        return {}
    newest = (sa.select(Questionnaire.citizen_id, sa.func.max(Questionnaire.round_no).label("round_no"))
              .where(Questionnaire.citizen_id.in_(citizen_ids), Questionnaire.round_no.is_not(None))
              .group_by(Questionnaire.citizen_id).subquery())
    rows = session.execute(sa.select(Questionnaire).join(
        newest, sa.and_(Questionnaire.citizen_id == newest.c.citizen_id, Questionnaire.round_no == newest.c.round_no)))
    return {row.citizen_id: row for row in rows.scalars()}


def unfinished(session: Session, citizen_ids: list[int] | None = None) -> list[Questionnaire]:
    """Rounds planned or being asked, oldest first."""
    query = sa.select(Questionnaire).where(Questionnaire.status.in_((OPEN, PLANNED)))
    if citizen_ids is not None:
        query = query.where(Questionnaire.citizen_id.in_(citizen_ids))
    return list(session.execute(query.order_by(Questionnaire.due_at, Questionnaire.id)).scalars())


def caseload_rounds(session: Session, coordinator_id: int) -> list[tuple[Questionnaire, Citizen]]:
    """Every round of the coordinator's own citizens, for the response rate per round."""
    rows = session.execute(
        sa.select(Questionnaire, Citizen).join(Citizen, Citizen.id == Questionnaire.citizen_id)
        .where(Citizen.coordinator_id == coordinator_id).order_by(Questionnaire.id))
    return [(questionnaire, citizen) for questionnaire, citizen in rows]  # SQLAlchemy 1.4: no Result.tuples()


def last_asked(session: Session, citizen_ids: list[int]) -> dict[int, datetime]:
    """When each citizen was last asked a round (any reason)."""
    if not citizen_ids:
        return {}
    rows = session.execute(sa.select(Questionnaire.citizen_id, sa.func.max(Questionnaire.asked_at))
                           .where(Questionnaire.citizen_id.in_(citizen_ids), Questionnaire.asked_at.is_not(None))
                           .group_by(Questionnaire.citizen_id))
    return {citizen_id: asked for citizen_id, asked in rows}
