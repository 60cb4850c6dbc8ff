"""The urgent alert for crisis language, on SQLite and PostgreSQL."""
from datetime import timedelta

from bot.db import alerts as alert_db
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.safety.alerting import crisis_alert
from tests.conftest import T0


def test_one_urgent_alert_an_hour_per_citizen(db):
    with db.session() as s:
        coordinator, _ = create_coordinator(s, "Mette")
        citizen = create_citizen(s, name="B", phone="+4512345678", coordinator_id=coordinator.id)
        first = crisis_alert(s, citizen.id, "suicide", T0)
        assert (first.rule, first.severity) == ("crisis_language", "urgent")
        assert "selvmordstanker" in first.reason and "112" in first.reason
        assert crisis_alert(s, citizen.id, "violence", T0 + timedelta(minutes=30)) is None
        assert crisis_alert(s, citizen.id, "violence", T0 + timedelta(minutes=61)) is not None
        alert_db.acknowledge_alert(s, first, coordinator.id, T0)
        assert len(alert_db.list_alerts(s, citizen_id=citizen.id)) == 2
