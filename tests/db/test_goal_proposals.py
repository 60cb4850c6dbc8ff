"""Goals from the preparation (issue 14 §1; docs/decisions.md, "Goals from the preparation"): the
citizen's answer to "Hvad vil du helst tale om på mødet?" becomes a proposal the coordinator takes as
a goal with one click (bot/goals/proposals.py), never a goal by itself. On SQLite and PostgreSQL."""
from datetime import timedelta

import pytest
import sqlalchemy as sa

from bot.core.errors import Invalid, NotFound
from bot.db import preparations as prep_db
from bot.db.appointments import create_appointment
from bot.db.models import Goal
from bot.goals import plan, proposals
from bot.meetings.preparation import SLOT_OF, split_topics
from tests.conftest import T0


def _prepared(session, citizen_id: int, starts_at, answer: str | None, *, complete: bool = True) -> int:
    """A meeting and its preparation, the topics answered as the preparation form saves them."""
    meeting = create_appointment(session, citizen_id, kind="opfoelgning", starts_at=starts_at)
    prep_db.save_answer(session, meeting.id, citizen_id, "topics", split_topics(answer) if answer else None,
                        T0 - timedelta(hours=2))
    prep_db.save_answer(session, meeting.id, citizen_id, "hard", "Jeg sover dårligt", T0 - timedelta(hours=2))
    if complete:
        prep_db.complete(session, meeting.id, None, T0 - timedelta(hours=1))
    return prep_db.get_preparation(session, meeting.id).id


def goals(db) -> list[tuple]:
    with db.session() as s:
        return list(s.execute(sa.select(Goal.citizen_id, Goal.text, Goal.source, Goal.created_by).order_by(Goal.id)))


def offered(db, citizen_id: int, scope, now=T0) -> list[tuple]:
    return [(p.index, p.text) for p in db.call(proposals.proposals_for, citizen_id, scope, now)]


def test_the_preparation_asks_the_question_the_proposals_read():
    assert proposals.WISHES_KEY in SLOT_OF  # bot.goals may not import bot.meetings: this keeps them together


def test_wishes_are_proposed_not_made_goals_and_one_click_takes_one(db, caseloads):
    mette, bente = caseloads["mette"], caseloads["bente"].id
    prep = db.call(_prepared, bente, T0 + timedelta(days=2), "1. Få et fritidsjob 2. nej 3. min ryg")
    # Completing the preparation made no goal: the coordinator decides.
    assert goals(db) == []
    assert offered(db, bente, mette) == [(0, "Få et fritidsjob"), (2, "min ryg")]
    assert offered(db, bente, None) == offered(db, bente, mette)  # the admin sees the same

    goal, created = db.call(proposals.take_proposal, bente, mette, prep, 0, now=T0, created_by=mette)
    assert created and (goal.text, goal.source, goal.status, goal.created_by) == (
        "Få et fritidsjob", "preparation", "active", mette)
    assert offered(db, bente, mette) == [(2, "min ryg")]
    # A second click (a double submit, a colleague at the same time) makes no second goal.
    again, created = db.call(proposals.take_proposal, bente, mette, prep, 0, now=T0, created_by=mette)
    assert not created and again.id == goal.id
    assert goals(db) == [(bente, "Få et fritidsjob", "preparation", mette)]
    # The taken goal is an ordinary goal: steps, the citizen's page, the progress question.
    assert [p.goal.id for p in db.call(plan.plan_for, bente, mette)] == [goal.id]


def test_a_wish_already_written_down_is_not_proposed_again(db, caseloads):
    mette, bente = caseloads["mette"], caseloads["bente"].id
    db.call(_prepared, bente, T0 + timedelta(days=2), "Min ryg, Penge")
    dropped = db.call(plan.add_goal, bente, mette, "penge", now=T0)  # by hand, another case; later dropped
    db.call(plan.change_goal, dropped.id, mette, {"status": "dropped"}, now=T0)
    assert offered(db, bente, mette) == [(0, "Min ryg")]
    # Two preparations naming the same wish: proposed once, from the latest meeting.
    later = db.call(_prepared, bente, T0 + timedelta(days=9), "MIN RYG; sove bedre")
    found = db.call(proposals.proposals_for, bente, mette, T0)
    assert [(p.preparation_id, p.index, p.text) for p in found] == [(later, 0, "MIN RYG"), (later, 1, "sove bedre")]


