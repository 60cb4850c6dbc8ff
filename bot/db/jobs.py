"""Jobs: proactive messages as rows. Planning is idempotent (natural key + INSERT ... ON CONFLICT DO
NOTHING); claiming is exclusive (FOR UPDATE SKIP LOCKED on PostgreSQL, one conditional UPDATE on
SQLite, whose writers are serialised); finishing is guarded by the claim token, so a job whose lease
ran out and was claimed again cannot be finished twice."""
from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from bot.core.ids import as_id
from bot.core.vocabulary import JobStatus
from bot.db.models import Citizen, InboundMessage, Job

NATURAL_KEY = ("citizen_id", "purpose", "target", "due_at")
OPEN = (JobStatus.PENDING, JobStatus.RUNNING)
CHANGED = "target changed while running"


def appointment_target(appointment_id: int) -> str:
    return f"appointment:{appointment_id}"


def target_id(target: str) -> int | None:
    _, _, raw = target.partition(":")
    return as_id(raw)


def _insert(session: Session):
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(Job)


# Built once: every opened check-in plans two jobs (bot.db.citizens says why).
_BY_KEY = sa.select(Job).where(Job.citizen_id == sa.bindparam("citizen_id"), Job.purpose == sa.bindparam("purpose"),
                               Job.target == sa.bindparam("target"), Job.due_at == sa.bindparam("due_at"))


def schedule(
    session: Session, *, citizen_id: int, purpose: str, due_at: datetime, next_attempt_at: datetime, now: datetime,
    target: str = "",
) -> Job:
    """Plan a job once. Planning it again returns the existing row; a cancelled one comes back to
    life (an appointment moved back to its old time), but a sent one is never sent again."""
    statement = (
        _insert(session)
        .values(citizen_id=citizen_id, purpose=purpose, target=target, due_at=due_at, next_attempt_at=next_attempt_at,
                status=JobStatus.PENDING, attempts=0, created_at=now, updated_at=now)
        .on_conflict_do_nothing(index_elements=list(NATURAL_KEY))
    )
    if session.execute(statement).rowcount != 1:
        # Planned before: a cancelled one comes back. A row just inserted needs no such update (a
        # driver that cannot count, -1, gets the update all the same).
        session.execute(
            sa.update(Job)
            .where(Job.citizen_id == citizen_id, Job.purpose == purpose, Job.target == target, Job.due_at == due_at,
                   Job.status == JobStatus.CANCELLED)
            .values(status=JobStatus.PENDING, next_attempt_at=next_attempt_at, attempts=0, note=None, last_error=None)
            .execution_options(synchronize_session=False)
        )
    return session.execute(_BY_KEY, {"citizen_id": citizen_id, "purpose": purpose, "target": target,
                                     "due_at": due_at}).scalar_one()


