from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from aiohttp import web

from bot.service.views import (
    alerts,
    appointments,
    chat,
    citizens,
    coordinators,
    goals,
    jobs,
    meetings,
    network,
    outcomes,
    privacy,
    reassign,
    scheduler,
    sms,
)
from bot.service.views.pages import account, agenda, citizen, login, overview, registration
from bot.service.views.pages import alerts as alert_pages
from bot.service.views.pages import appointments as appointment_pages

STATIC = Path(__file__).resolve().parent / "static"


async def healthz(request: web.Request) -> web.Response:
    await request.app["db"].run(lambda s: s.execute(sa.text("SELECT 1")))
    return web.json_response({"status": "ok"})


def setup_api_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/coordinators", coordinators.create)
    app.router.add_get("/api/coordinators", reassign.colleagues)
    app.router.add_patch("/api/coordinators/{id}", coordinators.update)
    app.router.add_post("/api/coordinators/{id}/password", coordinators.set_password)
    app.router.add_post("/api/coordinators/{id}/token", coordinators.rotate_token)
    app.router.add_post("/api/coordinators/{id}/deactivate", coordinators.deactivate)
    app.router.add_post("/api/citizens", citizens.create)
    app.router.add_get("/api/citizens", citizens.index)
    app.router.add_get("/api/citizens/{id}", citizens.show)
    app.router.add_patch("/api/citizens/{id}", citizens.update)
    app.router.add_get("/api/citizens/{id}/checkins", citizens.checkins)
    app.router.add_get("/api/courses/ended", citizens.ended)
    app.router.add_post("/api/citizens/{id}/reassign", reassign.reassign)
    app.router.add_get("/api/citizens/{id}/coordinator-changes", reassign.history)
    app.router.add_get("/api/citizens/{id}/outcomes", outcomes.index)
    app.router.add_get("/api/citizens/{id}/questionnaires", outcomes.rounds)
    app.router.add_post("/api/citizens/{id}/questionnaires", outcomes.request_round)
    app.router.add_get("/api/citizens/{id}/goals", goals.index)
    app.router.add_post("/api/citizens/{id}/goals", goals.create)
    app.router.add_patch("/api/goals/{id}", goals.update)
    app.router.add_post("/api/goals/{id}/steps", goals.add_step)
    app.router.add_post("/api/steps/{id}/done", goals.tick)
    app.router.add_get("/api/citizens/{id}/goal-proposals", goals.proposal_index)
    app.router.add_post("/api/citizens/{id}/goal-proposals", goals.take_proposal)
    app.router.add_get("/api/citizens/{id}/network", network.index)
    app.router.add_post("/api/citizens/{id}/network", network.create)
    app.router.add_delete("/api/network/{id}", network.remove)
    app.router.add_post("/api/appointments/{id}/invitations", network.invite)
    app.router.add_get("/api/citizens/{id}/export", privacy.export)
    app.router.add_post("/api/citizens/{id}/erase", privacy.erase_citizen)
    app.router.add_get("/api/citizens/{id}/messages", sms.citizen_messages)
    app.router.add_get("/api/citizens/{id}/agreements", meetings.citizen_agreements)
    app.router.add_get("/api/appointments/{id}/preparation", meetings.preparation)
    app.router.add_post("/api/appointments/{id}/agreements", meetings.create_agreements)
    app.router.add_get("/api/alerts", alerts.index)
    app.router.add_post("/api/alerts/{id}/acknowledge", alerts.acknowledge)
    app.router.add_post("/sms/delivery-report", sms.delivery_report)
    app.router.add_post("/api/citizens/{id}/appointments", appointments.create)
    app.router.add_get("/api/citizens/{id}/appointments", appointments.index)
    app.router.add_get("/api/citizens/{id}/jobs", jobs.for_citizen)
    app.router.add_get("/api/appointments/{id}", appointments.show)
    app.router.add_patch("/api/appointments/{id}", appointments.update)
    app.router.add_post("/api/appointments/{id}/attendance", appointments.attendance)
    app.router.add_post("/api/scheduler/tick", scheduler.tick)
    app.router.add_post("/api/citizens/{id}/chat-link", chat.mint)
    app.router.add_post("/api/citizens/{id}/chat-link/revoke", chat.revoke)
    app.router.add_post("/api/alerts/{id}/resolve", alerts.resolve)


def setup_dashboard_routes(app: web.Application) -> None:
    app.router.add_static("/static/", STATIC, append_version=False)
    app.router.add_get("/vendor/rasa-webchat/index.js", chat.widget)
    app.router.add_get("/chat", chat.page)
    app.router.add_get("/chat/open", chat.reopened)
    app.router.add_get("/chat/me", chat.me)
    app.router.add_post("/chat/me/steps/{step_id}/done", chat.tick_own_step)
    app.router.add_get("/login", login.show)
    app.router.add_post("/login", login.submit)
    app.router.add_post("/logout", login.logout)
    app.router.add_get("/account", account.show)
    app.router.add_post("/account/token", account.rotate_token)
    app.router.add_get("/", overview.index)
    app.router.add_get("/citizens/new", registration.new)
    app.router.add_post("/citizens/new", registration.create)
    app.router.add_get("/citizens/{id}", citizen.show)
    app.router.add_post("/citizens/{id}/stratification", citizen.stratify)
    app.router.add_get("/citizens/{id}/export", citizen.export)
    app.router.add_post("/citizens/{id}/course", citizen.course)
    app.router.add_post("/citizens/{id}/reassign", citizen.reassign)
    app.router.add_post("/citizens/{id}/erase", citizen.erase_citizen)
    app.router.add_post("/citizens/{id}/chat-link/revoke", citizen.revoke_chat_links)
    app.router.add_post("/citizens/{id}/questionnaires", citizen.request_questionnaire)
    app.router.add_post("/citizens/{id}/goals", citizen.add_goal)
    app.router.add_post("/citizens/{id}/goals/{goal_id}", citizen.change_goal)
    app.router.add_post("/citizens/{id}/goals/{goal_id}/steps", citizen.add_goal_step)
    app.router.add_post("/citizens/{id}/steps/{step_id}/done", citizen.tick_goal_step)
    app.router.add_post("/citizens/{id}/goal-proposals", citizen.take_goal_proposal)
    app.router.add_post("/citizens/{id}/network", citizen.add_network_member)
    app.router.add_post("/citizens/{id}/network/{member_id}/remove", citizen.remove_network_member)
    app.router.add_post("/citizens/{id}/appointments/{appointment_id}/invitations", citizen.invite_network_member)
    app.router.add_get("/citizens/{id}/appointments/new", appointment_pages.new)
    app.router.add_post("/citizens/{id}/appointments/new", appointment_pages.create)
    app.router.add_post("/appointments/{id}/attendance", appointment_pages.attendance)
    app.router.add_get("/appointments/{id}/edit", appointment_pages.edit)
    app.router.add_post("/appointments/{id}/edit", appointment_pages.update)
    app.router.add_get("/appointments/{id}/agenda", agenda.show)
    app.router.add_get("/alerts", alert_pages.index)
    app.router.add_post("/alerts/{id}/acknowledge", alert_pages.acknowledge)
    app.router.add_post("/alerts/{id}/resolve", alert_pages.resolve)
    app.router.add_post("/alerts/{id}/take-over", alert_pages.take_over)


def setup_routes(app: web.Application) -> None:
    setup_api_routes(app)
    setup_dashboard_routes(app)
