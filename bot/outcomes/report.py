"""Outcome measures as the coordinator reads them: the response rate per round of a caseload, the
WHO-5 band of a score, the scores over time and the latest answers item by item. Pure functions of
stored rows; the dashboard and the API only render what they return."""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from bot.core.vocabulary import QuestionnaireStatus
from bot.db.models import OutcomeMeasure, Questionnaire
from bot.outcomes import instruments as ins

PLANNED, OPEN = QuestionnaireStatus.PLANNED, QuestionnaireStatus.OPEN
COMPLETE, PARTIAL, DECLINED = QuestionnaireStatus.COMPLETE, QuestionnaireStatus.PARTIAL, QuestionnaireStatus.DECLINED

DAYS_PER_MONTH = 365.25 / 12
REQUESTED_LABEL = "Efter ønske"
# The instruments as a table cell names them.
SHORT_NAMES = {ins.InstrumentCode.WHO5.value: "WHO-5", ins.InstrumentCode.INSPIRE_O.value: "INSPIRE-O",
               ins.InstrumentCode.EXPERIENCE.value: "Samarbejdet"}


# --- WHO-5 bands -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Band:
    """One of the evaluation's three WHO-5 bands (seed 004: 0-35, 36-50, over 50). A rough grouping
    of the score for the coordinator, never a diagnosis, and never shown to the citizen."""
    low: int
    high: int
    range_text: str
    label: str

    @property
    def text(self) -> str:
        return f"{self.range_text}: {self.label}"


WHO5_BANDS = (
    Band(0, 35, "0-35", "stor risiko for depression eller stressbelastning"),
    Band(36, 50, "36-50", "risiko"),
    Band(51, 100, "over 50", "umiddelbart ikke risiko"),
)


def who5_band(score: int | None) -> Band | None:
    if score is None:
        return None
    return next((band for band in WHO5_BANDS if band.low <= score <= band.high), None)


# --- rounds ------------------------------------------------------------------------------------

def round_label(round_no: int | None, interval_days: int = 91) -> str:
    """"Opstart", "3 mdr.", "6 mdr.", ...; "Efter ønske" for a round a coordinator asked for. With
    an interval shorter than four weeks (a test set-up) months say nothing: "Runde 2"."""
    if round_no is None:
        return REQUESTED_LABEL
    if round_no == 0:
        return "Opstart"
    if interval_days < 28:
        return f"Runde {round_no}"
    return f"{round(round_no * interval_days / DAYS_PER_MONTH)} mdr."


def was_asked(questionnaire: Questionnaire) -> bool:
    """The first question reached the citizen. A round closed before it was ever sent (the citizen
    had sent STOP, the course ended) was not asked and does not count against the response rate."""
    return questionnaire.asked_at is not None or questionnaire.status == COMPLETE


_STATUS_LABELS = {
    PLANNED: "planlagt",
    OPEN: "i gang",
    COMPLETE: "besvaret",
    PARTIAL: "delvist besvaret",
    DECLINED: "sagt nej tak",
}


def round_status_label(questionnaire: Questionnaire) -> str:
    if questionnaire.status == PARTIAL and not was_asked(questionnaire):
        return "ikke sendt"
    return _STATUS_LABELS.get(questionnaire.status, str(questionnaire.status))


@dataclass(frozen=True)
class ResponseRate:
    """One row of the response-rate table: the rounds of one kind (Opstart, 3 mdr., ..., Efter
    ønske) across a caseload. `rate` is answered (every question) of asked."""
    label: str
    round_no: int | None
    waiting: int  # planned, not sent yet
    asked: int
    answered: int
    partial: int
    declined: int
    open: int  # being answered now

    @property
    def rate(self) -> float | None:
        return self.answered / self.asked if self.asked else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(100 * self.rate)


def response_rates(rounds: Iterable[Questionnaire], interval_days: int = 91) -> list[ResponseRate]:
    """The response rate per round: planned rounds by number (the baseline first), then the rounds
    coordinators asked for. Rounds never sent are counted as waiting (still planned) or left out
    (closed unsent); neither counts as asked."""
    counts: dict[int | None, dict[str, int]] = {}
    for questionnaire in rounds:
        row = counts.setdefault(questionnaire.round_no, dict.fromkeys(
            ("waiting", "asked", "answered", "partial", "declined", "open"), 0))
        if not was_asked(questionnaire):
            if questionnaire.status == PLANNED:
                row["waiting"] += 1
            continue
        row["asked"] += 1
        key = {COMPLETE: "answered", PARTIAL: "partial", DECLINED: "declined"}.get(questionnaire.status, "open")
        row[key] += 1
    order = sorted(counts, key=lambda n: (n is None, n or 0))
    return [ResponseRate(round_label(n, interval_days), n, **counts[n]) for n in order]


# --- scores and answers ------------------------------------------------------------------------

@dataclass(frozen=True)
class ScoreRow:
    instrument: str  # code
    name: str
    score: int
    answered_at: datetime
    change: int | None  # from the citizen's previous score on the same instrument
    band: Band | None  # WHO-5 only


def score_history(measures: Iterable[OutcomeMeasure]) -> list[ScoreRow]:
    """Every scored instrument (WHO-5, INSPIRE-O), newest first, with the change from the one before."""
    scored = sorted((m for m in measures if m.score is not None and m.answered_at is not None),
                    key=lambda m: (m.answered_at, m.id or 0))
    previous: dict[str, int] = {}
    rows = []
    for measure in scored:
        spec = ins.INSTRUMENTS.get(measure.instrument)
        before = previous.get(measure.instrument)
        rows.append(ScoreRow(
            instrument=measure.instrument, name=spec.name if spec else measure.instrument, score=measure.score,
            answered_at=measure.answered_at, change=None if before is None else measure.score - before,
            band=who5_band(measure.score) if measure.instrument == ins.InstrumentCode.WHO5 else None))
        previous[measure.instrument] = measure.score
    return sorted(rows, key=lambda row: row.answered_at, reverse=True)  # stable: a round's instruments in order


@dataclass(frozen=True)
class ItemAnswer:
    statement: str
    value: int | None
    label: str  # the answer's own wording where the instrument gives one ("Delvist enig"), else ""


def latest_answers(measures: Iterable[OutcomeMeasure], instrument: str) -> tuple[datetime, list[ItemAnswer]] | None:
    """The newest full set of answers to `instrument`, item by item (for the experience items,
    which have no total), or None when the citizen has not answered it yet."""
    spec = ins.instrument(instrument)
    answered = [m for m in measures if m.instrument == instrument and m.answered_at is not None]
    if not answered:
        return None
    newest = max(answered, key=lambda m: (m.answered_at, m.id or 0))
    labels = dict(spec.labels)
    items = list(newest.items or [])
    return newest.answered_at, [
        ItemAnswer(statement, items[index] if index < len(items) else None,
                   labels.get(items[index], "") if index < len(items) else "")
        for index, statement in enumerate(spec.items)]
