"""The citizen's own page ("Din side", issue 14 part 5): what the citizen sees beside the web chat,
behind their personal link. Their lyskurve in plain words, their next meetings, the agreements they
approved, their active goals and the steps toward them, and when they last answered the outcome
questions.

Only what the citizen gave or was told: never the coordinator's stratification, notes, alerts or
alert reasons, the check-in's free text, the meeting's title, or any score (docs/privacy.md, "Who sees
what"). Each item is built field by field from a short list, so a column added to a table later is
not shown here by accident. Outcome measures appear as a date only: a WHO-5 score and its band
("stor risiko") read like a diagnosis when nobody is there to talk about them, and the answers are
for the conversation with the coordinator.

The words and dates are in the page's language (`page`, bot/core/page_texts.py: the citizen's when
their catalogue has the page, else Danish), the life areas too (bot/checkins/programmes.yml,
`label_<code>`). Still Danish whatever the language: the chart's labels (bot/service/web/chart.py, the
coordinator's drawing), which the web layer therefore draws for a Danish page only."""
from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from bot.checkins.programmes import Programme, get_programme
from bot.core import i18n
from bot.core.config import ProactiveSettings
from bot.core.page_texts import DANISH_PAGE, PageLanguage
from bot.core.vocabulary import AgreementStatus, AppointmentReply
from bot.db import agreements as agreement_db
from bot.db import appointments as appointment_db
from bot.db import checkins as checkin_db
from bot.db import goals as goal_db
from bot.db import outcomes as outcome_db
from bot.db.models import COLOURS, Agreement, Appointment, CheckIn, Citizen, Goal, GoalStep
from bot.goals.plan import CITIZEN_OWNER

MAX_CHECKINS = 30  # as many as the coordinator's chart draws
MAX_MEETINGS = 5
MAX_AGREEMENTS = 30
MAX_GOALS = 20

# The meeting's kind as the citizen says it: page texts kind_<kind>, kind_andet for any other.
KINDS = ("opstartssamtale", "netvaerksmoede", "opfoelgning", "afslutningssamtale", "andet")
REPLIES = {AppointmentReply.CONFIRMED.value: "reply_confirmed", AppointmentReply.CANNOT_COME.value: "reply_cannot_come"}
# The citizen's own answer to "has it been done?" (bot/meetings/agreements.py, record_follow_up).
DONE = {"yes": "done_yes", "no": "done_no", "unknown": "done_unknown"}


def _day(day: date, page: PageLanguage) -> str:
    """ "tirsdag 24. nov.", "Tuesday 24 Nov" """
    return i18n.format_date_in(day, page["date_day"], page.code)


def _local_day(instant: datetime, zone: ZoneInfo) -> date:
    return instant.astimezone(zone).date()


def _checkin(checkin: CheckIn, programme: Programme, zone: ZoneInfo, page: PageLanguage) -> dict:
    day = _local_day(checkin.created_at, zone)
    colour = checkin.overall
    areas = [{"area": area.label_in(page.code), "colour": checkin.areas[area.key],
              "colour_words": page[f"colour_{checkin.areas[area.key]}"]}
             for area in programme.areas if (checkin.areas or {}).get(area.key) in COLOURS]
    focus = [area.label_in(page.code) for area in programme.areas if area.key in (checkin.focus_areas or [])]
    return {
        "date": day.isoformat(),
        "day": _day(day, page),
        "colour": colour,
        "colour_words": page[f"colour_{colour}"],
        "areas": areas,  # the full check-in: a colour per life area
        "mattered_most": focus,  # the short check-in: what weighed most, in the citizen's choice
    }


def _meeting(appointment: Appointment, zone: ZoneInfo, page: PageLanguage) -> dict:
    reply = REPLIES.get(appointment.citizen_reply or "")
    return {
        "starts_at": appointment.starts_at.isoformat(),
        "when": i18n.format_when(appointment.starts_at, page.code, zone),
        "place": appointment.location or None,
        "kind": appointment.kind,
        "kind_words": page[f"kind_{appointment.kind if appointment.kind in KINDS else 'andet'}"],
        "your_answer": page[reply] if reply else None,
    }


