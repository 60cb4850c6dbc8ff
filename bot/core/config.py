"""Settings read from the environment once, at start-up. Secrets never have production defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

ROOT = Path(__file__).resolve().parents[2]
DEV_ADMIN_TOKEN = "dev-admin-token"
DEV_SMS_SECRET = "dev-sms-secret"
FAKE_GATEWAY_TOKEN = "fake-gateway-token"
DEV_SESSION_SECRET = "dev-session-secret-not-for-production"
DEV_WEBCHAT_JWT_SECRET = "dev-webchat-jwt-secret-not-for-production"


class ConfigError(RuntimeError):
    pass


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def default_database_url() -> str:
    return f"sqlite:///{ROOT / 'var' / 'coordination.db'}"


def default_tracker_store_url() -> str:
    """Where endpoints.yml's development tracker store lives (Rasa runs in ROOT)."""
    return f"sqlite:///{ROOT / 'var' / 'tracker.db'}"


def _clock_time(env: dict[str, str], name: str, default: str) -> time:
    raw = env.get(name, default)
    try:
        return time.fromisoformat(raw)
    except ValueError:
        raise ConfigError(f"{name} must be a time of day like 08:00, not {raw!r}")


def _number(env: dict[str, str], name: str, default: float, low: float = 0) -> float:
    raw = env.get(name)
    try:
        value = float(raw) if raw not in (None, "") else default
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}")
    if value < low:
        raise ConfigError(f"{name} must be at least {low}")
    return value


