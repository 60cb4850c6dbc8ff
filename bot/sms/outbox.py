"""Putting an SMS in the outbox, and letting it go: normalised to GSM-7, segments counted, and a
proactive message to a citizen who may not get one (STOP, an ended course, erased) is 'suppressed'
with its reason, when it is queued and again at the moment it would be handed to the operator, so a
message already waiting (a gateway outage, a backoff) never goes after the STOP. And what a message
that never arrives means: the citizen cannot be reached, an alert for their coordinator.
docs/decisions.md, "SMS integrity"."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from bot.core.alert_catalogue import Rule
from bot.core.vocabulary import CitizenStatus, OutboxStatus
from bot.db import alerts as alert_db
from bot.db import messages as messages_db
from bot.db import network as network_db
from bot.db import outbox as outbox_db
from bot.db.citizens import citizen_by_phone
from bot.db.models import Alert, Citizen, OutboxMessage
from bot.sms.gsm import in_other_script, segments, to_gsm7

# reply: the answer to the citizen's own message (also STOP's confirmation and the safety reply);
# proactive: started by us (scheduler jobs through Rasa, a chat link); notification: to staff.
# Only proactive messages are ever held: a reply answers what the citizen just wrote, and a
# notification goes to a coordinator.
# farewell: the one goodbye when the coordinator ends a course (bot/citizens/course.py): started by
# us, so STOP holds it, but the ended course itself does not (it is the message about the end).
# network: to a person in the citizen's network (bot/network/), tied to the citizen by citizen_id;
# held like a proactive message (the citizen's STOP, an ended course, erased) and also when that
# member's consent was removed ("consent_removed"), checked again at dispatch.
PURPOSES = ("reply", "proactive", "notification", "farewell", "network")
PROACTIVE = "proactive"
FAREWELL = "farewell"
NETWORK = network_db.NETWORK
NOT_DELIVERED = (OutboxStatus.UNDELIVERED, OutboxStatus.FAILED)
UNREACHABLE_REASON = "Vi kan ikke nå borgeren på SMS (beskeden kunne ikke leveres). Ring eller tjek nummeret."
# The citizen's status (None: no citizen has the number any more) -> why a proactive SMS is held.
HOLD_REASONS: dict[str | None, str] = {
    CitizenStatus.OPTED_OUT.value: "opted_out",
    CitizenStatus.ENDED.value: "course_ended",
    outbox_db.NO_CITIZEN: "no_citizen",
}
# The farewell is what an ended course sends, so an ended course does not hold it.
FAREWELL_HOLD_REASONS = {k: v for k, v in HOLD_REASONS.items() if k != CitizenStatus.ENDED.value}


def hold_reason(purpose: str, citizen_status: str | None) -> str | None:
    """Why this message may not go to its recipient now; None: it may."""
    if purpose == FAREWELL:
        return FAREWELL_HOLD_REASONS.get(citizen_status)
    if purpose not in (PROACTIVE, NETWORK):
        return None
    return HOLD_REASONS.get(citizen_status)


def queue_sms(session: Session, msisdn: str, text: str, *, purpose: str, now: datetime,
              citizen_id: int | None = None) -> OutboxMessage:
    """`citizen_id` only for a network SMS: whose member the recipient is (the phone is no citizen's).
    The text is normalised to GSM-7, unless it has letters of another script (Arabic: the safety
    reply and the other-language reply in the citizen's own script, docs/decisions.md, "Messages in
    other languages"), which GSM-7 would delete: such a text is sent as written, in UCS-2, and its
    segments are counted so (67 characters a part). Decided here, so no caller can forget it."""
    if purpose not in PURPOSES:
        raise ValueError(f"unknown purpose {purpose!r}")
    if (purpose == NETWORK) != (citizen_id is not None):
        raise ValueError("a network SMS, and only one, names the citizen whose member it goes to")
    body = text if in_other_script(text) else to_gsm7(text)
    if purpose == NETWORK:
        citizen = session.get(Citizen, citizen_id)
        reason = hold_reason(purpose, citizen.status if citizen is not None else None)
        if reason is None and network_db.active_member_with_phone(session, citizen_id, msisdn) is None:
            reason = network_db.CONSENT_REMOVED
    else:
        citizen = citizen_by_phone(session, msisdn)
        reason = hold_reason(purpose, citizen.status if citizen is not None else None)
    return outbox_db.add_message(
        session,
        citizen_id=citizen.id if citizen else None,
        msisdn=msisdn,
        purpose=purpose,
        text=body,
        segments=segments(body),
        status=OutboxStatus.SUPPRESSED if reason else OutboxStatus.QUEUED,
        suppressed_reason=reason,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        status_at=now if reason else None,
    )


def queue_turn_replies(session: Session, replies: list[tuple[str, str]], now: datetime,
                       answered_inbound_id: int | None, *, purpose: str = "reply") -> None:
    """What one SMS turn answered, (phone, text) in the order said, queued in one transaction at the
    turn's end, together with the mark that the citizen's message was answered when the turn finished
    (`answered_inbound_id`; None: it failed, so the scheduler's apology still comes:
    bot/sms/unanswered.py). One transaction a turn instead of one per message and one for the mark
    (docs/performance.md)."""
    for msisdn, text in replies:
        queue_sms(session, msisdn, text, purpose=purpose, now=now)
    if answered_inbound_id is not None:
        messages_db.mark_answered(session, answered_inbound_id, now)


def claim_due(session: Session, now: datetime, limit: int = 20, *,
              release_older_than: timedelta | None = None, hold: bool = True) -> list[OutboxMessage]:
    """The dispatcher's claim: with `release_older_than`, first every message a dead dispatcher left
    'sending' that long goes back in the queue (bot.db.outbox.release_stale; in the claim's own
    transaction, one round trip fewer per round: docs/performance.md); then (`hold`) every queued
    proactive message that may no longer go is held (due or not, so it holds back nothing behind
    it), then the due messages are claimed, at most one per recipient. The dispatcher's claims
    between two holds skip them (`hold=False`; bot.sms.dispatcher.HOLD_EVERY): `sendable` checks
    every claimed message again right before it goes."""
    if release_older_than is not None:
        outbox_db.release_stale(session, now, release_older_than)
    if hold:
        outbox_db.hold_queued(session, PROACTIVE, HOLD_REASONS, now)
        outbox_db.hold_queued(session, FAREWELL, FAREWELL_HOLD_REASONS, now)
        outbox_db.hold_queued(session, NETWORK, HOLD_REASONS, now)
        network_db.hold_queued_without_consent(session, now)
    return outbox_db.claim_due(session, now, limit)


def sendable(session: Session, message_ids: list[int], now: datetime) -> set[int]:
    """Asked just before claimed messages are handed to the operator (every attempt), one query for
    the dispatcher's whole batch: a STOP, an ended course or an erasure that came after the claim
    holds a message still. Returns the ids that may go."""
    allowed = set()
    claimed = outbox_db.claimed_with_citizen_status(session, message_ids)
    no_consent = network_db.without_consent(session, [m.id for m, _ in claimed if m.purpose == NETWORK])
    for message, citizen_status in claimed:
        # Erased with its citizen, or no longer this dispatcher's: not in the rows at all.
        reason = hold_reason(message.purpose, citizen_status if message.citizen_id is not None else None)
        if reason is None and message.id in no_consent:
            reason = network_db.CONSENT_REMOVED
        if reason is None:
            allowed.add(message.id)
        else:
            outbox_db.hold_claimed(session, message.id, reason, now)
    return allowed


def record_sent(session: Session, sent: list[tuple[int, str]], now: datetime) -> None:
    """The dispatcher's batch that the operator took, (our id, the operator's id) each, in one
    transaction after the batch's sends (one per message cost a transaction each: docs/performance.md).
    A message whose delivery report came first keeps the report's status (bot.db.outbox.mark_sent)."""
    outbox_db.mark_sent(session, sent, now)


def record_undelivered(session: Session, message: OutboxMessage, now: datetime) -> Alert | None:
    """A message to a citizen that will never arrive (the outbox gave up, or the operator reported it
    undeliverable): a high alert for their coordinator, in the same transaction (docs/decisions.md,
    "Silence is a signal"). Not for notifications to staff, nor for suppressed messages; at most one
    open alert per citizen (Dedupe.ONE_OPEN). Callers call it only when the status changed just now."""
    if message.citizen_id is None or message.purpose in ("notification", NETWORK) or message.status not in NOT_DELIVERED:
        return None
    rule = Rule.UNREACHABLE
    if alert_db.open_alert(session, message.citizen_id, rule) is not None:
        return None
    return alert_db.add_alert(session, message.citizen_id, rule=rule, severity=rule.severity,
                              reason=UNREACHABLE_REASON, created_at=now)


def record_send_failure(session: Session, message_id: int, error: str, retry_at: datetime | None,
                        now: datetime) -> None:
    """The dispatcher's failed attempt: back in the queue until retry_at, or, without one, given up."""
    changed = outbox_db.mark_failed(session, message_id, error, retry_at, now)
    if changed and retry_at is None:
        # populate_existing: the status was set by an UPDATE statement, not on a loaded object.
        message = session.get(OutboxMessage, message_id, populate_existing=True)
        if message is not None:
            record_undelivered(session, message, now)


def apply_delivery_report(session: Session, provider_id: str, userref: str | None, status: str,
                          now: datetime) -> OutboxMessage | None:
    """The gateway's delivery report; None for an id we do not know. Statuses only move forward,
    so a replayed or out-of-order report changes nothing and raises no second alert; a final 'not
    delivered' that moved the status raises the unreachable alert."""
    message, changed = outbox_db.apply_delivery_report(session, provider_id, userref, status, now)
    if changed:
        record_undelivered(session, message, now)
    return message