def test_only_completed_preparations_of_meetings_not_long_past(db, caseloads):
    mette, bente = caseloads["mette"], caseloads["bente"].id
    db.call(_prepared, bente, T0 + timedelta(days=3), "Halvt forberedt", complete=False)
    db.call(_prepared, bente, T0 - timedelta(days=proposals.PROPOSAL_DAYS + 1), "For gammelt")
    db.call(_prepared, bente, T0 - timedelta(days=proposals.PROPOSAL_DAYS - 1), "Sidste møde")
    db.call(_prepared, bente, T0 + timedelta(days=1), None)  # every topic skipped
    assert offered(db, bente, mette) == [(0, "Sidste møde")]
    assert offered(db, bente, mette, T0 + timedelta(days=2)) == []  # gone with time


def test_many_or_long_wishes_fit_the_panel_and_a_goal(db, caseloads):
    mette, bente = caseloads["mette"], caseloads["bente"].id
    prep = db.call(_prepared, bente, T0 + timedelta(days=1), "Jeg vil gerne " + "rigtig " * 60 + "have et arbejde")
    [long_one] = db.call(proposals.proposals_for, bente, mette, T0)
    assert len(long_one.text) <= plan.MAX_TEXT and long_one.text.endswith("rigtig...")
    for day in range(2, 5):
        db.call(_prepared, bente, T0 + timedelta(days=day), f"A{day}, B{day}, C{day}")
    found = db.call(proposals.proposals_for, bente, mette, T0)
    assert [p.text for p in found] == ["A4", "B4", "C4", "A3", "B3", "C3"]  # the latest meetings first
    goal, _ = db.call(proposals.take_proposal, bente, mette, prep, 0, now=T0, created_by=mette)
    assert goal.text == long_one.text  # cut the same way: taken, it is no longer proposed


def test_someone_elses_or_garbage_is_refused_and_nothing_is_made(db, caseloads):
    mette, ole, bente, otto = caseloads["mette"], caseloads["ole"], caseloads["bente"].id, caseloads["otto"].id
    bentes = db.call(_prepared, bente, T0 + timedelta(days=2), "Få et job, nej")
    ottos = db.call(_prepared, otto, T0 + timedelta(days=2), "Ottos ønske")
    open_ = db.call(_prepared, bente, T0 + timedelta(days=4), "Ikke færdig", complete=False)
    with pytest.raises(NotFound):
        db.call(proposals.proposals_for, bente, ole, T0)  # another coordinator's citizen
    for citizen, scope, prep, index in ((bente, ole, bentes, 0),  # not Ole's citizen
                                        (bente, mette, ottos, 0),  # Otto's preparation under Bente
                                        (otto, mette, ottos, 0),  # Otto is not Mette's
                                        (bente, mette, bentes, 1),  # "nej" holds no wish
                                        (bente, mette, bentes, 2), (bente, mette, bentes, 999_999),
                                        (bente, mette, open_, 0),  # not completed
                                        (bente, mette, 999_999, 0), (999_999, None, bentes, 0)):
        with pytest.raises(NotFound):
            db.call(proposals.take_proposal, citizen, scope, prep, index, now=T0, created_by=scope)
    for prep, index in (("1", 0), (True, 0), (-1, 0), (2**40, 0), (None, 0), (1.0, 0), (bentes, "0"),
                        (bentes, None), (bentes, -1), (bentes, [0])):
        with pytest.raises(Invalid):
            db.call(proposals.take_proposal, bente, mette, prep, index, now=T0, created_by=mette)
    assert goals(db) == []
