"""The citizen's network (issue 14 §3; bot/network/): members with consent, invitations by SMS,
reminders at the citizen's reminder times, the notice of a cancelled meeting, holds (STOP, an ended
course, a removed member) and consent removal that erases. SQLite and PostgreSQL, times stated."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from bot.appointments import booking
from bot.citizens import course
from bot.core.config import ProactiveSettings
from bot.core.errors import Invalid, NotFound
from bot.core.vocabulary import JobStatus
from bot.db.citizens import create_citizen, get_citizen
from bot.db.coordinators import create_coordinator
from bot.db.models import Job, MeetingInvitation, NetworkMember, OutboxMessage
from bot.db.privacy import citizen_records, erase_citizen
from bot.jobs.purposes import NETWORK_CANCELLED, NETWORK_REMINDER, REMINDER
from bot.network import invitations, members
from bot.scheduler import handlers
from bot.sms.outbox import claim_due, sendable

CPH = ZoneInfo("Europe/Copenhagen")
SETTINGS = ProactiveSettings()
NOW = datetime(2026, 3, 20, 9, 0, tzinfo=CPH).astimezone(timezone.utc)
# The Monday after the change to summer time (Sunday 29 March 2026): the day-before reminder is in
# summer time, the booking in winter time.
MEETING = datetime(2026, 3, 30, 10, 0, tzinfo=CPH).astimezone(timezone.utc)
MEMBER_PHONE = "+4522334455"


def cph(*args) -> datetime:
    return datetime(*args, tzinfo=CPH).astimezone(timezone.utc)


@pytest.fixture
def team(db):
    def create(session):
        jens, _ = create_coordinator(session, "Jens")
        mette, _ = create_coordinator(session, "Mette")
        bente = create_citizen(session, name="Bente Marie Hansen", phone="+4512345678", coordinator_id=jens.id,
                               consent_at=NOW - timedelta(days=20))
        return jens, mette, bente

    return db.call(create)


def add(db, citizen, scope, **fields):
    values = {"name": "Ole", "relation": "bror", "phone": "22 33 44 55", "consent": True, **fields}
    return db.call(lambda s: members.add_member(s, citizen.id, scope, values, now=NOW, added_by=scope))


def book(db, citizen, scope, **fields):
    values = {"kind": "netvaerksmoede", "starts_at": MEETING, "location": "Jobcentret, Kongensgade 12",
              "title": "Psykiatri og medicin", **fields}
    return db.call(lambda s: booking.create(s, citizen.id, scope, values, NOW, SETTINGS))


def invite(db, meeting, scope, member, now=NOW):
    return db.call(lambda s: invitations.invite(s, meeting.id, scope, member.id, now=now, settings=SETTINGS))


def invited(db, citizen, scope, **meeting_fields):
    """Ole in the citizen's network and invited to a new meeting: (member, meeting, invitation)."""
    member = add(db, citizen, scope)
    meeting = book(db, citizen, scope, **meeting_fields)
    return member, meeting, invite(db, meeting, scope, member)


def network_sms(db, phone=MEMBER_PHONE) -> list[tuple[str, str, str | None]]:
    return db.call(lambda s: [(m.text, m.status, m.suppressed_reason) for m in s.execute(
        sa.select(OutboxMessage).where(OutboxMessage.msisdn == phone).order_by(OutboxMessage.id)).scalars()])


def jobs(db, purpose, status=JobStatus.PENDING) -> list[Job]:
    return db.call(lambda s: list(s.execute(sa.select(Job).where(Job.purpose == purpose, Job.status == status)
                                            .order_by(Job.due_at)).scalars()))


def run(db, job, now):
    def go(session):
        found = session.get(Job, job.id)
        found.status, found.claim_token = JobStatus.RUNNING.value, "t"
        session.flush()
        return handlers.prepare(session, found, now, SETTINGS)

    return db.call(go)


INVITATION = ("Hej Ole. Bente vil gerne have dig med til et møde med kommunen mandag 30. marts kl. 10, "
              "Jobcentret, Kongensgade 12. Du får en påmindelse dagen før.")
REMINDER_TEXT = "Hej Ole. Husk mødet med kommunen mandag 30. marts kl. 10, Jobcentret, Kongensgade 12. " \
                "Bente vil gerne have dig med."


