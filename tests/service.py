"""The coordination service app on a test's own database. Rasa's tracker store (read by a citizen's
export and erasure) sits next to it, never in the developer's var/."""
from __future__ import annotations

import sqlalchemy as sa

from bot.core.config import Settings
from bot.service.app import create_app
from tests import rasa_standin

ADMIN_TOKEN = "test-admin"


def tracker_url(db_url: str) -> str:
    """SQLite: a file of its own beside the coordination database, as deployed; PostgreSQL: the same
    throw-away database (Rasa's `events` table does not clash with ours)."""
    url = sa.engine.make_url(db_url)
    if url.get_backend_name() != "sqlite":
        return db_url
    return str(url.set(database=url.database.rsplit("/", 1)[0] + "/tracker.db"))


def settings_for(db_url: str, **env: str) -> Settings:
    return Settings.from_env({"ADMIN_TOKEN": ADMIN_TOKEN, "DATABASE_URL": db_url, "TRACKER_STORE_URL": tracker_url(db_url),
                              **env})


def service_app(db, clock, **env: str):
    """With Rasa's tracker endpoint stood in (tests/rasa_standin.py): an erasure asks it whether the
    conversation is gone."""
    app = create_app(settings_for(db.url, **env), db=db, clock=clock)
    rasa_standin.attach(app)
    return app
