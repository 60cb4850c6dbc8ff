"""ORM rows to API JSON. Only these functions decide what leaves the service."""
from __future__ import annotations

from datetime import datetime

from bot.db.models import Alert, CheckIn, Citizen, Coordinator


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def coordinator_json(c: Coordinator) -> dict:
    return {
        "id": c.id,
        "name": c.name,
        "phone": c.phone,
        "email": c.email,
        "backup_coordinator_id": c.backup_coordinator_id,
        "has_password": c.password_hash is not None,
        "created_at": iso(c.created_at),
    }


def citizen_json(c: Citizen) -> dict:
    return {
        "id": c.id,
        "name": c.name,
        "phone": c.phone,
        "coordinator_id": c.coordinator_id,
        "checkin_interval_days": c.checkin_interval_days,
        "programme": c.programme,
        "status": c.status,
        "opted_out": c.status == "opted_out",
        "consent_at": iso(c.consent_at),
        "created_at": iso(c.created_at),
    }


def checkin_json(c: CheckIn) -> dict:
    return {
        "id": c.id,
        "overall": c.overall,
        "areas": dict(c.areas or {}),
        "focus_areas": list(c.focus_areas or []),
        "note": c.note,
        "wants_contact": c.wants_contact,
        "complete": c.complete,
        "channel": c.channel,
        "created_at": iso(c.created_at),
    }


def alert_json(a: Alert) -> dict:
    return {
        "id": a.id,
        "citizen_id": a.citizen_id,
        "rule": a.rule,
        "severity": a.severity,
        "reason": a.reason,
        "status": a.status,
        "created_at": iso(a.created_at),
        "acknowledged_at": iso(a.acknowledged_at),
        "acknowledged_by": a.acknowledged_by,
        "resolved_at": iso(a.resolved_at),
        "resolution_note": a.resolution_note,
        "notified_at": iso(a.notified_at),
        "escalated_at": iso(a.escalated_at),
        "escalated_to": a.escalated_to,
    }
