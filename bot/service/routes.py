from __future__ import annotations

import sqlalchemy as sa
from aiohttp import web

from bot.service.views import alerts, appointments, citizens, coordinators, jobs, meetings, scheduler, sms


async def healthz(request: web.Request) -> web.Response:
    await request.app["db"].run(lambda s: s.execute(sa.text("SELECT 1")))
    return web.json_response({"status": "ok"})


def setup_routes(app: web.Application) -> None:
    app.router.add_get("/healthz", healthz)
    app.router.add_post("/api/coordinators", coordinators.create)
    app.router.add_post("/api/citizens", citizens.create)
    app.router.add_get("/api/citizens", citizens.index)
    app.router.add_get("/api/citizens/{id}", citizens.show)
    app.router.add_get("/api/citizens/{id}/checkins", citizens.checkins)
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