def test_a_member_needs_the_citizens_consent_and_a_phone_of_their_own(db, team):
    jens, mette, bente = team
    member = add(db, bente, jens.id)
    assert (member.name, member.relation, member.phone, member.consent_at, member.added_by) == (
        "Ole", "bror", MEMBER_PHONE, NOW, jens.id)
    for fields, field in [({"consent": False}, "consent"), ({"consent": "ja"}, "consent"),
                          ({"phone": "123"}, "phone"), ({"phone": "+45 12 34 56 78"}, members.PHONE_IS_CITIZENS),
                          ({"phone": "22334455"}, members.PHONE_IN_NETWORK),
                          ({"name": " "}, "name"), ({"name": "x" * 101}, "name"), ({"relation": 7}, "relation")]:
        with pytest.raises(Invalid) as refused:
            add(db, bente, jens.id, **fields)
        assert refused.value.field == field, fields
    with pytest.raises(NotFound):
        add(db, bente, mette.id, phone="22334466")
    assert [m.id for m in db.call(lambda s: members.members_of(s, bente.id, jens.id))] == [member.id]


def test_an_invitation_names_time_and_place_only_and_reminders_follow_the_citizens_across_dst(db, team):
    jens, _, bente = team
    member, meeting, invitation = invited(db, bente, jens.id)
    # The exact text: no kind, no title, the citizen's first name only.
    assert network_sms(db) == [(INVITATION, "queued", None)]
    # Reminders at the citizen's own reminder times: 10:00 the day before (summer time) and 2 hours before.
    citizens = [j.due_at for j in jobs(db, REMINDER)]
    members_ = jobs(db, NETWORK_REMINDER)
    assert citizens == [j.due_at for j in members_] == [cph(2026, 3, 29, 10, 0), cph(2026, 3, 30, 8, 0)]
    assert {j.target for j in members_} == {f"invitation:{invitation.id}"}
    # A reminder is an SMS queued by the handler (no Rasa), and the job is done.
    decision = run(db, members_[0], members_[0].due_at)
    assert (decision.action, decision.sender, decision.intent) == ("done", "", "")
    assert network_sms(db)[-1] == (REMINDER_TEXT, "queued", None)
    with pytest.raises(Invalid) as refused:
        invite(db, meeting, jens.id, member)
    assert refused.value.field == invitations.ALREADY_INVITED


def test_a_meeting_without_a_place_and_a_citizen_who_cannot_come(db, team):
    jens, _, bente = team
    invited(db, bente, jens.id, location=None)
    assert network_sms(db)[0][0] == ("Hej Ole. Bente vil gerne have dig med til et møde med kommunen mandag "
                                     "30. marts kl. 10. Du får en påmindelse dagen før.")
    first = jobs(db, NETWORK_REMINDER)[0]
    run(db, first, first.due_at)
    assert network_sms(db)[-1][0] == "Hej Ole. Husk mødet med kommunen mandag 30. marts kl. 10. Bente vil gerne have dig med."
    db.call(lambda s: s.execute(sa.text("UPDATE appointments SET citizen_reply = 'cannot_come'")))
    second = jobs(db, NETWORK_REMINDER)[0]
    assert run(db, second, second.due_at).note == "citizen cannot come"


def test_a_moved_meeting_replans_and_a_cancelled_one_tells_the_member(db, team):
    jens, _, bente = team
    _, meeting, _ = invited(db, bente, jens.id)
    later = cph(2026, 4, 2, 13, 30)
    db.call(lambda s: booking.change(s, meeting.id, jens.id, {"starts_at": later}, NOW, SETTINGS))
    assert [j.due_at for j in jobs(db, NETWORK_REMINDER)] == [cph(2026, 4, 1, 10, 0), cph(2026, 4, 2, 11, 30)]
    assert len(jobs(db, NETWORK_REMINDER, JobStatus.CANCELLED)) == 2
    # Cancelled late in the evening: the notice waits for the morning (quiet hours), then goes once.
    evening = cph(2026, 3, 25, 22, 30)
    db.call(lambda s: booking.change(s, meeting.id, jens.id, {"status": "cancelled"}, evening, SETTINGS))
    assert jobs(db, NETWORK_REMINDER) == []
    [notice] = jobs(db, NETWORK_CANCELLED)
    assert notice.next_attempt_at == cph(2026, 3, 26, SETTINGS.quiet_end.hour, SETTINGS.quiet_end.minute)
    db.call(lambda s: booking.record_attendance(s, meeting.id, jens.id, "cancelled", evening, SETTINGS))
    assert len(jobs(db, NETWORK_CANCELLED)) == 1  # never a second notice
    assert run(db, notice, notice.next_attempt_at).action == "done"
    assert network_sms(db)[-1] == ("Mødet torsdag 2. april kl. 13.30 er aflyst.", "queued", None)
    assert db.call(lambda s: s.execute(sa.select(MeetingInvitation.status)).scalar_one()) == "cancelled"


