"""Storing a check-in as it is answered, and raising the alerts its rules call for, in the same
transaction as each answer (docs/architecture.md, "Check-ins and alerts"; docs/decisions.md, "An
answer counts the moment it is given"). The first answer opens a check-in (status open), later
answers complete the same row, the end of the conversation finishes it (complete or partial), and
one left open is closed as partial by `close_stale` after its nudge. Each check-in also keeps how many
times a question was asked again (`clarifications`); `clarification_share` is the share of complete
check-ins answered without that (issue 15 §4, docs/nlu.md "Buttons and digits")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.checkins.programmes import get_programme
from bot.checkins.rules import CheckinAnswers, evaluate
from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid
from bot.core.vocabulary import CheckinStatus
from bot.db import alerts as alert_db
from bot.db import checkins as checkin_db
from bot.db.models import Alert, CheckIn, Citizen
from bot.jobs import planner, timing
from bot.jobs.purposes import CHECKIN_OPEN_NUDGE


def record_answer(
    session: Session,
    citizen: Citizen,
    checkin_id: int | None,
    answers: CheckinAnswers,
    *,
    note: str | None,
    channel: str,
    now: datetime,
    settings: ProactiveSettings,
    clarifications: int | None = None,
) -> tuple[CheckIn, list[Alert]]:
    """Everything the citizen has answered so far, stored now. Without a `checkin_id` (or with one
    that is not this citizen's, or is already complete) a new check-in is opened, with its nudge and
    its close planned; otherwise the citizen's own open or partial one is updated. The rules run on
    what is known so far and add only the alerts this check-in has not raised yet, so the red
    answer raises `overall_red` at once and the next answer does not raise it again.
    `clarifications`: how many times a question of it was asked again so far (the conversation
    counts them, before the colour too); never less than was stored."""
    checkin = checkin_db.get_checkin(session, checkin_id, citizen.id) if checkin_id is not None else None
    if checkin is None or checkin.status == CheckinStatus.COMPLETE:
        checkin = _open(session, citizen, channel, now)
        planner.plan_open_checkin(session, checkin, now, settings)
    if clarifications is not None:
        checkin.clarifications = max(checkin.clarifications or 0, clarifications)
    return checkin, _store(session, citizen, checkin, answers, note, now)


def finish(session: Session, citizen: Citizen, checkin_id: int | None, *, complete: bool,
           now: datetime) -> CheckIn | None:
    """The last question was answered (complete), or the citizen stopped or started something else
    (partial). A complete check-in stays complete; a partial one completed later becomes complete.
    Its nudge and close are not needed any more."""
    checkin = checkin_db.get_checkin(session, checkin_id, citizen.id) if checkin_id is not None else None
    return _finish(session, checkin, complete) if checkin is not None else None


def _finish(session: Session, checkin: CheckIn, complete: bool) -> CheckIn:
    if complete:
        checkin.status = CheckinStatus.COMPLETE
    elif checkin.status == CheckinStatus.OPEN:
        checkin.status = CheckinStatus.PARTIAL
    planner.cancel_open_checkin_jobs(session, checkin.id, note="check-in finished")
    return checkin


def close_stale(session: Session, now: datetime, settings: ProactiveSettings,
                citizen_ids: list[int] | None = None) -> list[CheckIn]:
    """Close as partial every open check-in whose close time has come (timed from its last answer:
    bot.jobs.timing.open_checkin_close_time). The answers stay; a later answer can still complete it."""
    closed = []
    for checkin in checkin_db.open_checkins(session, citizen_ids):
        if timing.open_checkin_close_time(checkin.last_answer_at or checkin.created_at, settings) <= now:
            checkin.status = CheckinStatus.PARTIAL
            # Not the close job itself: it is the one running this.
            planner.cancel_open_checkin_jobs(session, checkin.id, note="check-in closed as partial",
                                             purposes=(CHECKIN_OPEN_NUDGE,))
            closed.append(checkin)
    return closed


def open_checkin(session: Session, citizen: Citizen) -> CheckIn | None:
    """The citizen's check-in still being answered, if any (at most one: `_open`)."""
    found = checkin_db.open_checkins(session, [citizen.id])
    return found[-1] if found else None


def record_checkin(
    session: Session,
    citizen: Citizen,
    answers: CheckinAnswers,
    *,
    note: str | None,
    complete: bool,
    channel: str,
    now: datetime,
) -> tuple[CheckIn, list[Alert]]:
    """A whole check-in at once (demo data, imports, tests), under the same rules as answer by
    answer; nothing is planned for it, because nothing is left open."""
    checkin = _open(session, citizen, channel, now)
    alerts = _store(session, citizen, checkin, answers, note, now)
    checkin.status = CheckinStatus.COMPLETE if complete else CheckinStatus.PARTIAL
    return checkin, alerts


def _open(session: Session, citizen: Citizen, channel: str, now: datetime) -> CheckIn:
    # One open check-in per citizen: an older one still open is set aside as partial.
    for older in checkin_db.open_checkins(session, [citizen.id]):
        _finish(session, older, complete=False)
    return checkin_db.add_checkin(session, citizen.id, created_at=now, last_answer_at=now, channel=channel,
                                  status=CheckinStatus.OPEN, areas={}, focus_areas=[])


def _store(session: Session, citizen: Citizen, checkin: CheckIn, answers: CheckinAnswers, note: str | None,
           now: datetime) -> list[Alert]:
    if answers.overall is None and checkin.overall is None:
        # Nothing is stored before the colour (docs/decisions.md, "Foundation").
        raise Invalid("a check-in is stored from its colour on", "overall")
    # The answers are what the conversation knows so far; what was stored is never lost to a gap.
    colours_before = (checkin.overall, checkin.areas or {})
    checkin.overall = answers.overall or checkin.overall
    checkin.areas = {**(checkin.areas or {}), **answers.areas}
    colours_changed = (checkin.overall, checkin.areas) != colours_before
    checkin.focus_areas = list(answers.focus_areas) or list(checkin.focus_areas or [])
    if answers.wants_contact is not None:
        checkin.wants_contact = answers.wants_contact
    if note:
        checkin.note = note
    checkin.last_answer_at = now
    session.flush()
    return _raise_alerts(session, citizen, checkin, now, compare=colours_changed)


def _raise_alerts(session: Session, citizen: Citizen, checkin: CheckIn, now: datetime, *,
                  compare: bool) -> list[Alert]:
    """`compare`: a colour changed now, so the check-in is compared with the one before it (the
    worsening rule). Another answer (a focus area, the note, the call, the same colour again) leaves
    the comparison as it was when the colours were stored, and its outcome is already raised or was
    nothing, so that earlier check-in is not read again. This assumes the check-in before does not
    change its colours meanwhile; only one set aside and then resumed could, and its own answers are
    compared when they are stored. The raised rules are read only when a rule fires now
    (docs/performance.md, "Round 5")."""
    previous_row = checkin_db.latest_checkin_with_colour(session, citizen.id, before=checkin) if compare else None
    previous = (
        CheckinAnswers(overall=previous_row.overall, areas=dict(previous_row.areas or {})) if previous_row else None
    )
    current = CheckinAnswers(overall=checkin.overall, areas=dict(checkin.areas or {}),
                             focus_areas=list(checkin.focus_areas or []), wants_contact=checkin.wants_contact)
    drafts = evaluate(current, previous, get_programme(citizen.programme))
    raised = checkin_db.rules_raised(session, checkin.id) if drafts else set()
    alerts = []
    for draft in drafts:
        if draft.rule.value in raised:
            continue  # once per check-in, however many answers follow
        raised.add(draft.rule.value)
        alerts.append(alert_db.add_alert(session, citizen.id, rule=draft.rule, severity=draft.severity,
                                         reason=draft.reason, created_at=now, checkin_id=checkin.id))
    return alerts


@dataclass(frozen=True)
class ClarificationShare:
    """Complete check-ins over a period, and how many were answered without a question asked again."""
    completed: int
    without_clarification: int

    @property
    def percent(self) -> int | None:
        """Rounded; None when no check-in was completed (no share to show)."""
        return round(100 * self.without_clarification / self.completed) if self.completed else None


def clarification_share(session: Session, since: datetime, until: datetime,
                        coordinator_id: int | None = None) -> ClarificationShare:
    """The share of check-ins completed without a clarification (issue 15 §4): complete check-ins
    begun in [since, until) whose clarifications were counted (not those stored whole or before
    migration 0022), and how many of them had none. With `coordinator_id`: their citizens only."""
    completed, without = checkin_db.clarification_counts(session, since, until, coordinator_id)
    return ClarificationShare(completed=completed, without_clarification=without)
