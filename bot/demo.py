"""Demo data for `make run`: a coordinator with a fixed dev token and dashboard password, her backup,
the citizen +4512345678 to talk to, and a few citizens with some weeks of check-ins, alerts and
meetings so the dashboard has something to show. Idempotent, and refused in production.
The browser tests use the same data (with a fixed clock), so what the demo shows is tested."""
from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy.orm import Session

from bot.checkins.record import record_checkin
from bot.checkins.rules import CheckinAnswers
from bot.citizens.chat_links import link_for_citizen
from bot.citizens.stratification import level_for
from bot.core.clock import COPENHAGEN, Clock
from bot.core.config import Settings
from bot.core.passwords import hash_password
from bot.core.vocabulary import AppointmentKind, CitizenStatus
from bot.db.appointments import create_appointment
from bot.db.citizens import citizen_by_phone, create_citizen
from bot.db.coordinators import coordinator_by_token, create_coordinator, set_backup, set_password_hash
from bot.db.database import Database
from bot.db.messages import log_inbound
from bot.db.models import Citizen
from bot.db.stratifications import add_stratification

DEMO_COORDINATOR_TOKEN = "dev-coordinator-token"
DEMO_BACKUP_TOKEN = "dev-backup-token"
DEMO_CITIZEN_PHONE = "+4512345678"
DEMO_EMAIL = "mette@example.invalid"
DEMO_BACKUP_EMAIL = "ole@example.invalid"
DEMO_PASSWORD = "demo-koordinator"

# name, phone, programme, check-ins oldest first: (days ago, overall, focus areas or area colours, note)
HISTORIES = [
    ("Karin Demo", "+4522000001", "standard", [
        (49, "green", [], None), (42, "green", [], None), (35, "yellow", ["krop"], "Ondt i ryggen igen."),
        (28, "green", [], None), (21, "yellow", ["oekonomi"], None), (14, "yellow", ["oekonomi", "krop"], None),
        (0, "red", ["oekonomi", "humoer"], "Jeg har fået et brev om huslejen og kan ikke sove."),
    ]),
    ("Jens Demo", "+4522000002", "fuld", [
        (30, "yellow", {"krop": "yellow", "humoer": "green", "hverdag": "yellow", "netvaerk": "green",
                        "oekonomi": "green"}, None),
        (16, "yellow", {"krop": "red", "humoer": "yellow", "hverdag": "yellow", "netvaerk": "green",
                        "oekonomi": "green"}, "Knæet driller, svært at handle ind."),
        (2, "yellow", {"krop": "yellow", "humoer": "yellow", "hverdag": "green", "netvaerk": "green",
                       "oekonomi": "green"}, None),
    ]),
    ("Lise Demo", "+4522000003", "standard", [
        (40, "yellow", ["netvaerk"], None), (26, "green", [], None), (12, "green", [], "Min datter har hjulpet."),
        (5, "green", [], None),
    ]),
]


def _day(clock: Clock, days_from_now: int, hour: int) -> datetime:
    local_day = (clock.now().astimezone(COPENHAGEN) + timedelta(days=days_from_now)).date()
    return datetime.combine(local_day, time(hour), tzinfo=COPENHAGEN)


def _past(clock: Clock, days_ago: int) -> datetime:
    return min(_day(clock, -days_ago, 10), clock.now() - timedelta(minutes=5))


def _checkins(session: Session, citizen: Citizen, clock: Clock, history) -> None:
    for days_ago, overall, detail, note in history:
        answers = (
            CheckinAnswers(overall, areas=detail) if isinstance(detail, dict)
            else CheckinAnswers(overall, focus_areas=list(detail), wants_contact=overall == "red" or None)
        )
        when = _past(clock, days_ago)
        record_checkin(session, citizen, answers, note=note, complete=True, channel="sms", now=when)
        if note:
            log_inbound(session, citizen.id, channel="sms", text=note, received_at=when)


def _coordinator(session: Session, name: str, phone: str, email: str, token: str):
    coordinator = coordinator_by_token(session, token)
    created = coordinator is None
    if created:
        coordinator, _ = create_coordinator(session, name, phone=phone, email=email, token=token)
        set_password_hash(session, coordinator, hash_password(DEMO_PASSWORD))
    return coordinator, created


def seed(session: Session, clock: Clock) -> None:
    coordinator, created = _coordinator(session, "Mette Demo", "+4511223344", DEMO_EMAIL, DEMO_COORDINATOR_TOKEN)
    backup, _ = _coordinator(session, "Ole Demo", "+4511223355", DEMO_BACKUP_EMAIL, DEMO_BACKUP_TOKEN)
    if created:
        set_backup(session, coordinator, backup.id)
    if citizen_by_phone(session, DEMO_CITIZEN_PHONE) is None:
        create_citizen(
            session, name="Bente Demo", phone=DEMO_CITIZEN_PHONE, coordinator_id=coordinator.id,
            consent_at=clock.now(),
        )
    for name, phone, programme, history in HISTORIES:
        if citizen_by_phone(session, phone) is not None:
            continue
        citizen = create_citizen(
            session, name=name, phone=phone, coordinator_id=coordinator.id, programme=programme,
            consent_at=_past(clock, 60),
        )
        _checkins(session, citizen, clock, history)
        if name.startswith("Karin"):
            add_stratification(
                session, citizen.id, coordinator_id=coordinator.id, complexity="low", coping="weak",
                level=level_for("low", "weak").number,
                rationale="Klarer sig fysisk, men har svært ved at overskue breve og økonomi.",
                created_at=_past(clock, 45),
            )
        in_days = 1 + len(history)
        create_appointment(
            session, citizen.id, kind=AppointmentKind.NETVAERKSMOEDE if name.startswith("Karin") else AppointmentKind.OPFOELGNING,
            starts_at=_day(clock, in_days, 13), ends_at=_day(clock, in_days, 14),
            location="Sundhedscentret, Højvang", title=None, created_at=clock.now(),
        )
    if citizen_by_phone(session, "+4522000004") is None:
        per = create_citizen(session, name="Per Demo", phone="+4522000004", coordinator_id=coordinator.id,
                             consent_at=_past(clock, 60))
        per.status = CitizenStatus.OPTED_OUT


def main() -> None:
    settings = Settings.from_env()
    if settings.production:
        raise SystemExit("demo data is for development only")
    clock = Clock()
    database = Database(settings.database_url)
    database.call(seed, clock)
    # The citizen's current link id (a new one if the last was revoked): bot/citizens/chat_links.py.
    link = database.call(lambda s: link_for_citizen(
        s, citizen_by_phone(s, DEMO_CITIZEN_PHONE), settings.public_url, settings.webchat_jwt_secret, clock.now(),
        timedelta(days=settings.webchat_link_days)))
    print(
        f"demo data: coordinator token {DEMO_COORDINATOR_TOKEN}, citizen {DEMO_CITIZEN_PHONE}\n"
        f"dashboard: {settings.public_url}/login  e-mail {DEMO_EMAIL}  password {DEMO_PASSWORD}\n"
        f"web chat as Bente Demo: {link.url}"
    )


if __name__ == "__main__":
    main()
