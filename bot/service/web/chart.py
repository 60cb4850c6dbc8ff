"""The lyskurve as a picture: an inline SVG drawn on the server (no JavaScript, prints as it shows).

Top panel: the overall colour over time as a curve (green high, red low), so a slide is visible at a
glance. Below: one row per life area. In the full check-in every area has its own colour; in the short
check-in the areas the citizen said weigh most are marked in that day's overall colour, the others
stay grey. Time runs left to right in proportion, so gaps between check-ins show as gaps."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from babel.dates import format_datetime
from markupsafe import Markup, escape

from bot.checkins.programmes import Programme
from bot.core.clock import COPENHAGEN
from bot.core.vocabulary import CheckinStatus
from bot.db.models import CheckIn
from bot.service.web.labels import CHECKIN_STATUSES, COLOURS

FILL = {"green": "#2e7d32", "yellow": "#f2b705", "red": "#c62828"}
BAND = {"green": "#e8f5e9", "yellow": "#fff8e1", "red": "#ffebee"}
LEVEL = {"green": 0, "yellow": 1, "red": 2}  # row of the overall panel, top to bottom
MAX_POINTS = 30

WIDTH, LEFT, RIGHT, TOP = 760, 170, 24, 12
BAND_H, AREA_H, AXIS_H = 30, 26, 34


@dataclass(frozen=True)
class _Point:
    x: float
    checkin: CheckIn


def _date(value: datetime, pattern: str = "d/M") -> str:
    return format_datetime(value, pattern, tzinfo=COPENHAGEN, locale="da")


def _x_positions(checkins: list[CheckIn]) -> list[_Point]:
    plot = WIDTH - LEFT - RIGHT
    first, last = checkins[0].created_at, checkins[-1].created_at
    span = (last - first).total_seconds()
    if span <= 0:
        return [_Point(LEFT + plot / 2, c) for c in checkins]
    return [_Point(LEFT + 10 + (plot - 20) * (c.created_at - first).total_seconds() / span, c) for c in checkins]


def _circle(x: float, y: float, colour: str | None, title: str, r: float = 8) -> str:
    if colour is None:
        return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="#c4c4c4"><title>{escape(title)}</title></circle>'
    return (
        f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r}" fill="{FILL[colour]}" stroke="#222" stroke-width="1" '
        f'class="dot dot-{colour}"><title>{escape(title)}</title></circle>'
    )


def _label(x: float, y: float, text: str, anchor: str = "end", size: int = 13, weight: str = "normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" font-weight="{weight}" '
        f'dominant-baseline="middle">{escape(text)}</text>'
    )


def _overall_panel(points: list[_Point]) -> list[str]:
    parts = []
    for colour, level in LEVEL.items():
        y = TOP + level * BAND_H
        parts.append(f'<rect x="{LEFT}" y="{y}" width="{WIDTH - LEFT - RIGHT}" height="{BAND_H}" '
                     f'fill="{BAND[colour]}"/>')
        parts.append(_label(LEFT - 10, y + BAND_H / 2, f"Samlet: {COLOURS[colour].lower()}", weight="bold"))
    coloured = [p for p in points if p.checkin.overall in LEVEL]
    if len(coloured) > 1:
        path = " ".join(f"{p.x:.1f},{TOP + LEVEL[p.checkin.overall] * BAND_H + BAND_H / 2:.1f}" for p in coloured)
        parts.append(f'<polyline points="{path}" fill="none" stroke="#555" stroke-width="2"/>')
    for p in coloured:
        colour = p.checkin.overall
        y = TOP + LEVEL[colour] * BAND_H + BAND_H / 2
        # Open (still being answered) and partial check-ins say so (docs/decisions.md).
        status = p.checkin.status
        partial = "" if status == CheckinStatus.COMPLETE else f" ({CHECKIN_STATUSES.get(status, status)})"
        parts.append(_circle(p.x, y, colour, f"{_date(p.checkin.created_at, 'd. MMM y')}: {COLOURS[colour]}{partial}"))
    return parts


def _area_colour(checkin: CheckIn, area: str) -> str | None:
    areas = checkin.areas or {}
    if area in areas:
        return areas[area]
    if area in (checkin.focus_areas or []) and checkin.overall in FILL:
        return checkin.overall
    return None


def _area_rows(points: list[_Point], programme: Programme, top: float) -> list[str]:
    parts = []
    for index, area in enumerate(programme.areas):
        y = top + index * AREA_H + AREA_H / 2
        parts.append(f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#eee"/>')
        parts.append(_label(LEFT - 10, y, area.label))
        for p in points:
            colour = _area_colour(p.checkin, area.key)
            when = _date(p.checkin.created_at, "d. MMM y")
            title = f"{when}: {area.label} {COLOURS[colour].lower()}" if colour else f"{when}: {area.label} ikke nævnt"
            parts.append(_circle(p.x, y, colour, title, r=6))
    return parts


def _labelled(points: list[_Point], min_gap: float = 46) -> list[_Point]:
    """Date labels that do not overlap; the newest check-in always gets its date."""
    shown: list[_Point] = []
    for p in points:
        if not shown or p.x - shown[-1].x >= min_gap:
            shown.append(p)
    if shown[-1] is not points[-1]:
        if points[-1].x - shown[-1].x < min_gap:
            shown.pop()
        shown.append(points[-1])
    return shown


def _axis(points: list[_Point], y: float) -> list[str]:
    parts = [f'<line x1="{LEFT}" y1="{y}" x2="{WIDTH - RIGHT}" y2="{y}" stroke="#888"/>']
    for p in _labelled(points):
        parts.append(f'<line x1="{p.x:.1f}" y1="{y}" x2="{p.x:.1f}" y2="{y + 5}" stroke="#888"/>')
        parts.append(_label(p.x, y + 16, _date(p.checkin.created_at), anchor="middle", size=12))
    return parts


def lyskurve_svg(checkins: list[CheckIn], programme: Programme) -> Markup:
    """checkins in any order; only those with a colour (overall or per area) are drawn."""
    drawn = sorted((c for c in checkins if c.overall or c.areas), key=lambda c: (c.created_at, c.id or 0))
    drawn = drawn[-MAX_POINTS:]
    if not drawn:
        return Markup("")
    points = _x_positions(drawn)
    areas_top = TOP + 3 * BAND_H + 14
    axis_y = areas_top + len(programme.areas) * AREA_H + 4
    height = axis_y + AXIS_H
    latest = next((c.overall for c in reversed(drawn) if c.overall), None)
    summary = (
        f"Lyskurve: {len(drawn)} tjek-ind fra {_date(drawn[0].created_at, 'd. MMM y')} "
        f"til {_date(drawn[-1].created_at, 'd. MMM y')}"
        + (f", seneste samlet {COLOURS[latest].lower()}" if latest else "")
    )
    body = _overall_panel(points) + _area_rows(points, programme, areas_top) + _axis(points, axis_y)
    return Markup(
        f'<svg class="lyskurve" role="img" aria-label="{escape(summary)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, sans-serif"><title>{escape(summary)}</title>{"".join(body)}</svg>'
    )
