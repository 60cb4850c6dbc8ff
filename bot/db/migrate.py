"""Apply Alembic migrations programmatically: `python -m bot.db.migrate [DATABASE_URL]`."""
from __future__ import annotations

import sys
from pathlib import Path

from alembic import command
from alembic.config import Config

from bot.core.config import Settings

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def alembic_config(url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    from bot.db.database import create_engine

    create_engine(url).dispose()  # creates the SQLite folder if needed
    command.upgrade(alembic_config(url), revision)


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else Settings.from_env().database_url
    upgrade(url)
    print(f"database migrated: {url.split('@')[-1]}")


if __name__ == "__main__":
    main()
