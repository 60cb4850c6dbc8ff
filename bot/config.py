"""Settings read from the environment once, at start-up. Secrets never have production defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEV_ADMIN_TOKEN = "dev-admin-token"
DEV_SMS_SECRET = "dev-sms-secret"
FAKE_GATEWAY_TOKEN = "fake-gateway-token"


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
    sms_gateway: str  # "fake" (development, tests) or "gatewayapi"
    sms_gateway_url: str
    sms_gateway_token: str
    sms_sender: str
    sms_webhook_secret: str
    public_url: str  # how the gateway reaches this service (delivery reports)
    sms_dispatch_interval: float  # seconds between outbox rounds; 0 turns the loop off

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        host = env.get("SERVICE_HOST", "127.0.0.1")
        port = int(env.get("SERVICE_PORT", "8080"))
        public_url = env.get("PUBLIC_URL", f"http://{host}:{port}").rstrip("/")
        gateway = env.get("SMS_GATEWAY", "fake")
        settings = cls(
            app_env=env.get("APP_ENV", "development"),
            database_url=env.get("DATABASE_URL") or default_database_url(),
            admin_token=env.get("ADMIN_TOKEN", DEV_ADMIN_TOKEN),
            service_host=host,
            service_port=port,
            rasa_url=env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/"),
            sms_gateway=gateway,
            sms_gateway_url=env.get("SMS_GATEWAY_URL")
            or (f"{public_url}/fake-sms" if gateway == "fake" else "https://gatewayapi.com"),
            sms_gateway_token=env.get("SMS_GATEWAY_TOKEN", FAKE_GATEWAY_TOKEN if gateway == "fake" else ""),
            sms_sender=env.get("SMS_SENDER", "1204"),
            sms_webhook_secret=env.get("SMS_WEBHOOK_SECRET", DEV_SMS_SECRET),
            public_url=public_url,
            sms_dispatch_interval=float(env.get("SMS_DISPATCH_INTERVAL", "1")),
        )
        settings.check()
        return settings

    def check(self) -> None:
        if self.production and self.admin_token == DEV_ADMIN_TOKEN:
            raise ConfigError("ADMIN_TOKEN must be set to a secret value when APP_ENV=production")
        if self.production and self.sms_webhook_secret == DEV_SMS_SECRET:
            raise ConfigError("SMS_WEBHOOK_SECRET must be set to a secret value when APP_ENV=production")
        if self.production and self.sms_gateway == "fake":
            raise ConfigError("SMS_GATEWAY=fake is for development only")
        if self.sms_gateway not in ("fake", "gatewayapi"):
            raise ConfigError("SMS_GATEWAY must be fake or gatewayapi")
        if self.sms_gateway == "gatewayapi" and not self.sms_gateway_token:
            raise ConfigError("SMS_GATEWAY_TOKEN is required for SMS_GATEWAY=gatewayapi")

