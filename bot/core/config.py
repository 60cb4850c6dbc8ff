"""Settings read from the environment once, at start-up. Secrets never have production defaults."""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import time
from ipaddress import IPv4Network, IPv6Network, ip_network
from pathlib import Path
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.core.phone import InvalidPhone, normalize_phone

ROOT = Path(__file__).resolve().parents[2]
DEV_ADMIN_TOKEN = "dev-admin-token"
DEV_SMS_SECRET = "dev-sms-secret"
FAKE_GATEWAY_TOKEN = "fake-gateway-token"
DEV_SESSION_SECRET = "dev-session-secret-not-for-production"
DEV_WEBCHAT_JWT_SECRET = "dev-webchat-jwt-secret-not-for-production"
DEV_RASA_TOKEN = "dev-rasa-token"
# Values published in this repository: never a secret in production.
DEV_SECRETS = frozenset({DEV_ADMIN_TOKEN, DEV_SMS_SECRET, FAKE_GATEWAY_TOKEN, DEV_SESSION_SECRET,
                         DEV_WEBCHAT_JWT_SECRET, DEV_RASA_TOKEN})
MIN_SECRET_LENGTH = 32  # characters; 32 random hex digits are 128 bits
# The largest request body the Rasa server accepts (Sanic's default is 100 MB). Its bodies are a
# chat message, an SMS webhook (the text is in the signed header) or a trigger_intent call: a few
# KiB at most. Set as SANIC_REQUEST_MAX_SIZE in the Rasa process only, never the action server's,
# which receives whole trackers (docs/deployment.md, "Production checks").
RASA_MAX_BODY_BYTES = 64 * 1024


class ConfigError(RuntimeError):
    """Settings refused. Given a list of one-line reasons, the message names them all, one a line."""

    def __init__(self, problems: str | list[str]):
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        if len(self.problems) == 1:
            super().__init__(self.problems[0])
        else:
            super().__init__(f"{len(self.problems)} settings refused:" + "".join(f"\n- {p}" for p in self.problems))


def _weak_secret(name: str, value: str) -> str | None:
    """Why a production secret is refused, or None. A short or shared value can be guessed or was
    published: the dev defaults are in this repository, and an empty ADMIN_TOKEN once made
    "Authorization: Bearer " an admin (issue 12, point 4)."""
    if not value.strip():
        return f"{name} is empty: set a random secret of at least {MIN_SECRET_LENGTH} characters"
    if value in DEV_SECRETS:
        return f"{name} is a development default: set a random secret of at least {MIN_SECRET_LENGTH} characters"
    if len(value) < MIN_SECRET_LENGTH:
        return f"{name} has {len(value)} characters: at least {MIN_SECRET_LENGTH} are needed"
    return None


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


def _phone(env: dict[str, str], name: str) -> str | None:
    raw = (env.get(name) or "").strip()
    try:
        return normalize_phone(raw) if raw else None
    except InvalidPhone:
        raise ConfigError(f"{name} must be a phone number like +4570101010, not {raw!r}")


def _networks(env: dict[str, str], name: str) -> tuple[IPv4Network | IPv6Network, ...]:
    """A comma-separated list of addresses or CIDR blocks ("10.0.0.5, 10.1.0.0/16")."""
    found = []
    for part in (env.get(name) or "").split(","):
        if part.strip():
            try:
                found.append(ip_network(part.strip(), strict=False))
            except ValueError:
                raise ConfigError(f"{name} must be IP addresses or CIDR blocks separated by commas, not {part.strip()!r}")
    return tuple(found)


def _number(env: dict[str, str], name: str, default: float, low: float = 0) -> float:
    raw = env.get(name)
    try:
        value = float(raw) if raw not in (None, "") else default
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {raw!r}")
    if value < low:
        raise ConfigError(f"{name} must be at least {low}")
    return value


