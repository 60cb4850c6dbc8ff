"""Jinja2 for the dashboard: autoescaped templates, Danish dates in Copenhagen time, and the values
every page needs (the coordinator, the CSRF token, the number of new alerts)."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

import aiohttp_jinja2
import jinja2
from aiohttp import web
from babel.dates import format_datetime, format_timedelta

from bot.core.clock import COPENHAGEN
from bot.core.vocabulary import AlertStatus
from bot.db import alerts as alert_db
from bot.service.web import labels

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def local(value: datetime | None, pattern: str = "EEE d. MMM y 'kl.' HH.mm") -> str:
    if value is None:
        return ""
    return format_datetime(value, pattern, tzinfo=COPENHAGEN, locale="da")


def day(value: datetime | None) -> str:
    return local(value, "EEE d. MMM y")


def age(value: datetime | None, now: datetime) -> str:
    if value is None:
        return ""
    delta = now - value
    if delta.total_seconds() < 60:
        return "lige nu"
    return f"for {format_timedelta(delta, locale='da', threshold=1.5)} siden"


async def common_context(request: web.Request) -> dict:
    current = request.get("dashboard_session")  # set by bot.service.web.sessions
    context = {"now": request.app["clock"].now(), "labels": labels, "me": None, "csrf_token": ""}
    if current is not None:
        open_alerts = await request.app["db"].run(
            lambda s: len(alert_db.list_alerts(s, coordinator_id=current.coordinator.id, status=AlertStatus.OPEN))
        )
        context.update(me=current.coordinator, csrf_token=current.csrf_token, open_alert_count=open_alerts)
    return context


class _ProcessBytecodeCache(jinja2.BytecodeCache):
    """Compiled templates, shared by every app of the process. Each app has its own Jinja
    environment, and compiling the templates again for each cost the web tests, which start an app
    per test, a sixth of their time. Keyed by template name and source checksum (jinja2's
    buckets), so a changed template is compiled anew."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _ProcessBytecodeCache()


def setup_templates(app: web.Application) -> None:
    env = aiohttp_jinja2.setup(
        app,
        loader=jinja2.FileSystemLoader(str(TEMPLATES)),
        bytecode_cache=_COMPILED,
        autoescape=jinja2.select_autoescape(["html", "svg"], default=True),
        undefined=jinja2.StrictUndefined,
        context_processors=[common_context],
    )
    env.filters.update(local=local, day=day)
    env.globals.update(age=age)
