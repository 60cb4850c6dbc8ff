"""The share of check-ins completed without a clarification (issue 15 §4, docs/nlu.md "Buttons and
digits"): each check-in keeps how many times a question was asked again (migration 0022), written
only by the check-in use cases (bot/checkins/record.py), and `clarification_share` counts the complete
ones of a period. On SQLite and PostgreSQL."""
from datetime import timedelta

from bot.checkins.record import clarification_share, finish, record_answer, record_checkin
from bot.checkins.rules import CheckinAnswers
from bot.core.config import ProactiveSettings
from bot.db.checkins import get_checkin
from tests.conftest import T0

SETTINGS = ProactiveSettings()
WEEK = timedelta(days=7)


def answered(db, citizen, at, clarifications, *, complete=True, checkin_id=None):
    """A check-in answered at `at` with `clarifications` counted by the conversation; its id."""
    def store(session):
        checkin, _ = record_answer(session, citizen, checkin_id, CheckinAnswers("yellow"), note=None, channel="sms",
                                   now=at, settings=SETTINGS, clarifications=clarifications)
        if complete is not None:
            finish(session, citizen, checkin.id, complete=complete, now=at)
        return checkin.id

    return db.call(store)


def stored(db, citizen, checkin_id):
    return db.call(lambda s: get_checkin(s, checkin_id, citizen.id).clarifications)


def test_the_count_grows_with_the_conversation_and_never_shrinks(db, caseloads):
    bente = caseloads["bente"]
    checkin_id = answered(db, bente, T0, 0, complete=None)
    assert stored(db, bente, checkin_id) == 0
    answered(db, bente, T0 + timedelta(minutes=1), 2, complete=None, checkin_id=checkin_id)
    assert stored(db, bente, checkin_id) == 2  # a miss, then an answer: the count comes with it
    # A conversation that lost its slots (a new session) does not wipe what was counted.
    answered(db, bente, T0 + timedelta(minutes=2), 1, complete=True, checkin_id=checkin_id)
    assert stored(db, bente, checkin_id) == 2


def test_a_checkin_stored_whole_is_not_counted(db, caseloads):
    """Demo data and imports (record_checkin) had no conversation: NULL, not "no clarification"."""
    bente = caseloads["bente"]
    checkin = db.call(lambda s: record_checkin(s, bente, CheckinAnswers("green"), note=None, complete=True,
                                               channel="sms", now=T0)[0].id)
    assert stored(db, bente, checkin) is None
    share = db.call(lambda s: clarification_share(s, T0 - WEEK, T0 + WEEK))
    assert (share.completed, share.without_clarification, share.percent) == (0, 0, None)


def test_the_share_counts_complete_checkins_of_the_period(db, caseloads):
    bente, karen, otto = caseloads["bente"], caseloads["karen"], caseloads["otto"]
    answered(db, bente, T0 - timedelta(days=3), 0)
    answered(db, bente, T0 - timedelta(days=2), 1)
    answered(db, karen, T0 - timedelta(days=1), 0)
    answered(db, karen, T0 - timedelta(hours=1), 0)
    answered(db, karen, T0 - timedelta(hours=2), 3, complete=False)  # partial: not completed
    answered(db, bente, T0 - WEEK - timedelta(days=1), 2)  # before the period
    answered(db, otto, T0 - timedelta(days=1), 2)  # Ole's citizen
    everyone = db.call(lambda s: clarification_share(s, T0 - WEEK, T0))
    assert (everyone.completed, everyone.without_clarification, everyone.percent) == (5, 3, 60)
    mette = db.call(lambda s: clarification_share(s, T0 - WEEK, T0, caseloads["mette"]))
    assert (mette.completed, mette.without_clarification, mette.percent) == (4, 3, 75)
    ole = db.call(lambda s: clarification_share(s, T0 - WEEK, T0, caseloads["ole"]))
    assert (ole.completed, ole.without_clarification, ole.percent) == (1, 0, 0)
    # The period is [since, until): a check-in begun at `until` belongs to the next one.
    answered(db, karen, T0, 0)
    assert db.call(lambda s: clarification_share(s, T0 - WEEK, T0)).completed == 5
