"""My citizens, the most urgent first; above them every urgent alert nobody has acknowledged, also
colleagues' (least data: bot/alerts/oversight.py). Below them the response rates of the outcome
rounds, the share of check-ins completed without a question asked again (issue 15 §4), and the report
of ended courses: how long they ran and why they ended."""
from __future__ import annotations

from datetime import timedelta

import aiohttp_jinja2
from aiohttp import web

from bot.alerts.oversight import unacknowledged_urgent
from bot.checkins.record import clarification_share
from bot.citizens.course import ended_courses
from bot.db import outcomes as outcome_db
from bot.outcomes.report import response_rates
from bot.service.access_log import VIEW, audited
from bot.service.web import course_report
from bot.service.web.overview import citizen_overview
from bot.service.web.sessions import current_coordinator, login_required

CLARIFICATION_DAYS = 30  # the period of the share of check-ins completed without a clarification


@login_required
@audited("list_citizens", VIEW)  # a list: one row about no one citizen (docs/privacy.md)
@aiohttp_jinja2.template("citizens.html")
async def index(request: web.Request) -> dict:
    me, now = current_coordinator(request), request.app["clock"].now()
    summaries = await request.app["db"].run(citizen_overview, me.id, now)
    urgent = await request.app["db"].run(unacknowledged_urgent, me.id)
    rounds = await request.app["db"].run(outcome_db.caseload_rounds, me.id)
    rates = response_rates([questionnaire for questionnaire, _ in rounds],
                           request.app["settings"].proactive.questionnaire_interval_days)
    ended = await request.app["db"].run(ended_courses, me.id)
    clarifications = await request.app["db"].run(
        clarification_share, now - timedelta(days=CLARIFICATION_DAYS), now, me.id)
    return {"clarifications": clarifications, "clarification_days": CLARIFICATION_DAYS,
            "summaries": summaries, "urgent": urgent, "response_rates": rates,
            "ended_by_reason": course_report.by_reason(ended), "ended_latest": ended[:course_report.LATEST],
            "ended_total": len(ended), "days_text": course_report.days_text}
