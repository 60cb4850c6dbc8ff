"""A change of coordinator (issue 14 §4; docs/decisions.md, "A change of coordinator").

Only `citizens.coordinator_id` changes. Everything about the citizen stays with the citizen, so it
moves with them: check-ins, alerts (open ones are the new coordinator's to handle from now on, since
who sees an alert follows the citizen's coordinator), planned messages (jobs belong to the citizen,
and texts that name the coordinator are written when they are sent), appointments, agreements and
outcome measures. A `coordinator_changes` row keeps who had the citizen before, who made the change
and when. The citizen is told by SMS who their new coordinator is; a handover meeting for the three
of them can be booked in the same call, as an ordinary appointment with its reminders.

Who may: the admin, or the citizen's current coordinator (to a colleague). A coordinator cannot
take a colleague's citizen."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from bot.appointments import booking
from bot.core import i18n
from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid, NotFound
from bot.core.texts import for_language, in_language
from bot.core.vocabulary import AppointmentKind
from bot.db.access_log import Actor, log_access
from bot.db.citizens import get_citizen, lock_citizen
from bot.db.coordinators import get_coordinator
from bot.db.models import Appointment, Citizen, CoordinatorChange
from bot.sms.outbox import PROACTIVE, queue_sms


@dataclass(frozen=True)
class Reassignment:
    citizen: Citizen
    change: CoordinatorChange
    handover: Appointment | None


def reassign(session: Session, citizen_id: int, scope: int | None, new_coordinator_id: object, *,
             now: datetime, settings: ProactiveSettings, handover_at: datetime | None = None) -> Reassignment:
    """Give the citizen to `new_coordinator_id`. `scope` is the caller's coordinator id (None: the
    admin); a coordinator may only give away their own citizen. With `handover_at`, a handover
    meeting is booked and named in the SMS."""
    if get_citizen(session, citizen_id, scope) is None:
        raise NotFound("citizen not found")
    if not isinstance(new_coordinator_id, int) or isinstance(new_coordinator_id, bool):
        raise Invalid("'coordinator_id' is required and must be an integer", "coordinator_id")
    citizen = lock_citizen(session, citizen_id)  # one change at a time, and not during STOP/START
    old = get_coordinator(session, citizen.coordinator_id)
    new = get_coordinator(session, new_coordinator_id)
    if new is None or new.deactivated_at is not None:
        raise Invalid("the new coordinator does not exist or is deactivated", "coordinator_id")
    if new.id == old.id:
        raise Invalid("the citizen already has this coordinator", "coordinator_id")
    handover = None
    if handover_at is not None:
        handover = booking.create(session, citizen.id, None, {
            "kind": AppointmentKind.OPFOELGNING.value, "starts_at": handover_at,
            "title": f"Overdragelse: {old.name} og {new.name}"}, now, settings)
    citizen.coordinator_id = new.id
    change = CoordinatorChange(citizen_id=citizen.id, from_coordinator_id=old.id, to_coordinator_id=new.id,
                               changed_at=now, changed_by=scope, actor=Actor.of(scope).kind.value,
                               handover_appointment_id=handover.id if handover else None)
    session.add(change)
    log_access(session, scope, citizen.id, "reassign", now)
    # In the citizen's language (docs/languages.md), the meeting's time in the text's own language.
    if handover:
        template, language = in_language("REASSIGNED_WITH_HANDOVER", citizen.language)
        text = template.format(new=new.name, old=old.name, when=i18n.format_when(handover_at, language, settings.timezone))
    else:
        text = for_language("REASSIGNED", citizen.language).format(new=new.name, old=old.name)
    # Proactive: held, like every message we start, after the citizen's STOP (bot/sms/outbox.py).
    queue_sms(session, citizen.phone, text, purpose=PROACTIVE, now=now)
    session.flush()
    return Reassignment(citizen, change, handover)
