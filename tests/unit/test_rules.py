from bot.checkins.programmes import get_programme
from bot.checkins.rules import CheckinAnswers, evaluate

SHORT = get_programme("standard")
FULL = get_programme("fuld")
ALL_GREEN = {"krop": "green", "humoer": "green", "hverdag": "green", "netvaerk": "green", "oekonomi": "green"}


def rules(current, previous=None, programme=SHORT):
    return [a.rule for a in evaluate(current, previous, programme)]


def test_overall_red_fires_high():
    [alert] = evaluate(CheckinAnswers("red"), None, SHORT)
    assert (alert.rule, alert.severity) == ("overall_red", "high")
    assert "rød" in alert.reason


def test_green_and_yellow_fire_nothing():
    assert rules(CheckinAnswers("green")) == []
    assert rules(CheckinAnswers("yellow"), CheckinAnswers("green")) == []


def test_area_red_fires_only_when_overall_is_not_red():
    areas = {**ALL_GREEN, "oekonomi": "red"}
    [alert] = evaluate(CheckinAnswers("yellow", areas=areas), None, FULL)
    assert alert.rule == "area_red" and alert.severity == "medium" and "Økonomi og bolig" in alert.reason
    assert rules(CheckinAnswers("red", areas=areas), None, FULL) == ["overall_red"]
    assert rules(CheckinAnswers("yellow", areas=ALL_GREEN), None, FULL) == []


def test_worsened_two_steps_overall():
    assert rules(CheckinAnswers("red"), CheckinAnswers("green")) == ["overall_red", "worsened"]
    assert "worsened" not in rules(CheckinAnswers("red"), CheckinAnswers("yellow"))
    assert "worsened" not in rules(CheckinAnswers("yellow"), CheckinAnswers("green"))
    assert rules(CheckinAnswers("green"), CheckinAnswers("red")) == []


def test_worsened_on_two_or_more_areas_in_full_shape():
    before = CheckinAnswers("green", areas=ALL_GREEN)
    two_worse = CheckinAnswers("yellow", areas={**ALL_GREEN, "krop": "yellow", "humoer": "yellow"})
    one_worse = CheckinAnswers("yellow", areas={**ALL_GREEN, "krop": "yellow"})
    [alert] = evaluate(two_worse, before, FULL)
    assert alert.rule == "worsened" and "2 livsområder" in alert.reason
    assert rules(one_worse, before, FULL) == []


def test_contact_request_from_checkin():
    assert rules(CheckinAnswers("yellow", wants_contact=True)) == ["contact_request"]
    assert rules(CheckinAnswers("yellow", wants_contact=False)) == []
