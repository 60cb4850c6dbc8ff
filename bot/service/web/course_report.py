"""The report of ended courses (issue 14 §6; docs/decisions.md, "Ending a course"): per reason how
many ended and the median length in days, and the latest few. Built from
bot.citizens.course.ended_courses for the dashboard's overview and GET /api/courses/ended."""
from __future__ import annotations

from dataclasses import dataclass
from statistics import median

from bot.citizens.course import EndedCourse
from bot.service.web.labels import END_REASONS

LATEST = 5  # how many of the newest ended courses the overview lists


@dataclass(frozen=True)
class ReasonRow:
    reason: str | None  # a CourseEndReason; None: every reason together
    label: str
    count: int
    median_days: int | float | None  # None when no course ended for this reason


def _median(days: list[int]) -> int | float | None:
    if not days:
        return None
    value = median(days)
    return int(value) if value == int(value) else value


def by_reason(courses: list[EndedCourse]) -> list[ReasonRow]:
    """One row per reason (every reason, also those with none), then the total."""
    rows = []
    for reason, label in END_REASONS.items():
        days = [c.days for c in courses if c.reason == reason]
        rows.append(ReasonRow(reason, label, len(days), _median(days)))
    rows.append(ReasonRow(None, "I alt", len(courses), _median([c.days for c in courses])))
    return rows


def days_text(value: int | float | None) -> str:
    """Days as a Danish reader writes them: "1 dag", "45 dage", "45,5 dage", "-" for none."""
    if value is None:
        return "-"
    return f"{value} {'dag' if value == 1 else 'dage'}".replace(".", ",")


def report_json(courses: list[EndedCourse]) -> dict:
    return {
        "by_reason": [{"reason": row.reason, "count": row.count, "median_days": row.median_days}
                      for row in by_reason(courses) if row.reason is not None],
        "total": len(courses),
        "median_days": _median([c.days for c in courses]),
        "courses": [{"citizen_id": c.citizen_id, "name": c.name, "days": c.days, "reason": c.reason}
                    for c in courses],
    }