def on_off(env: dict[str, str], name: str, default: bool) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw == "":
        return default
    if raw not in ("on", "off"):
        raise ConfigError(f"{name} must be on or off, not {raw!r}")
    return raw == "on"


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
    # A check-in left open (answered, then silence; docs/decisions.md, "An answer counts the moment
    # it is given"): one nudge this long after the last answer (moved out of quiet hours), then it
    # is closed as partial at the end of that local day, but no sooner than this long after the nudge.
    checkin_open_nudge_hours: float = 2
    checkin_open_close_hours: float = 2
    preparation_days_before: float = 3
    agreement_followup_days: float = 14
    # A question that can wait is not sent while the citizen has another one open (sent this
    # recently and not answered): two questions at once make "KAN IKKE" an answer to the wrong one.
    question_wait_hours: float = 3
    retry_base_seconds: float = 60
    retry_max_seconds: float = 3600
    max_attempts: int = 10
    lease_seconds: float = 300
    # A citizen's SMS whose turn has not finished this long after it came (its Rasa server died
    # mid-turn) gets an apology asking them to send it again (bot/sms/unanswered.py). A turn takes
    # about a second; a conversation waits at most Rasa's 60 s lock lifetime behind another.
    unanswered_sms_seconds: float = 120
    # Outcome measures (docs/outcomes.md, "When"): the baseline this many days into a course (inside
    # its first week), then a round every QUESTIONNAIRE_INTERVAL_DAYS (about three months, as in the
    # evaluation's pilot), each asked at this local time; one nudge this long after the last answer
    # if the citizen stopped halfway; a round not finished this many days after it was due is closed.
    questionnaires: bool = True  # QUESTIONNAIRES=off plans no rounds (asked-for ones are still sent)
    questionnaire_at: time = time(11, 0)
    questionnaire_baseline_days: int = 1
    questionnaire_interval_days: int = 91
    questionnaire_nudge_hours: float = 24
    questionnaire_close_days: int = 14
    # Goals (docs/decisions.md, "Goals and the plan"): "Hvordan går det med dit mål: ...?" this many
    # days after the goal was set or last asked, at this local time.
    goal_progress_days: int = 14
    goal_progress_at: time = time(10, 30)

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
            checkin_open_nudge_hours=_number(env, "CHECKIN_OPEN_NUDGE_HOURS", 2),
            checkin_open_close_hours=_number(env, "CHECKIN_OPEN_CLOSE_HOURS", 2),
            preparation_days_before=_number(env, "PREPARATION_DAYS_BEFORE", 3),
            agreement_followup_days=_number(env, "AGREEMENT_FOLLOWUP_DAYS", 14),
            question_wait_hours=_number(env, "QUESTION_WAIT_HOURS", 3),
            retry_base_seconds=_number(env, "JOB_RETRY_BASE_SECONDS", 60, low=1),
            unanswered_sms_seconds=_number(env, "UNANSWERED_SMS_SECONDS", 120, low=10),
            retry_max_seconds=_number(env, "JOB_RETRY_MAX_SECONDS", 3600, low=1),
            max_attempts=int(_number(env, "JOB_MAX_ATTEMPTS", 10, low=1)),
            lease_seconds=_number(env, "JOB_LEASE_SECONDS", 300, low=10),
            questionnaires=on_off(env, "QUESTIONNAIRES", True),
            questionnaire_at=_clock_time(env, "QUESTIONNAIRE_AT", "11:00"),
            questionnaire_baseline_days=int(_number(env, "QUESTIONNAIRE_BASELINE_DAYS", 1, low=0)),
            questionnaire_interval_days=int(_number(env, "QUESTIONNAIRE_INTERVAL_DAYS", 91, low=1)),
            questionnaire_nudge_hours=_number(env, "QUESTIONNAIRE_NUDGE_HOURS", 24),
            questionnaire_close_days=int(_number(env, "QUESTIONNAIRE_CLOSE_DAYS", 14, low=1)),
            goal_progress_days=int(_number(env, "GOAL_PROGRESS_DAYS", 14, low=1)),
            goal_progress_at=_clock_time(env, "GOAL_PROGRESS_AT", "10:30"),
        )
        if settings.quiet_end >= settings.quiet_start:
            raise ConfigError("QUIET_HOURS_END (morning) must be before QUIET_HOURS_START (evening)")
        # A turn can wait for the lock of a Rasa server that died mid-turn (Rasa's lock lifetime,
        # the same environment): it is slow then, not lost, and must not get the apology.
        lock_lifetime = _number(env, "TICKET_LOCK_LIFETIME", 60, low=1)
        if settings.unanswered_sms_seconds <= lock_lifetime:
            raise ConfigError(f"UNANSWERED_SMS_SECONDS must be longer than Rasa's TICKET_LOCK_LIFETIME "
                              f"({lock_lifetime:g} s): a message waiting for a dead server's lock is not lost")
        return settings