def cancel_open(session: Session, target: str, purposes: Iterable[str] | None = None, note: str = "") -> int:
    """Cancel what has not run yet. A job being sent right now cannot be cancelled; it is flagged
    instead (CHANGED), and its handler skips it rather than send something stale."""
    def scoped(query):
        query = query.where(Job.target == target)
        return query.where(Job.purpose.in_(list(purposes))) if purposes is not None else query

    session.execute(scoped(sa.update(Job).where(Job.status == JobStatus.RUNNING)).values(note=CHANGED)
                    .execution_options(synchronize_session=False))
    result = session.execute(
        scoped(sa.update(Job).where(Job.status == JobStatus.PENDING)).values(status=JobStatus.CANCELLED, note=note or None)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount


def cancel_for_citizen(session: Session, citizen_id: int, note: str, keep: Iterable[str] = ()) -> int:
    """Cancel every job of a citizen that has not run yet (a job being sent now finishes), except
    those whose purpose is in `keep`."""
    return session.execute(
        sa.update(Job).where(Job.citizen_id == citizen_id, Job.status == JobStatus.PENDING,
                             Job.purpose.not_in(list(keep)))
        .values(status=JobStatus.CANCELLED, note=note).execution_options(synchronize_session=False)
    ).rowcount


def changed_while_running(session: Session, job: Job) -> bool:
    return session.execute(sa.select(Job.note).where(Job.id == job.id)).scalar_one() == CHANGED


def claim_due(session: Session, now: datetime, *, limit: int, lease: timedelta,
              later: Iterable[str] = (), citizen_ids: Iterable[int] | None = None) -> list[Job]:
    """Take up to `limit` due jobs for this worker, those whose purpose is in `later` last. A
    running job whose lease ran out (its worker died) is due again. `citizen_ids` limits the claim
    to those citizens (a tick run for some citizens only; docs/testing.md).

    One job per citizen at a time, across every worker: only a citizen's first due job (in claim
    order) can be taken, and none while another job of theirs is running (lease still live). So one
    conversation is never started twice at once, the one-question rule (bot/scheduler/handlers.py)
    sees the previous job's outcome, and a citizen with many due jobs takes one place per claim, not
    the whole batch. On PostgreSQL the "first" rule also closes the race of two workers claiming
    two jobs of one citizen at once: the other worker's first job is locked (skipped), and its
    second is not first (docs/architecture.md, "Proactive messages")."""
    token = uuid.uuid4().hex
    claimable = sa.or_(
        sa.and_(Job.status == JobStatus.PENDING, Job.next_attempt_at <= now),
        sa.and_(Job.status == JobStatus.RUNNING, Job.locked_until < now),
    )
    if citizen_ids is not None:
        claimable = sa.and_(claimable, Job.citizen_id.in_(list(citizen_ids)))
    waits = sa.case((Job.purpose.in_(list(later)), 1), else_=0)
    order = (waits, Job.next_attempt_at, Job.id)
    ranked = sa.select(Job.id, sa.func.row_number().over(partition_by=Job.citizen_id, order_by=order).label("rank")) \
        .where(claimable).subquery()
    firsts = sa.select(ranked.c.id).where(ranked.c.rank == 1)
    other = aliased(Job)
    busy = sa.select(other.id).where(other.citizen_id == Job.citizen_id, other.status == JobStatus.RUNNING,
                                     other.locked_until >= now).exists()
    eligible = sa.and_(claimable, Job.id.in_(firsts), ~busy)
    due = sa.select(Job.id).where(eligible).order_by(*order).limit(limit)
    values = dict(status=JobStatus.RUNNING, claim_token=token, locked_until=now + lease, attempts=Job.attempts + 1)
    if session.get_bind().dialect.name == "postgresql":
        ids = list(session.execute(due.with_for_update(skip_locked=True)).scalars())
        if not ids:
            return []
        session.execute(sa.update(Job).where(Job.id.in_(ids)).values(**values)
                        .execution_options(synchronize_session=False))
    else:
        # One statement: SQLite takes its write lock before evaluating it, so two workers never
        # both see the same row as pending.
        session.execute(sa.update(Job).where(Job.id.in_(due.scalar_subquery()), claimable).values(**values)
                        .execution_options(synchronize_session=False))
    claimed = sa.select(Job).where(Job.claim_token == token)
    return list(session.execute(claimed.order_by(*order)).scalars())


def _finish(session: Session, job: Job, **values) -> bool:
    result = session.execute(
        sa.update(Job)
        .where(Job.id == job.id, Job.claim_token == job.claim_token, Job.status == JobStatus.RUNNING)
        .values(locked_until=None, **values)
        .execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def mark_done(session: Session, job: Job, now: datetime) -> bool:
    return _finish(session, job, status=JobStatus.DONE, sent_at=now, last_error=None)


def mark_skipped(session: Session, job: Job, note: str) -> bool:
    return _finish(session, job, status=JobStatus.SKIPPED, note=note[:200])


def mark_retry(session: Session, job: Job, error: str, next_attempt_at: datetime) -> bool:
    return _finish(session, job, status=JobStatus.PENDING, last_error=error[:2000], next_attempt_at=next_attempt_at)


def mark_failed(session: Session, job: Job, error: str) -> bool:
    return _finish(session, job, status=JobStatus.FAILED, last_error=error[:2000])


def list_jobs(
    session: Session, *, citizen_id: int | None = None, target: str | None = None, purpose: str | None = None
) -> list[Job]:
    query = sa.select(Job).order_by(Job.due_at, Job.id)
    if citizen_id is not None:
        query = query.where(Job.citizen_id == citizen_id)
    if target is not None:
        query = query.where(Job.target == target)
    if purpose is not None:
        query = query.where(Job.purpose == purpose)
    return list(session.execute(query).scalars())


def latest_job(session: Session, citizen_id: int, purpose: str, statuses: Iterable[str],
               before: datetime | None = None, target: str | None = None) -> Job | None:
    query = sa.select(Job).where(Job.citizen_id == citizen_id, Job.purpose == purpose,
                                 Job.status.in_(list(statuses)))
    if target is not None:
        query = query.where(Job.target == target)
    if before is not None:
        query = query.where(Job.due_at < before)
    return session.execute(query.order_by(Job.due_at.desc(), Job.id.desc()).limit(1)).scalar_one_or_none()


# Citizens per IN list: far under every driver's limit on bound parameters (SQLite's is 32766).
_IDS_PER_QUERY = 500


def latest_due_by_citizen(session: Session, citizen_ids: list[int], purpose: str,
                          statuses: Iterable[str]) -> dict[int, datetime]:
    """`latest_job(...).due_at` for many citizens at once: one query per 500 citizens instead of one
    each (planning 10,000 citizens' prompts; docs/performance.md)."""
    found: dict[int, datetime] = {}
    for start in range(0, len(citizen_ids), _IDS_PER_QUERY):
        chunk = citizen_ids[start:start + _IDS_PER_QUERY]
        found.update(session.execute(
            sa.select(Job.citizen_id, sa.func.max(Job.due_at))
            .where(Job.citizen_id.in_(chunk), Job.purpose == purpose, Job.status.in_(list(statuses)))
            .group_by(Job.citizen_id)
        ).all())
    return found


def citizens_without_open_job(session: Session, purpose: str, statuses: Iterable[str]) -> list[Citizen]:
    """Citizens (in the given statuses) that have no pending or running job of this purpose."""
    has_open = sa.select(Job.id).where(Job.citizen_id == Citizen.id, Job.purpose == purpose,
                                       Job.status.in_(OPEN)).exists()
    return list(session.execute(
        sa.select(Citizen).where(Citizen.status.in_(list(statuses)), ~has_open).order_by(Citizen.id)
    ).scalars())


def mark_deferred(session: Session, job: Job, next_attempt_at: datetime) -> bool:
    """Quiet hours or an open question: back to pending without counting an attempt."""
    return _finish(session, job, status=JobStatus.PENDING, attempts=Job.attempts - 1, next_attempt_at=next_attempt_at)


def open_question_sent_at(session: Session, citizen_id: int, purposes: Iterable[str], since: datetime) -> datetime | None:
    """When the citizen was last asked something proactively, if that was after `since` and they
    have not written since (then the question is still open)."""
    sent_at = session.execute(
        sa.select(Job.sent_at).where(Job.citizen_id == citizen_id, Job.status == JobStatus.DONE,
                                     Job.purpose.in_(list(purposes)), Job.sent_at > since)
        .order_by(Job.sent_at.desc()).limit(1)
    ).scalar_one_or_none()
    if sent_at is None:
        return None
    answered = sa.select(InboundMessage.id).where(InboundMessage.citizen_id == citizen_id,
                                                  InboundMessage.received_at >= sent_at).exists()
    return None if session.execute(sa.select(answered)).scalar() else sent_at
