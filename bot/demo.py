"""Demo data for `make run`: one coordinator with a fixed dev token and the citizen +4512345678.
Idempotent, and refused in production."""
from __future__ import annotations

from sqlalchemy.orm import Session

from bot.clock import Clock
from bot.config import Settings
from bot.db.citizens import citizen_by_phone, create_citizen
from bot.db.coordinators import coordinator_by_token, create_coordinator
from bot.db.database import Database

DEMO_COORDINATOR_TOKEN = "dev-coordinator-token"
DEMO_CITIZEN_PHONE = "+4512345678"


def seed(session: Session, clock: Clock) -> None:
    coordinator = coordinator_by_token(session, DEMO_COORDINATOR_TOKEN)
    if coordinator is None:
        coordinator, _ = create_coordinator(
            session, "Mette Demo", phone="+4511223344", email="mette@example.invalid", token=DEMO_COORDINATOR_TOKEN
        )
    if citizen_by_phone(session, DEMO_CITIZEN_PHONE) is None:
        create_citizen(
            session, name="Bente Demo", phone=DEMO_CITIZEN_PHONE, coordinator_id=coordinator.id,
            consent_at=clock.now(),
        )


def main() -> None:
    settings = Settings.from_env()
    if settings.production:
        raise SystemExit("demo data is for development only")
    Database(settings.database_url).call(seed, Clock())
    print(f"demo data: coordinator token {DEMO_COORDINATOR_TOKEN}, citizen {DEMO_CITIZEN_PHONE}")


if __name__ == "__main__":
    main()
