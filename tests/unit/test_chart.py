"""The lyskurve SVG: coloured, dated, one row per life area, readable without JavaScript."""
import re
from datetime import timedelta
from xml.etree import ElementTree

from bot.checkins.programmes import get_programme
from bot.db.models import CheckIn
from bot.service.web.chart import MAX_POINTS, lyskurve_svg
from tests.conftest import T0

SVG = "{http://www.w3.org/2000/svg}"


def checkin(days, overall, areas=None, focus=None, status="complete", id_=None):
    return CheckIn(id=id_ or days + 1000, citizen_id=1, overall=overall, areas=areas or {}, focus_areas=focus or [],
                   status=status, created_at=T0 - timedelta(days=days))


def circles(svg):
    root = ElementTree.fromstring(str(svg))
    return [(c.get("fill"), c.find(f"{SVG}title").text) for c in root.iter(f"{SVG}circle")]


def test_short_programme_marks_focus_areas_in_the_days_colour():
    svg = lyskurve_svg([checkin(14, "green"), checkin(7, "yellow", focus=["krop"]),
                        checkin(0, "red", focus=["oekonomi", "humoer"], status="partial")], get_programme("standard"))
    dots = circles(svg)
    overall = [d for d in dots if "Krop" not in d[1] and "Humør" not in d[1] and "Økonomi" not in d[1]
               and "Hverdagen" not in d[1] and "Familie" not in d[1]]
    assert [fill for fill, _ in overall] == ["#2e7d32", "#f2b705", "#c62828"]
    assert overall[2][1] == "23. nov. 2026: Rød (ikke færdig)"
    assert ("#c62828", "23. nov. 2026: Økonomi og bolig rød") in dots
    assert ("#f2b705", "16. nov. 2026: Krop og helbred gul") in dots
    assert ("#c4c4c4", "9. nov. 2026: Krop og helbred ikke nævnt") in dots
    text = str(svg)
    assert "9/11" in text and "23/11" in text  # dated axis
    assert 'aria-label="Lyskurve: 3 tjek-ind fra 9. nov. 2026 til 23. nov. 2026, seneste samlet rød"' in text
    assert "<polyline" in text


def test_full_programme_colours_every_area():
    areas = {"krop": "red", "humoer": "yellow", "hverdag": "green", "netvaerk": "green", "oekonomi": "yellow"}
    dots = circles(lyskurve_svg([checkin(0, "yellow", areas=areas)], get_programme("fuld")))
    assert ("#c62828", "23. nov. 2026: Krop og helbred rød") in dots
    assert ("#2e7d32", "23. nov. 2026: Hverdagen grøn") in dots


def test_nothing_to_draw_gives_nothing_and_labels_are_escaped():
    assert str(lyskurve_svg([checkin(0, None)], get_programme("standard"))) == ""
    assert str(lyskurve_svg([], get_programme("standard"))) == ""


def test_long_histories_keep_the_newest_and_labels_do_not_overlap():
    many = [checkin(d, "green", id_=d + 1) for d in range(0, 100)]
    svg = str(lyskurve_svg(many, get_programme("standard")))
    assert f"{MAX_POINTS} tjek-ind" in svg
    xs = [float(x) for x in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="middle"', svg)]
    assert xs == sorted(xs) and all(b - a >= 46 for a, b in zip(xs, xs[1:]))
    assert "23/11" in svg  # the newest date is always labelled
