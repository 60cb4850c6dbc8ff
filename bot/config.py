"""Settings read from the environment once, at start-up. Secrets never have production defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_ADMIN_TOKEN = "dev-admin-token"


class ConfigError(RuntimeError):
    pass


def default_database_url() -> str:
    return f"sqlite:///{ROOT / 'var' / 'coordination.db'}"


@dataclass(frozen=True)
class Settings:
    app_env: str
    database_url: str
    admin_token: str
    service_host: str
    service_port: int
    rasa_url: str

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        settings = cls(
            app_env=env.get("APP_ENV", "development"),
            database_url=env.get("DATABASE_URL") or default_database_url(),
            admin_token=env.get("ADMIN_TOKEN", DEV_ADMIN_TOKEN),
            service_host=env.get("SERVICE_HOST", "127.0.0.1"),
            service_port=int(env.get("SERVICE_PORT", "8080")),
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005"),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.production and self.admin_token == DEV_ADMIN_TOKEN:
            raise ConfigError("ADMIN_TOKEN must be set to a secret value when APP_ENV=production")
