"""The citizen's WHO-5 and INSPIRE-O scores over time: an inline SVG drawn on the server, in the
lyskurve's style (bot/service/web/chart.py): no JavaScript, prints as it shows.

Scores run 0-100 bottom to top. The evaluation's WHO-5 bands (0-35, 36-50, over 50) are drawn as
plain grey shades with their numbers as text, not as traffic-light colours: they are a rough
grouping of the score, not a diagnosis (docs/outcomes.md). Time runs left to right in proportion."""
from __future__ import annotations

from collections.abc import Iterable

from markupsafe import Markup, escape

from bot.db.models import OutcomeMeasure
from bot.outcomes import instruments as ins
from bot.outcomes.report import WHO5_BANDS
from bot.service.web.chart import _date, _label

WIDTH, LEFT, RIGHT, TOP = 760, 170, 24, 12
PLOT_H, AXIS_H, LEGEND_H = 180, 34, 22
MAX_POINTS = 30
SHADES = ("#eeeeee", "#f6f6f6", "#ffffff")  # the bands, lowest first
# Each scored instrument: its line colour, whether the line is dashed, and the point's shape.
SERIES = {
    ins.InstrumentCode.WHO5.value: ("#1f4e79", "", "circle"),
    ins.InstrumentCode.INSPIRE_O.value: ("#7a4e00", "6 4", "square"),
}


def _y(score: float) -> float:
    return TOP + PLOT_H * (1 - score / 100)


def _point(x: float, y: float, colour: str, shape: str, title: str, instrument: str) -> str:
    if shape == "square":
        return (f'<rect x="{x - 6:.1f}" y="{y - 6:.1f}" width="12" height="12" fill="{colour}" stroke="#222" '
                f'stroke-width="1" class="score score-{instrument}"><title>{escape(title)}</title></rect>')
    return (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="7" fill="{colour}" stroke="#222" stroke-width="1" '
            f'class="score score-{instrument}"><title>{escape(title)}</title></circle>')


def outcome_svg(measures: Iterable[OutcomeMeasure]) -> Markup:
    """measures in any order; only scored ones (WHO-5, INSPIRE-O) are drawn, the newest MAX_POINTS."""
    scored = sorted((m for m in measures if m.score is not None and m.answered_at is not None
                     and m.instrument in SERIES), key=lambda m: (m.answered_at, m.id or 0))[-MAX_POINTS:]
    if not scored:
        return Markup("")
    plot = WIDTH - LEFT - RIGHT
    first, last = scored[0].answered_at, scored[-1].answered_at
    span = (last - first).total_seconds()

    def x_of(measure: OutcomeMeasure) -> float:
        if span <= 0:
            return LEFT + plot / 2
        return LEFT + 10 + (plot - 20) * (measure.answered_at - first).total_seconds() / span

    parts = []
    for band, shade in zip(WHO5_BANDS, SHADES):
        top, bottom = _y(min(band.high + 0.5, 100)), _y(max(band.low - 0.5, 0))
        parts.append(f'<rect x="{LEFT}" y="{top:.1f}" width="{plot}" height="{bottom - top:.1f}" fill="{shade}"/>')
        parts.append(_label(LEFT - 10, (top + bottom) / 2, f"WHO-5 {band.range_text}", size=12))
    for tick in (0, 50, 100):
        parts.append(_label(LEFT + plot + 4, _y(tick), str(tick), anchor="start", size=10))
    for code, (colour, dash, shape) in SERIES.items():
        points = [(x_of(m), _y(m.score), m) for m in scored if m.instrument == code]
        name = ins.INSTRUMENTS[code].name
        if len(points) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
            dashes = f' stroke-dasharray="{dash}"' if dash else ""
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dashes}/>')
        for x, y, m in points:
            parts.append(_point(x, y, colour, shape, f"{_date(m.answered_at, 'd. MMM y')}: {name} {m.score} point",
                                code))
    axis_y = TOP + PLOT_H + 4
    parts.append(f'<line x1="{LEFT}" y1="{axis_y}" x2="{WIDTH - RIGHT}" y2="{axis_y}" stroke="#888"/>')
    shown: list[float] = []
    for m in scored:
        x = x_of(m)
        if shown and x - shown[-1] < 46:
            continue
        shown.append(x)
        parts.append(f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 5}" stroke="#888"/>')
        parts.append(_label(x, axis_y + 16, _date(m.answered_at), anchor="middle", size=12))
    legend_y = axis_y + AXIS_H
    legend_x = LEFT
    for code, (colour, dash, shape) in SERIES.items():
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        parts.append(f'<line x1="{legend_x}" y1="{legend_y}" x2="{legend_x + 28}" y2="{legend_y}" stroke="{colour}" '
                     f'stroke-width="2"{dashes}/>')
        parts.append(_point(legend_x + 14, legend_y, colour, shape, ins.INSTRUMENTS[code].name, f"legend-{code}"))
        parts.append(_label(legend_x + 36, legend_y, ins.INSTRUMENTS[code].name, anchor="start", size=12))
        legend_x += 220
    height = legend_y + LEGEND_H
    newest = {m.instrument: m.score for m in scored}
    summary = (f"Trivsel og recovery: {len(scored)} scorer fra {_date(first, 'd. MMM y')} til "
               f"{_date(last, 'd. MMM y')}"
               + "".join(f", seneste {ins.INSTRUMENTS[code].name} {score} point" for code, score in newest.items()))
    return Markup(
        f'<svg class="outcomes-chart" role="img" aria-label="{escape(summary)}" viewBox="0 0 {WIDTH} {height}" '
        f'width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg" '
        f'font-family="system-ui, sans-serif"><title>{escape(summary)}</title>{"".join(parts)}</svg>'
    )
