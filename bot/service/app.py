"""Application factory: everything the views need (settings, db, clock) is injected here.
Middlewares, outermost first: Danish error pages for the dashboard, dashboard sessions + CSRF,
bearer tokens for /api/."""
from __future__ import annotations

import logging

from aiohttp import web

from bot.clock import Clock
from bot.config import Settings
from bot.db.database import Database
from bot.service.auth import bearer_auth
from bot.service.routes import setup_routes
from bot.service.web.errors import dashboard_errors
from bot.service.web.sessions import dashboard_sessions
from bot.service.web.templating import setup_templates

log = logging.getLogger(__name__)


def create_app(settings: Settings, db: Database | None = None, clock: Clock | None = None) -> web.Application:
    settings.check()
    app = web.Application(
        middlewares=[dashboard_errors, dashboard_sessions, bearer_auth], client_max_size=256 * 1024
    )
    app["settings"] = settings
    app["db"] = db or Database(settings.database_url)
    app["clock"] = clock or Clock()
    setup_templates(app)
    setup_routes(app)
    return app
