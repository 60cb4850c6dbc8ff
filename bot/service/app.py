"""Application factory: everything the views need (settings, db, clock) is injected here.
Middlewares, outermost first: Danish error pages for the dashboard, dashboard sessions + CSRF,
bearer tokens for /api/."""
from __future__ import annotations

import asyncio
import contextlib
import logging
import os
from datetime import timedelta

from aiohttp import web

from bot.alerts.mail import EmailDispatcher
from bot.alerts.run import NotificationConfig, notifier_from_env
from bot.alerts.sms import SmsNotifier
from bot.citizens.conversation_check import RasaConversations
from bot.citizens.retention import Retention
from bot.core.clock import Clock, process_clock
from bot.core.config import Settings
from bot.db.database import Database
from bot.db.tracker_events import TrackerEvents
from bot.scheduler.rasa_client import RasaClient
from bot.scheduler.runner import Scheduler
from bot.service.auth import bearer_auth
from bot.service.fake_operator import setup_fake_gateway
from bot.service.routes import setup_routes
from bot.service.validation import use_case_errors
from bot.service.web.errors import dashboard_errors
from bot.service.web.sessions import dashboard_sessions
from bot.service.web.templating import setup_templates
from bot.sms.dispatcher import Dispatcher
from bot.sms.gateway import GatewayApiClient

log = logging.getLogger(__name__)


def create_app(settings: Settings, db: Database | None = None, clock: Clock | None = None) -> web.Application:
    settings.check()
    app = web.Application(
        middlewares=[dashboard_errors, dashboard_sessions, bearer_auth, use_case_errors], client_max_size=256 * 1024
    )
    app["settings"] = settings
    app["db"] = db or Database(settings.database_url)
    app["clock"] = clock or process_clock()
    app["tracker_events"] = TrackerEvents(settings.tracker_store_url)
    # Rasa's own view of a conversation: an erasure is done only when it shows it gone (docs/privacy.md).
    app["rasa_conversations"] = RasaConversations(settings.rasa_url, settings.rasa_token)
    app.on_cleanup.append(_dispose_tracker_events)
    # Sends the e-mail outbox; None when SMTP_HOST is unset (e-mail off, nothing is queued either).
    app["email_dispatcher"] = EmailDispatcher.from_env(app["db"], app["clock"])
    app["scheduler"] = Scheduler(
        app["db"],
        RasaClient(settings.rasa_url, settings.rasa_token, settings.proactive_channel),
        settings.proactive,
        app["clock"],
        notifier=notifier_from_env(sms=SmsNotifier(app["clock"]), clock=app["clock"]),
        # Escalation timings and the duty contact (DUTY_PHONE / DUTY_EMAIL, from the settings).
        notification_config=NotificationConfig.from_settings(settings, dict(os.environ)),
        email=app["email_dispatcher"],
        # Deletes what is past its retention period (docs/privacy.md, "Retention").
        retention=Retention(app["db"], app["tracker_events"], settings.retention),
        concurrency=settings.scheduler_concurrency,
    )
    app.cleanup_ctx.append(_scheduler_loop)
    setup_templates(app)
    setup_routes(app)
    if settings.sms_gateway == "fake":
        setup_fake_gateway(app)
    app["dispatcher"] = Dispatcher(app["db"], GatewayApiClient.from_settings(settings), app["clock"],
                                   concurrency=settings.sms_dispatch_concurrency,
                                   sending_lease=timedelta(seconds=settings.sms_sending_lease_seconds))
    if settings.sms_dispatch_interval > 0:
        app.cleanup_ctx.append(_background(app["dispatcher"].run_forever, settings.sms_dispatch_interval))
        if app["email_dispatcher"] is not None:  # the e-mail outbox on the same beat as the SMS outbox
            app.cleanup_ctx.append(_background(app["email_dispatcher"].run_forever, settings.sms_dispatch_interval))
    return app


async def _dispose_tracker_events(app: web.Application) -> None:
    app["tracker_events"].dispose()


def _background(run, *args):
    """A task that lives as long as the app (aiohttp cleanup context)."""

    async def context(app: web.Application):
        task = asyncio.get_running_loop().create_task(run(*args))
        yield
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    return context


async def _scheduler_loop(app: web.Application):
    """The service is the only thing that starts proactive conversations: its scheduler runs here."""
    interval = app["settings"].scheduler_interval_seconds
    task = None
    if interval > 0:
        task = asyncio.create_task(app["scheduler"].run_forever(interval))
        log.info("scheduler running every %ss, delivering via Rasa channel %r", interval,
                 app["settings"].proactive_channel)
    yield
    if task is not None:
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task
    await app["scheduler"].rasa.close()
