"""A citizen's erasure across both stores: the coordination database and Rasa's tracker store, checked
through Rasa's own HTTP API. One use case for the JSON API and the dashboard; the export (a read)
is bot/service/export.py.

Order (docs/privacy.md, "The citizen's rights: export and erasure"):
1. the phone number typed as confirmation is checked;
2. the conversation is deleted from TRACKER_STORE_URL and Rasa is asked for the sender's tracker
   (up to ATTEMPTS rounds: a turn in progress stores its events just after its reply): if Rasa
   still shows stored events, TRACKER_STORE_URL is not the store Rasa uses, and nothing in the
   coordination database is erased (ConversationNotErased, erased=False); so too when Rasa cannot
   be asked;
3. one coordination transaction deletes every row, keeps the access log pseudonymised and writes
   the erasure row with its actor; the tracker store is erased again before it commits (a message
   that came in meanwhile);
4. after the commit the tracker store is erased once more (a message in flight during 3; from now
   on the channels treat the number as a stranger's) and Rasa is asked again, in the same rounds:
   only then is the erasure marked verified and reported done. If events remain, the error names
   the erasure.
No network I/O happens inside a transaction: Rasa is asked between them."""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Protocol

from sqlalchemy.orm import Session

from bot.citizens.conversation_check import RasaNotAsked
from bot.core.errors import NotFound
from bot.core.phone import try_normalize_phone
from bot.db.access_log import Actor
from bot.db.citizens import get_citizen
from bot.db.database import DATABASE_ERRORS, Database
from bot.db.models import Citizen
from bot.db.privacy import erase_citizen, mark_tracker_verified
from bot.db.tracker_events import TrackerEvents

log = logging.getLogger(__name__)
# Delete-and-ask rounds before an erasure is refused (see _delete_until_gone), and the pause between.
ATTEMPTS = 3
PAUSE_SECONDS = 1.0


class NotConfirmed(ValueError):
    """The phone number typed as confirmation is not the citizen's: nothing is erased."""


class ConversationNotErased(RuntimeError):
    """Rasa still shows the citizen's conversation, or could not be asked, or the tracker store could
    not be written: the erasure is not done. `erased` says whether the coordination database was
    (step 4 failed) or nothing was (steps 2: repeat the request once the cause is mended)."""

    def __init__(self, message: str, *, erased: bool, erasure_id: int | None = None, events: int = 0):
        super().__init__(message)
        self.message = message
        self.erased = erased
        self.erasure_id = erasure_id
        self.events = events


class Conversations(Protocol):
    async def remaining(self, sender: str) -> list[dict]:
        """The sender's events still stored where Rasa reads them; raises RasaNotAsked."""


def erase(session: Session, citizen: Citizen, confirm_phone: str, tracker: TrackerEvents, erased_by: Actor | int | None,
          now: datetime) -> dict:
    """Step 3, inside the coordination transaction. Erasure cannot be undone, so it needs the
    citizen's phone number typed as confirmation. The tracker store is erased before the
    transaction commits: if it fails, nothing is erased; if the commit fails after it, repeating
    the request finishes the job."""
    if try_normalize_phone(confirm_phone) != citizen.phone:
        raise NotConfirmed(citizen.id)
    erasure = erase_citizen(session, citizen, erased_by, now)
    events = tracker.delete_sender(citizen.phone)
    return {"erased": True, "citizen_id": citizen.id, "erasure_id": erasure.id,
            "erased_at": erasure.erased_at.isoformat(), "rows": {**erasure.rows, "conversation_events": events}}


async def _delete_conversation(tracker: TrackerEvents, phone: str) -> int:
    """The tracker store is another database: its blocking call runs off the event loop."""
    try:
        return await asyncio.get_running_loop().run_in_executor(None, tracker.delete_sender, phone)
    except DATABASE_ERRORS as exc:
        raise ConversationNotErased(f"the tracker store (TRACKER_STORE_URL) could not be written: "
                                    f"{type(exc).__name__}", erased=False) from exc


async def _remaining(rasa: Conversations, phone: str) -> list[dict]:
    try:
        return await rasa.remaining(phone)
    except RasaNotAsked as exc:
        raise ConversationNotErased(f"Rasa's HTTP API could not be asked whether the conversation is gone ({exc})",
                                    erased=False) from exc


async def erase_everywhere(db: Database, citizen_id: int, scope: int | None, confirm_phone: str,
                           tracker: TrackerEvents, rasa: Conversations, actor: Actor, now: datetime) -> dict:
    """Steps 1-4 above. Raises NotFound (not the caller's citizen), NotConfirmed, or
    ConversationNotErased; returns what was erased, with `tracker_verified` true."""
    citizen = await db.run(get_citizen, citizen_id, scope)
    if citizen is None:
        raise NotFound("citizen not found")
    if try_normalize_phone(confirm_phone) != citizen.phone:
        raise NotConfirmed(citizen.id)
    phone = citizen.phone

    before, left = await _delete_until_gone(tracker, rasa, phone)
    if left:
        log.error("erasure of citizen %s refused: Rasa still shows %d stored event(s) after deleting from "
                  "TRACKER_STORE_URL, which is not the tracker store Rasa uses", citizen_id, len(left))
        raise ConversationNotErased(
            f"Rasa still shows {len(left)} event(s) of this citizen's conversation after they were deleted from "
            "TRACKER_STORE_URL: it is not the tracker store Rasa uses (endpoints.yml). Nothing was erased.",
            erased=False, events=len(left))

    def transaction(session: Session) -> dict:
        current = get_citizen(session, citizen_id, scope)
        if current is None:  # erased by someone else meanwhile
            raise NotFound("citizen not found")
        return erase(session, current, confirm_phone, tracker, actor, now)

    try:
        result = await db.run(transaction)
    except DATABASE_ERRORS as exc:  # either database: the transaction rolled back, nothing is erased
        raise ConversationNotErased(f"the erasure could not be written ({type(exc).__name__}); nothing was erased",
                                    erased=False) from exc
    try:
        after, left = await _delete_until_gone(tracker, rasa, phone)
        problem = f"Rasa still shows {len(left)} event(s) of the conversation" if left else None
    except ConversationNotErased as exc:
        after, left, problem = 0, [], exc.message
    result["rows"]["conversation_events"] += before + after
    if problem:
        log.error("erasure %s of citizen %s is not verified: %s", result["erasure_id"], citizen_id, problem)
        raise ConversationNotErased(
            f"The citizen's data in the coordination database is erased (erasure {result['erasure_id']}), but the "
            f"conversation could not be confirmed gone: {problem}.", erased=True, erasure_id=result["erasure_id"],
            events=len(left))
    await db.run(mark_tracker_verified, result["erasure_id"], now)
    return {**result, "tracker_verified": True}


async def _delete_until_gone(tracker: TrackerEvents, rasa: Conversations, phone: str) -> tuple[int, list[dict]]:
    """Delete from TRACKER_STORE_URL, then ask Rasa; again, a few times, while Rasa still shows
    events: a turn that was running when the erasure began writes its last events just after
    (the reply is sent before Rasa stores the turn). With the wrong store every attempt shows the
    whole conversation. Returns the events deleted and what Rasa still shows."""
    deleted, left = 0, []
    for attempt in range(ATTEMPTS):
        if attempt:
            await asyncio.sleep(PAUSE_SECONDS)
        deleted += await _delete_conversation(tracker, phone)
        left = await _remaining(rasa, phone)
        if not left:
            break
    return deleted, left