@dataclass(frozen=True)
class ProactiveSettings:
    """Every timing of a proactive message, in one place (README: "What the citizen receives, and
    when"). Local times are in `timezone`; each can be set with the environment variable named in
    from_env."""

    timezone: ZoneInfo = ZoneInfo("Europe/Copenhagen")
    quiet_end: time = time(8, 0)  # proactive messages only from ...
    quiet_start: time = time(20, 0)  # ... until this time of day
    reminder_day_before_at: time = time(10, 0)
    reminder_hours_before: float = 2
    unanswered_alert_hours_before: float = 2
    missed_followup_minutes_after_end: float = 60
    checkin_prompt_at: time = time(10, 0)
    checkin_nudge_hours: float = 24
    preparation_days_before: float = 3
    agreement_followup_days: float = 14
    # A question that can wait is not sent while the citizen has another one open (sent this
    # recently and not answered): two questions at once make "KAN IKKE" an answer to the wrong one.
    question_wait_hours: float = 3
    retry_base_seconds: float = 60
    retry_max_seconds: float = 3600
    max_attempts: int = 10
    lease_seconds: float = 300

    @classmethod
    def from_env(cls, env: dict[str, str]) -> ProactiveSettings:
        try:
            zone = ZoneInfo(env.get("PROACTIVE_TIMEZONE", "Europe/Copenhagen"))
        except (ZoneInfoNotFoundError, ValueError):
            raise ConfigError("PROACTIVE_TIMEZONE must be an IANA time zone like Europe/Copenhagen")
        settings = cls(
            timezone=zone,
            quiet_end=_clock_time(env, "QUIET_HOURS_END", "08:00"),
            quiet_start=_clock_time(env, "QUIET_HOURS_START", "20:00"),
            reminder_day_before_at=_clock_time(env, "REMINDER_DAY_BEFORE_AT", "10:00"),
            reminder_hours_before=_number(env, "REMINDER_HOURS_BEFORE", 2),
            unanswered_alert_hours_before=_number(env, "UNANSWERED_ALERT_HOURS_BEFORE", 2),
            missed_followup_minutes_after_end=_number(env, "MISSED_FOLLOWUP_MINUTES_AFTER_END", 60),
            checkin_prompt_at=_clock_time(env, "CHECKIN_PROMPT_AT", "10:00"),
            checkin_nudge_hours=_number(env, "CHECKIN_NUDGE_HOURS", 24),
            preparation_days_before=_number(env, "PREPARATION_DAYS_BEFORE", 3),
            agreement_followup_days=_number(env, "AGREEMENT_FOLLOWUP_DAYS", 14),
            question_wait_hours=_number(env, "QUESTION_WAIT_HOURS", 3),
            retry_base_seconds=_number(env, "JOB_RETRY_BASE_SECONDS", 60, low=1),
            retry_max_seconds=_number(env, "JOB_RETRY_MAX_SECONDS", 3600, low=1),
            max_attempts=int(_number(env, "JOB_MAX_ATTEMPTS", 10, low=1)),
            lease_seconds=_number(env, "JOB_LEASE_SECONDS", 300, low=10),
        )
        if settings.quiet_end >= settings.quiet_start:
            raise ConfigError("QUIET_HOURS_END (morning) must be before QUIET_HOURS_START (evening)")
        return settings


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
    public_url: str  # how the gateway, coordinators and citizens reach this service
    sms_dispatch_interval: float  # seconds between outbox rounds; 0 turns the loop off
    rasa_token: str = "dev-rasa-token"
    # Rasa output channel for proactive messages (trigger_intent?output_channel=...).
    proactive_channel: str = "sms"
    # Seconds between scheduler runs inside the service; 0 switches the loop off (tests use tick).
    scheduler_interval_seconds: float = 60
    proactive: ProactiveSettings = field(default_factory=ProactiveSettings)
    # Dashboard and web chat.
    session_secret: str = DEV_SESSION_SECRET
    webchat_jwt_secret: str = DEV_WEBCHAT_JWT_SECRET
    rasa_socket_url: str = "http://127.0.0.1:5005"  # Rasa's socket.io endpoint as the browser sees it
    webchat_link_days: int = 14
    webchat_allowed_origins: tuple[str, ...] = ("http://127.0.0.1:8080",)  # pages that may open the socket
    # Rasa's SQL tracker store (the same database as in endpoints.yml): a citizen's export and
    # erasure include their conversation events.
    tracker_store_url: str = field(default_factory=default_tracker_store_url)

    @property
    def production(self) -> bool:
        return self.app_env == "production"

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> Settings:
        env = dict(os.environ if env is None else env)
        host = env.get("SERVICE_HOST", "127.0.0.1")
        port = int(env.get("SERVICE_PORT", "8080"))
        public_url = (env.get("PUBLIC_URL") or f"http://{host}:{port}").rstrip("/")
        gateway = env.get("SMS_GATEWAY", "fake")
        rasa_url = env.get("RASA_URL", "http://127.0.0.1:5005").rstrip("/")
        origins = env.get("WEBCHAT_ALLOWED_ORIGINS") or _origin(public_url)
        settings = cls(
            app_env=env.get("APP_ENV", "development"),
            database_url=env.get("DATABASE_URL") or default_database_url(),
            admin_token=env.get("ADMIN_TOKEN", DEV_ADMIN_TOKEN),
            service_host=host,
            service_port=port,
            rasa_url=rasa_url,
            sms_gateway=gateway,
            sms_gateway_url=env.get("SMS_GATEWAY_URL")
            or (f"{public_url}/fake-sms" if gateway == "fake" else "https://gatewayapi.com"),
            sms_gateway_token=env.get("SMS_GATEWAY_TOKEN", FAKE_GATEWAY_TOKEN if gateway == "fake" else ""),
            sms_sender=env.get("SMS_SENDER", "1204"),
            sms_webhook_secret=env.get("SMS_WEBHOOK_SECRET", DEV_SMS_SECRET),
            public_url=public_url,
            sms_dispatch_interval=float(env.get("SMS_DISPATCH_INTERVAL", "1")),
            rasa_token=env.get("RASA_TOKEN", "dev-rasa-token"),
            proactive_channel=env.get("PROACTIVE_CHANNEL", "sms"),
            scheduler_interval_seconds=_number(env, "SCHEDULER_INTERVAL_SECONDS", 60),
            proactive=ProactiveSettings.from_env(env),
            session_secret=env.get("SESSION_SECRET", DEV_SESSION_SECRET),
            webchat_jwt_secret=env.get("WEBCHAT_JWT_SECRET", DEV_WEBCHAT_JWT_SECRET),
            rasa_socket_url=(env.get("RASA_SOCKET_URL") or rasa_url).rstrip("/"),
            webchat_link_days=int(env.get("WEBCHAT_LINK_DAYS", "14")),
            webchat_allowed_origins=tuple(o.strip().rstrip("/") for o in origins.split(",") if o.strip()),
            tracker_store_url=env.get("TRACKER_STORE_URL") or default_tracker_store_url(),
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
        if self.production and self.rasa_token == "dev-rasa-token":
            raise ConfigError("RASA_TOKEN must be set to a secret value when APP_ENV=production")
        if self.production and self.session_secret == DEV_SESSION_SECRET:
            raise ConfigError("SESSION_SECRET must be set to a secret value when APP_ENV=production")
        if self.production and self.webchat_jwt_secret == DEV_WEBCHAT_JWT_SECRET:
            raise ConfigError("WEBCHAT_JWT_SECRET must be set to a secret value when APP_ENV=production")
        if self.production and min(len(self.session_secret), len(self.webchat_jwt_secret)) < 32:
            raise ConfigError("SESSION_SECRET and WEBCHAT_JWT_SECRET must be at least 32 characters")
