"""Jobs before and after the meeting on SQLite and PostgreSQL: when the preparation
invitation, the approval question and the follow-ups are planned, and when they are skipped."""
from datetime import date, timedelta

from bot.db import agreements as agreement_db
from bot.db import jobs as job_db
from bot.db import preparations as prep_db
from bot.db.appointments import create_appointment
from bot.jobs import planner
from bot.jobs.purposes import AGREEMENT_FOLLOWUP, AGREEMENTS_APPROVAL, PREPARATION_INVITE
from bot.scheduler import handlers
from tests.db.test_scheduling import SETTINGS, cph, make_citizen

NOW = cph(2026, 11, 23, 9, 0)


def book(session, citizen, starts_at, kind="netvaerksmoede"):
    appointment = create_appointment(session, citizen.id, kind=kind, starts_at=starts_at, created_at=NOW)
    planner.plan_appointment(session, appointment, NOW, SETTINGS)
    return appointment


def invites(session, citizen):
    return [j for j in job_db.list_jobs(session, citizen_id=citizen.id) if j.purpose == PREPARATION_INVITE]


def test_invitation_three_days_before_at_ten(db):
    with db.session() as s:
        citizen = make_citizen(s)
        book(s, citizen, cph(2026, 11, 30, 13, 0))
        [job] = invites(s, citizen)
        assert job.due_at == cph(2026, 11, 27, 10, 0) and job.status == "pending"


def test_no_invitation_for_kinds_not_worth_preparing(db):
    with db.session() as s:
        citizen = make_citizen(s)
        book(s, citizen, cph(2026, 11, 30, 13, 0), kind="andet")
        assert invites(s, citizen) == []


def test_booked_late_invites_now_if_a_day_is_left_else_not(db):
    with db.session() as s:
        citizen = make_citizen(s)
        book(s, citizen, cph(2026, 11, 25, 13, 0))
        assert [j.due_at for j in invites(s, citizen)] == [NOW]
        other = make_citizen(s, phone="+4522222222")
        book(s, other, NOW + timedelta(hours=20))
        assert invites(s, other) == []


def test_a_moved_meeting_moves_a_pending_invitation_but_never_invites_twice(db):
    with db.session() as s:
        citizen = make_citizen(s)
        appointment = book(s, citizen, cph(2026, 11, 30, 13, 0))
        appointment.starts_at = cph(2026, 12, 2, 13, 0)
        planner.plan_appointment(s, appointment, NOW, SETTINGS)
        assert [(j.due_at, j.status) for j in invites(s, citizen)] == [
            (cph(2026, 11, 27, 10, 0), "cancelled"), (cph(2026, 11, 29, 10, 0), "pending")]
        invites(s, citizen)[1].status = "done"  # the invitation went out
        appointment.starts_at = cph(2026, 12, 4, 13, 0)
        planner.plan_appointment(s, appointment, NOW, SETTINGS)
        assert [j.status for j in invites(s, citizen)] == ["cancelled", "done"]


def test_invitation_is_skipped_when_already_prepared_or_cancelled(db):
    with db.session() as s:
        citizen = make_citizen(s)
        appointment = book(s, citizen, cph(2026, 11, 30, 13, 0))
        [job] = invites(s, citizen)
        prep_db.save_answer(s, appointment.id, citizen.id, "topics", ["ryg"], NOW)
        assert handlers.prepare(s, job, cph(2026, 11, 27, 10, 0), SETTINGS).action == "send"
        prep_db.complete(s, appointment.id, None, NOW)
        decision = handlers.prepare(s, job, cph(2026, 11, 27, 10, 0), SETTINGS)
        assert (decision.action, decision.note) == ("skip", "already prepared")


def test_approval_then_followups_for_agreements_others_own(db):
    with db.session() as s:
        citizen = make_citizen(s)
        appointment = book(s, citizen, cph(2026, 11, 24, 13, 0))
        agreement_db.replace_agreements(s, appointment.id, citizen.id, [
            {"what": "bostøtte", "who": "Kommunen", "owner_is_citizen": False, "due_date": date(2026, 12, 1)},
            {"what": "ring til lægen", "who": "Du", "owner_is_citizen": True, "due_date": None}], {}, NOW)
        approval = planner.plan_agreements_approval(s, appointment, NOW, SETTINGS)
        assert (approval.purpose, approval.due_at) == (AGREEMENTS_APPROVAL, NOW)
        decision = handlers.prepare(s, approval, NOW, SETTINGS)
        assert decision.action == "send" and decision.entities == {"appointment_id": appointment.id}

        agreement_db.set_approval(s, appointment.id, True, None, NOW)
        [followup] = planner.plan_agreement_followups(s, appointment, NOW, SETTINGS)
        owned_by_kommunen = agreement_db.for_appointment(s, appointment.id)[0]
        assert (followup.purpose, followup.target) == (AGREEMENT_FOLLOWUP, f"agreement:{owned_by_kommunen.id}")
        assert followup.due_at == cph(2026, 12, 8, 10, 0)  # 14 days after the meeting day
        assert handlers.prepare(s, followup, followup.due_at, SETTINGS).entities == {
            "agreement_id": owned_by_kommunen.id}

        # A second approval question for the same, already answered agreements is skipped.
        again = planner.plan_agreements_approval(s, appointment, NOW + timedelta(minutes=1), SETTINGS)
        assert handlers.prepare(s, again, NOW + timedelta(minutes=1), SETTINGS).action == "skip"


def test_followup_is_skipped_once_answered(db):
    with db.session() as s:
        citizen = make_citizen(s)
        appointment = book(s, citizen, cph(2026, 11, 24, 13, 0))
        [agreement] = agreement_db.replace_agreements(
            s, appointment.id, citizen.id, [{"what": "x", "who": "Kommunen", "owner_is_citizen": False,
                                             "due_date": None}], {}, NOW)
        agreement_db.set_approval(s, appointment.id, True, None, NOW)
        [followup] = planner.plan_agreement_followups(s, appointment, NOW, SETTINGS)
        agreement_db.record_follow_up(s, agreement.id, "yes", NOW)
        assert handlers.prepare(s, followup, followup.due_at, SETTINGS).action == "skip"
