"""A citizen's SMS whose turn never finished gets an apology asking them to send it again.

The SMS webhook answers the gateway 200 as soon as the message is stored (bot/channels/sms.py) and
runs the turn after that, so a Rasa server that dies mid-turn (a crash, an OOM kill, a deploy) takes
the turn with it and the citizen would wait for an answer that never comes. The channel marks the
message answered when its turn has finished; the scheduler's tick finds SMS still unanswered
`unanswered_sms_seconds` after they came and queues one apology per citizen. Not a replay of the
message: the action server may have acted on part of the lost turn, and running it again could
store an answer twice; Rasa saves a conversation only at the end of a turn, so the citizen's repeat
is answered where the lost turn began. What the gate did before the turn (storing the message, the
safety reply and the crisis alert) is not lost. docs/deployment.md, "What the gateway sees when a
part is down"."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.config import ProactiveSettings
from bot.core.texts import for_language
from bot.db.citizens import get_citizen
from bot.db.messages import claim_unanswered
from bot.sms.outbox import queue_sms

# Older than this it is not the turn of a server that just died (the column is new in 0014, and a
# message from before an outage of hours is answered better by a person than by an apology).
LOOK_BACK = timedelta(hours=1)


def apologise_for_unanswered(session: Session, now: datetime, settings: ProactiveSettings,
                             citizen_ids: Iterable[int] | None = None) -> int:
    """Queue the apology for every SMS turn lost in the last hour (of these citizens: a tick run for
    some citizens only); returns how many citizens got one."""
    after = timedelta(seconds=settings.unanswered_sms_seconds)
    lost = claim_unanswered(session, "sms", received_before=now - after, received_after=now - LOOK_BACK, now=now,
                            citizen_ids=citizen_ids)
    told = set()
    for message in lost:
        citizen = get_citizen(session, message.citizen_id)
        if citizen is None or citizen.id in told:
            continue
        queue_sms(session, citizen.phone, for_language("TURN_LOST", citizen.language), purpose="reply", now=now)
        told.add(citizen.id)
    return len(told)
