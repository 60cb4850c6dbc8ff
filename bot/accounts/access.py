"""Access that can be taken back (docs/privacy.md, "Access that can be taken back"): the admin
deactivates a coordinator, and a coordinator's API token can be replaced, by the coordinator or the
admin. Both take effect when the transaction commits: the next request with the old token or an old
dashboard session is refused. One place for the rules; the JSON API and the dashboard only translate."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.core.errors import Invalid, NotFound
from bot.db import coordinators as coordinator_db
from bot.db.models import Coordinator
from bot.db.web_sessions import end_sessions_of


@dataclass(frozen=True)
class Deactivation:
    coordinator: Coordinator
    moved_to: int | None  # the coordinator who took over the citizens, if any
    moved: list[int]  # citizens moved now
    to_reassign: list[int]  # citizens still with the deactivated coordinator: the admin must move them
    no_longer_backup_for: list[int]  # coordinators who had this one as backup


def rotate_token(session: Session, coordinator_id: int, now: datetime) -> str:
    """A new API token for an active coordinator, shown once; the old one is dead at once."""
    coordinator = coordinator_db.get_coordinator(session, coordinator_id)
    if coordinator is None or coordinator.deactivated_at is not None:
        raise NotFound("coordinator not found")
    return coordinator_db.replace_token(session, coordinator, now)


def deactivate(session: Session, coordinator_id: int, now: datetime, reassign_to: int | None = None) -> Deactivation:
    """The coordinator can no longer log in; their dashboard sessions end and their API token stops
    working at once. Their citizens go to `reassign_to`, or else to their backup when the backup is
    active; without either they stay and are listed in `to_reassign` (the admin calls again with
    `reassign_to`: deactivating a deactivated coordinator only moves citizens). Nobody keeps them
    as backup: alerts escalated to a backup must reach someone who can log in."""
    coordinator = coordinator_db.get_coordinator(session, coordinator_id)
    if coordinator is None:
        raise NotFound("coordinator not found")
    target = None
    if reassign_to is not None:
        target = coordinator_db.get_coordinator(session, reassign_to)
        if target is None or target.deactivated_at is not None or target.id == coordinator.id:
            raise Invalid("'reassign_to' must be another, active coordinator", "reassign_to")
    elif coordinator.backup_coordinator_id is not None:
        backup = coordinator_db.get_coordinator(session, coordinator.backup_coordinator_id)
        target = backup if backup is not None and backup.deactivated_at is None else None
    if coordinator.deactivated_at is None:
        coordinator_db.deactivate(session, coordinator, now)
        end_sessions_of(session, coordinator.id)
    no_longer_backup_for = coordinator_db.clear_backup_of(session, coordinator.id)
    moved = coordinator_db.move_citizens(session, coordinator.id, target.id) if target is not None else []
    return Deactivation(coordinator, target.id if target is not None else None, moved,
                        coordinator_db.citizen_ids_of(session, coordinator.id), no_longer_backup_for)