@pytest.mark.parametrize("change, reason", [
    (lambda s, c: course.opt_out(s, c, NOW), "opted_out"),
    (lambda s, c: course.set_course(s, c, course.ENDED, NOW, SETTINGS), "course_ended"),
])
def test_the_citizens_stop_or_ended_course_holds_the_members_sms(db, team, change, reason):
    jens, _, bente = team
    invited(db, bente, jens.id)
    db.call(lambda s: change(s, get_citizen(s, bente.id)))
    db.call(claim_due, NOW)
    assert network_sms(db) == [(INVITATION, "suppressed", reason)]
    # The member's reminders go no more either (cancelled, or skipped for the citizen's status).
    assert all(run(db, j, j.due_at).action == "skip" for j in jobs(db, NETWORK_REMINDER))


def test_removing_the_consent_erases_the_member_cancels_and_holds(db, team):
    jens, mette, bente = team
    member = add(db, bente, jens.id)
    other = add(db, bente, jens.id, name="Kim", phone="22334466")
    meeting = book(db, bente, jens.id)
    invite(db, meeting, jens.id, member)
    invite(db, meeting, jens.id, other)
    claimed = db.call(claim_due, NOW)  # both invitations are being handed to the operator
    assert len(claimed) == 2
    with pytest.raises(NotFound):
        db.call(lambda s: members.remove_member(s, member.id, mette.id, now=NOW))
    later = NOW + timedelta(minutes=1)
    removed = db.call(lambda s: members.remove_member(s, member.id, jens.id, now=later))
    assert (removed.name, removed.relation, removed.phone, removed.removed_at, removed.consent_at) == (
        None, None, None, later, NOW)
    # The message in flight is held at the last check; the other member's goes.
    mine = next(m for m in claimed if m.msisdn == MEMBER_PHONE)
    assert db.call(sendable, [m.id for m in claimed], later) == {m.id for m in claimed if m.id != mine.id}
    assert network_sms(db) == [(INVITATION, "suppressed", "consent_removed")]
    # Their reminders are cancelled, their invitation withdrawn, and they are gone from the network.
    targets = {j.target for j in jobs(db, NETWORK_REMINDER)}
    assert len(targets) == 1 and len(jobs(db, NETWORK_REMINDER, JobStatus.CANCELLED)) == 2
    statuses = db.call(lambda s: dict(s.execute(sa.select(MeetingInvitation.member_id, MeetingInvitation.status)).all()))
    assert statuses == {member.id: "withdrawn", other.id: "invited"}
    assert [m.id for m in db.call(lambda s: members.members_of(s, bente.id, jens.id))] == [other.id]
    with pytest.raises(NotFound):
        db.call(lambda s: members.remove_member(s, member.id, jens.id, now=later))
    with pytest.raises(Invalid):  # a removed member cannot be invited
        invite(db, meeting, jens.id, member, now=later)
    # Sent messages leave the outbox with the consent: neither number nor name is kept.
    db.call(lambda s: members.remove_member(s, other.id, jens.id, now=later))
    assert network_sms(db, "+4522334466") == [] or network_sms(db, "+4522334466")[0][1] == "sending"


def test_a_member_can_be_added_again_with_new_consent_and_old_sms_stay_held(db, team):
    jens, _, bente = team
    member, _, _ = invited(db, bente, jens.id)
    db.call(lambda s: members.remove_member(s, member.id, jens.id, now=NOW))
    assert network_sms(db) == []  # held and deleted with the consent
    again = add(db, bente, jens.id)
    assert again.id != member.id and again.phone == MEMBER_PHONE


def test_export_and_erasure_cover_the_network(db, team):
    jens, _, bente = team
    invited(db, bente, jens.id)
    records = db.call(lambda s: citizen_records(s, get_citizen(s, bente.id)))
    assert [m.name for m in records["network_members"]] == ["Ole"]
    assert len(records["meeting_invitations"]) == 1
    erasure = db.call(lambda s: erase_citizen(s, get_citizen(s, bente.id), jens.id, NOW))
    assert (erasure.rows["network_members"], erasure.rows["meeting_invitations"]) == (1, 1)
    assert db.call(lambda s: s.execute(sa.select(sa.func.count()).select_from(NetworkMember)).scalar()) == 0
    assert network_sms(db) == []
