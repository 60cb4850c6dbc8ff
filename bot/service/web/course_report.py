"""The report of ended courses as the dashboard's overview and GET /api/courses/ended show it
(issue 14 §6; docs/decisions.md, "Ending a course"). The counts and medians are the domain's
(bot.citizens.course: ended_courses, by_reason, median_days); this module adds the Danish labels,
the total row and the JSON shape."""
from __future__ import annotations

from dataclasses import dataclass

from bot.citizens import course
from bot.citizens.course import EndedCourse
from bot.service.web.labels import END_REASONS

LATEST = 5  # how many of the newest ended courses the overview lists


@dataclass(frozen=True)
class ReasonRow:
    reason: str | None  # a CourseEndReason; None: every reason together
    label: str
    count: int
    median_days: int | float | None  # None when no course ended for this reason


def by_reason(courses: list[EndedCourse]) -> list[ReasonRow]:
    """The overview's table: one row per reason (every reason, also those with none), then the total."""
    rows = [ReasonRow(r.reason, END_REASONS.get(r.reason, r.reason), r.count, r.median_days)
            for r in course.by_reason(courses)]
    rows.append(ReasonRow(None, "I alt", len(courses), course.median_days(courses)))
    return rows


def days_text(value: int | float | None) -> str:
    """Days as a Danish reader writes them: "1 dag", "45 dage", "45,5 dage", "-" for none."""
    if value is None:
        return "-"
    return f"{value} {'dag' if value == 1 else 'dage'}".replace(".", ",")


def report_json(courses: list[EndedCourse]) -> dict:
    return {
        "by_reason": [{"reason": r.reason, "count": r.count, "median_days": r.median_days}
                      for r in course.by_reason(courses)],
        "total": len(courses),
        "median_days": course.median_days(courses),
        "courses": [{"citizen_id": c.citizen_id, "name": c.name, "days": c.days, "reason": c.reason}
                    for c in courses],
    }