def _agreement(agreement: Agreement, page: PageLanguage) -> dict:
    answer = agreement.follow_up_answer if agreement.followed_up_at else None
    return {
        "what": agreement.what,
        "who": page["you"] if agreement.owner_is_citizen else agreement.who,
        "yours": bool(agreement.owner_is_citizen),
        "due": agreement.due_date.isoformat() if agreement.due_date else None,
        "due_words": _day(agreement.due_date, page) if agreement.due_date else None,
        "done": {"yes": True, "no": False}.get(answer or ""),
        "done_words": page[DONE.get(answer or "", "not_asked")],
    }


def own_step(step: GoalStep, page: PageLanguage = DANISH_PAGE) -> dict:
    """A step as the citizen sees it. `id`: what the page posts to tick it (POST /chat/me/steps/{id}/done).
    `ticked_by_you`: the citizen ticked it themselves, so they may take it back; a step the
    coordinator marked done stays theirs (bot/goals/plan.py, tick_step). Who ticked is not named otherwise."""
    return {
        "id": step.id,
        "text": step.text,
        "who": page["you"] if step.owner == CITIZEN_OWNER else step.owner,
        "yours": step.owner == CITIZEN_OWNER,
        "due": step.due_date.isoformat() if step.due_date else None,
        "due_words": _day(step.due_date, page) if step.due_date else None,
        "done": step.done_at is not None,
        "ticked_by_you": step.done_at is not None and step.done_by == "citizen",
    }


def _goal(goal: Goal, steps: list[GoalStep], page: PageLanguage) -> dict:
    """An active goal in the citizen's own words and its steps; the citizen ticks a step off on the page."""
    return {"text": goal.text, "steps": [own_step(s, page) for s in steps]}


def _agreement_order(agreement: Agreement) -> tuple:
    done = agreement.follow_up_answer == "yes" and agreement.followed_up_at is not None
    return (done, agreement.due_date or date.max, agreement.id)


def own_overview(session: Session, citizen: Citizen, now: datetime, settings: ProactiveSettings, *,
                 link_expires_at: datetime | None = None,
                 chart: Callable[[list[CheckIn], Programme], str] | None = None,
                 page: PageLanguage = DANISH_PAGE) -> dict:
    """The citizen's own page as JSON-ready data: only this citizen's rows, only the fields above.
    `chart` (the coordinator's lyskurve drawing, passed in by the web layer) turns the same check-ins
    into a picture; without it there is no picture. `link_expires_at`: when the citizen's link stops
    working, said in words so they can ask for a new one in time. `page`: the language of the words and
    dates (`language` in the answer: the page reloads itself in it when it was opened in another)."""
    zone = settings.timezone
    programme = get_programme(citizen.programme)
    checkins = [c for c in checkin_db.list_checkins(session, citizen.id, limit=MAX_CHECKINS * 3)
                if c.overall in COLOURS][:MAX_CHECKINS]  # newest first
    meetings = appointment_db.upcoming_appointments(session, citizen.id, now, limit=MAX_MEETINGS)
    agreements = sorted((a for a in agreement_db.for_citizen(session, citizen.id)
                         if a.status == AgreementStatus.APPROVED), key=_agreement_order)[:MAX_AGREEMENTS]
    goals = goal_db.goals_for(session, citizen.id, ("active",))[:MAX_GOALS]
    steps = goal_db.steps_for(session, [g.id for g in goals])
    answered = [m.answered_at for m in outcome_db.answered_measures(session, citizen.id)]
    last_answered = _local_day(max(answered), zone) if answered else None
    return {
        "language": page.code,
        "checkins": [_checkin(c, programme, zone, page) for c in checkins],
        "chart_svg": str(chart(checkins, programme)) if chart and checkins else "",
        "meetings": [_meeting(a, zone, page) for a in meetings],
        "agreements": [_agreement(a, page) for a in agreements],
        "goals": [_goal(g, steps[g.id], page) for g in goals],
        "questions_answered": {
            "date": last_answered.isoformat(),
            "words": page["questions_answered"].format(
                date=i18n.format_date_in(last_answered, page["date_short"], page.code)),
        } if last_answered else None,
        "link_works_until": i18n.format_when(link_expires_at, page.code, zone) if link_expires_at else None,
    }