@dataclass(frozen=True)
class RetentionSettings:
    """How long data is kept before the scheduler's retention pass deletes it (bot/citizens/retention.py;
    docs/privacy.md, "Retention", which gives the reasons for the defaults)."""

    # A citizen's conversation (Rasa's tracker store) and messages (SMS in and out, the fake
    # operator's copy): this many months after their course ended, and after the message itself.
    conversation_months: int = 6
    # The access log, counted from each entry (also an erased citizen's pseudonymised trail).
    access_log_years: int = 5
    # Failed dashboard logins: the throttle looks back 30 minutes; a day is kept for the admin.
    login_failure_hours: int = 24
    # Minutes between two passes of the scheduler's own loop (a tick for named citizens always runs).
    interval_minutes: int = 60

    @classmethod
    def from_env(cls, env: dict[str, str]) -> RetentionSettings:
        return cls(
            conversation_months=_whole(env, "RETENTION_CONVERSATION_MONTHS", 6),
            access_log_years=_whole(env, "RETENTION_ACCESS_LOG_YEARS", 5),
            login_failure_hours=_whole(env, "RETENTION_LOGIN_FAILURE_HOURS", 24),
            interval_minutes=_whole(env, "RETENTION_INTERVAL_MINUTES", 60),
        )


def _whole(env: dict[str, str], name: str, default: int) -> int:
    """A whole number from 1 to 1000: a retention period of 0 would delete at once."""
    raw = (env.get(name) or "").strip() or str(default)
    if not (raw.isascii() and raw.isdigit() and 1 <= int(raw) <= 1000):
        raise ConfigError(f"{name} must be a whole number from 1 to 1000, not {raw!r}")
    return int(raw)


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
    # Proactive jobs in flight at once (bot/scheduler/runner.py) and SMS handed to the gateway at
    # once (bot/sms/dispatcher.py); docs/deployment.md, "Proactive round".
    scheduler_concurrency: int = 8
    sms_dispatch_concurrency: int = 8
    # An SMS left 'sending' by a dispatcher that died mid-send goes back to the queue after this
    # long, unless the operator's delivery report (it carries our id) said it was handed over
    # (bot/db/outbox.py release_stale; docs/deployment.md, "What the gateway sees when a part is down").
    sms_sending_lease_seconds: float = 120
    proactive: ProactiveSettings = field(default_factory=ProactiveSettings)
    retention: RetentionSettings = field(default_factory=RetentionSettings)
    # Dashboard and web chat.
    session_secret: str = DEV_SESSION_SECRET
    webchat_jwt_secret: str = DEV_WEBCHAT_JWT_SECRET
    # Shared secrets at the trust boundaries (docs/deployment.md, "Network boundary"): the REST
    # channel's bearer token (empty: loopback only in development, closed in production) and the
    # token Rasa sends to the action server (its start refuses to run without one).
    rest_channel_token: str = ""
    action_server_token: str = ""
    rasa_socket_url: str = "http://127.0.0.1:5005"  # Rasa's socket.io endpoint as the browser sees it
    webchat_link_days: int = 14
    webchat_allowed_origins: tuple[str, ...] = ("http://127.0.0.1:8080",)  # pages that may open the socket
    # Reverse proxies whose X-Forwarded-For names the client (CIDR list, TRUSTED_PROXIES): login
    # throttling counts per client address behind them (docs/deployment.md, "Behind a reverse proxy").
    trusted_proxies: tuple[IPv4Network | IPv6Network, ...] = ()
    # Rasa's SQL tracker store (the same database as in endpoints.yml): a citizen's export and
    # erasure include their conversation events.
    tracker_store_url: str = field(default_factory=default_tracker_store_url)
    # The municipality's on-call staff: urgent alerts that neither the coordinator nor the backup
    # acknowledged go here (bot/alerts/run.py; docs/deployment.md). Production needs at least one.
    duty_phone: str | None = None
    duty_email: str | None = None
    # Read only to be checked (problems()): SMTP_SECURITY when SMTP_HOST is set (None: e-mail off;
    # bot/alerts/mail.py sends), and whether a test clock (APP_CLOCK_START, bot/core/clock.py) is set.
    smtp_security: str | None = None
    simulated_clock: bool = False

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
            scheduler_concurrency=int(_number(env, "SCHEDULER_CONCURRENCY", 8, low=1)),
            sms_dispatch_concurrency=int(_number(env, "SMS_DISPATCH_CONCURRENCY", 8, low=1)),
            sms_sending_lease_seconds=_number(env, "SMS_SENDING_LEASE_SECONDS", 120, low=10),
            proactive=ProactiveSettings.from_env(env),
            retention=RetentionSettings.from_env(env),
            session_secret=env.get("SESSION_SECRET", DEV_SESSION_SECRET),
            webchat_jwt_secret=env.get("WEBCHAT_JWT_SECRET", DEV_WEBCHAT_JWT_SECRET),
            rest_channel_token=env.get("REST_CHANNEL_TOKEN", ""),
            action_server_token=env.get("ACTION_SERVER_TOKEN", ""),
            rasa_socket_url=(env.get("RASA_SOCKET_URL") or rasa_url).rstrip("/"),
            webchat_link_days=int(env.get("WEBCHAT_LINK_DAYS", "14")),
            webchat_allowed_origins=tuple(o.strip().rstrip("/") for o in origins.split(",") if o.strip()),
            trusted_proxies=_networks(env, "TRUSTED_PROXIES"),
            tracker_store_url=env.get("TRACKER_STORE_URL") or default_tracker_store_url(),
            duty_phone=_phone(env, "DUTY_PHONE"),
            duty_email=(env.get("DUTY_EMAIL") or "").strip() or None,
            smtp_security=env.get("SMTP_SECURITY", "starttls").strip().lower() if env.get("SMTP_HOST") else None,
            simulated_clock=bool(env.get("APP_CLOCK_START")),
        )
        settings.check()
        return settings

    def secrets(self) -> dict[str, str]:
        """Every secret this project chooses itself, by variable name: in production each must be a
        random value of at least MIN_SECRET_LENGTH characters (docs/deployment.md, "Production
        checks"). The REST channel's token only when set: empty keeps that channel closed."""
        found = {"ADMIN_TOKEN": self.admin_token, "RASA_TOKEN": self.rasa_token,
                 "SMS_WEBHOOK_SECRET": self.sms_webhook_secret, "SESSION_SECRET": self.session_secret,
                 "WEBCHAT_JWT_SECRET": self.webchat_jwt_secret, "ACTION_SERVER_TOKEN": self.action_server_token}
        if self.rest_channel_token:
            found["REST_CHANNEL_TOKEN"] = self.rest_channel_token
        return found

    def problems(self) -> list[str]:
        """Every reason to refuse these settings, one line each; empty when they may run. With
        APP_ENV=production nothing weak passes: a weak setting is refused at start-up, never
        tolerated until an attacker finds it (issue 12, point 4; docs/deployment.md)."""
        found = []
        if self.sms_gateway not in ("fake", "gatewayapi"):
            found.append("SMS_GATEWAY must be fake or gatewayapi")
        if self.sms_gateway == "gatewayapi" and not self.sms_gateway_token:
            found.append("SMS_GATEWAY_TOKEN is required for SMS_GATEWAY=gatewayapi")
        if self.duty_email is not None and "@" not in self.duty_email:
            found.append("DUTY_EMAIL must be an e-mail address")
        if self.smtp_security not in (None, "starttls", "ssl", "none"):
            found.append("SMTP_SECURITY must be starttls, ssl or none")
        if not 1 <= self.webchat_link_days <= 30:  # bot/citizens/chat_links.py MAX_DAYS (docs/privacy.md)
            found.append("WEBCHAT_LINK_DAYS must be 1 to 30")
        if self.production:
            found += self._production_problems()
        return found

    def _production_problems(self) -> list[str]:
        found = [problem for name, value in self.secrets().items() if (problem := _weak_secret(name, value))]
        if self.sms_gateway == "fake":
            found.append("SMS_GATEWAY=fake is for development only: use gatewayapi")
        for name, url in (("DATABASE_URL", self.database_url), ("TRACKER_STORE_URL", self.tracker_store_url)):
            if urlsplit(url).scheme.split("+")[0] == "sqlite":
                found.append(f"{name} is SQLite: production needs PostgreSQL (several processes, row locks)")
        if urlsplit(self.public_url).scheme != "https":
            found.append("PUBLIC_URL must start with https:// (on http:// the session cookie is not Secure)")
        if urlsplit(self.rasa_socket_url).scheme != "https":
            found.append("RASA_SOCKET_URL must start with https:// (the citizen's browser sends chat and token there)")
        if self.smtp_security == "none":
            found.append("SMTP_SECURITY=none sends alert e-mails and the SMTP password in clear: use starttls or ssl")
        if self.simulated_clock:
            found.append("APP_CLOCK_START is for tests only: production runs on the real clock")
        # Every urgent alert must reach a person when nobody acknowledges it (docs/deployment.md).
        if not (self.duty_phone or self.duty_email):
            found.append("DUTY_PHONE or DUTY_EMAIL (the on-call staff) must be set when APP_ENV=production")
        elif not self.duty_phone and self.smtp_security is None:  # smtp_security is None: SMTP_HOST unset
            found.append("DUTY_EMAIL alone needs SMTP_HOST (e-mail is off without it): set SMTP_HOST or DUTY_PHONE")
        return found

    def check(self) -> None:
        """Raises one ConfigError that lists every problem, so one failed start shows them all."""
        found = self.problems()
        if found:
            raise ConfigError(found)
