"""Settings read from the environment once, at start-up. Secrets never have production defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
DEV_ADMIN_TOKEN = "dev-admin-token"
DEV_SESSION_SECRET = "dev-session-secret-not-for-production"
DEV_WEBCHAT_JWT_SECRET = "dev-webchat-jwt-secret-not-for-production"


class ConfigError(RuntimeError):
    pass


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


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
    # Dashboard and web chat (issue 6).
    session_secret: str = DEV_SESSION_SECRET
    webchat_jwt_secret: str = DEV_WEBCHAT_JWT_SECRET
    public_url: str = "http://127.0.0.1:8080"  # how coordinators and citizens reach this service
    rasa_socket_url: str = "http://127.0.0.1:5005"  # Rasa's socket.io endpoint as the browser sees it
    webchat_link_days: int = 14
    webchat_allowed_origins: tuple[str, ...] = ("http://127.0.0.1:8080",)  # pages that may open the socket

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        host, port = env.get("SERVICE_HOST", "127.0.0.1"), env.get("SERVICE_PORT", "8080")
        rasa_url = env.get("RASA_URL", "http://127.0.0.1:5005")
        public_url = (env.get("PUBLIC_URL") or f"http://{host}:{port}").rstrip("/")
        origins = env.get("WEBCHAT_ALLOWED_ORIGINS") or _origin(public_url)
        settings = cls(
            app_env=env.get("APP_ENV", "development"),
            database_url=env.get("DATABASE_URL") or default_database_url(),
            admin_token=env.get("ADMIN_TOKEN", DEV_ADMIN_TOKEN),
            service_host=host,
            service_port=int(port),
            rasa_url=rasa_url,
            session_secret=env.get("SESSION_SECRET", DEV_SESSION_SECRET),
            webchat_jwt_secret=env.get("WEBCHAT_JWT_SECRET", DEV_WEBCHAT_JWT_SECRET),
            public_url=public_url,
            rasa_socket_url=(env.get("RASA_SOCKET_URL") or rasa_url).rstrip("/"),
            webchat_link_days=int(env.get("WEBCHAT_LINK_DAYS", "14")),
            webchat_allowed_origins=tuple(o.strip().rstrip("/") for o in origins.split(",") if o.strip()),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.production and self.admin_token == DEV_ADMIN_TOKEN:
            raise ConfigError("ADMIN_TOKEN must be set to a secret value when APP_ENV=production")
        if self.production and self.session_secret == DEV_SESSION_SECRET:
            raise ConfigError("SESSION_SECRET must be set to a secret value when APP_ENV=production")
        if self.production and self.webchat_jwt_secret == DEV_WEBCHAT_JWT_SECRET:
            raise ConfigError("WEBCHAT_JWT_SECRET must be set to a secret value when APP_ENV=production")
        if self.production and min(len(self.session_secret), len(self.webchat_jwt_secret)) < 32:
            raise ConfigError("SESSION_SECRET and WEBCHAT_JWT_SECRET must be at least 32 characters")
