"""Silence is a signal (docs/decisions.md): after a red check-in, or a yellow one worse than the one
before, a check-in prompt that goes unanswered until its nudge goes out is a high alert at once. For
everyone else two unanswered prompts in a row are still the low `no_response`. On SQLite and
PostgreSQL, every step at a time stated with the FixedClock, through the scheduler's own handlers."""
from datetime import timedelta

import pytest

from bot.core.config import ProactiveSettings
from bot.db import jobs as job_db
from bot.db.alerts import list_alerts, resolve_alert
from bot.db.checkins import add_checkin
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from bot.db.models import Alert, Job
from bot.jobs.purposes import CHECKIN_NUDGE, CHECKIN_PROMPT
from bot.scheduler import handlers

SETTINGS = ProactiveSettings()
LEASE = timedelta(minutes=5)
WEEK = timedelta(days=7)
NUDGE_AFTER = timedelta(hours=SETTINGS.checkin_nudge_hours)
SILENT = "silent_after_bad_checkin"
REASON_RED = ("Borgeren svarede rød ved sidste tjek-ind og har ikke svaret på den nye opfordring eller "
              "påmindelsen.")


def make_citizen(db, clock):
    def create(session):
        coordinator, _ = create_coordinator(session, "Mette")
        return create_citizen(session, name="Bente", phone="+4512345678", coordinator_id=coordinator.id,
                              consent_at=clock.now() - 4 * WEEK)

    return db.call(create)


def check_in(db, citizen, at, overall):
    return db.call(lambda s: add_checkin(s, citizen.id, created_at=at, overall=overall))


def history(db, clock, citizen, colours):
    """Check-ins a week apart, oldest first, the last one a week before now (the prompt is due now)."""
    rows = [check_in(db, citizen, clock.now() - (len(colours) - i) * WEEK, colour) for i, colour in enumerate(colours)]
    return rows[-1] if rows else None


def alerts(db, citizen, rule=None) -> list[Alert]:
    found = db.call(lambda s: list_alerts(s, citizen_id=citizen.id))
    return [a for a in found if rule is None or a.rule == rule]


def claim(db, clock, purpose) -> Job:
    [job] = db.call(job_db.claim_due, clock.now(), limit=5, lease=LEASE)
    assert job.purpose == purpose
    return job


def deliver(db, clock, job) -> None:
    """What the runner does once Rasa has sent the job: done first, then plan what follows."""
    assert db.call(job_db.mark_done, job, clock.now())
    db.call(handlers.after_sent, job.id, clock.now(), SETTINGS)


def send(db, clock, purpose) -> Job:
    job = claim(db, clock, purpose)
    decision = db.call(handlers.prepare, job, clock.now(), SETTINGS)
    assert decision.action == "send", decision
    deliver(db, clock, job)
    return job


def prompt_now(db, clock, citizen) -> Job:
    """The weekly prompt, due now, sent now (the nudge is planned by after_sent)."""
    now = clock.now()
    db.call(lambda s: job_db.schedule(s, citizen_id=citizen.id, purpose=CHECKIN_PROMPT, due_at=now,
                                      next_attempt_at=now, now=now))
    return send(db, clock, CHECKIN_PROMPT)


def unanswered_prompt_and_nudge(db, clock, citizen) -> None:
    before = len(alerts(db, citizen))
    prompt_now(db, clock, citizen)
    assert len(alerts(db, citizen)) == before  # the prompt alone is not yet silence
    clock.advance(NUDGE_AFTER)
    send(db, clock, CHECKIN_NUDGE)


def test_red_then_no_answer_to_the_prompt_and_its_nudge_is_one_high_alert_at_once(db, clock):
    citizen = make_citizen(db, clock)
    red = history(db, clock, citizen, ["green", "red"])
    unanswered_prompt_and_nudge(db, clock, citizen)
    [alert] = alerts(db, citizen)
    assert (alert.rule, alert.severity, alert.status) == (SILENT, "high", "open")
    assert alert.reason == REASON_RED
    assert alert.checkin_id == red.id and alert.created_at == clock.now()

    # Silent the week after too: the open alert is not repeated, and no low no_response beside it.
    clock.advance(WEEK - NUDGE_AFTER)
    unanswered_prompt_and_nudge(db, clock, citizen)
    assert [(a.rule, a.severity) for a in alerts(db, citizen)] == [(SILENT, "high")]


@pytest.mark.parametrize("colours, alert", [
    (["red"], True),
    (["green", "red"], True),
    (["yellow", "red"], True),
    (["green", "yellow"], True),  # yellow, worse than before
    (["green"], False),
    (["yellow", "green"], False),
    (["red", "yellow"], False),  # yellow, better than before
    (["yellow", "yellow"], False),  # yellow, no worse
    (["yellow"], False),  # a first check-in has nothing to be worse than
    ([], False),  # never checked in: the low no_response after two prompts
])
def test_which_last_check_in_makes_silence_an_alert(db, clock, colours, alert):
    citizen = make_citizen(db, clock)
    history(db, clock, citizen, colours)
    unanswered_prompt_and_nudge(db, clock, citizen)
    assert [(a.rule, a.severity) for a in alerts(db, citizen)] == ([(SILENT, "high")] if alert else [])


def test_yellow_worse_than_before_names_both_colours(db, clock):
    citizen = make_citizen(db, clock)
    history(db, clock, citizen, ["green", "yellow"])
    unanswered_prompt_and_nudge(db, clock, citizen)
    [alert] = alerts(db, citizen)
    assert alert.reason == ("Borgeren svarede gul (grøn gangen før) ved sidste tjek-ind og har ikke svaret på "
                            "den nye opfordring eller påmindelsen.")


def test_a_check_in_without_a_colour_does_not_hide_the_red_before_it(db, clock):
    citizen = make_citizen(db, clock)
    red = history(db, clock, citizen, ["red"])
    check_in(db, citizen, clock.now() - timedelta(days=4), None)  # started, never gave a colour
    unanswered_prompt_and_nudge(db, clock, citizen)
    [alert] = alerts(db, citizen, SILENT)
    assert alert.checkin_id == red.id


def test_an_answer_before_the_nudge_means_no_alert(db, clock):
    citizen = make_citizen(db, clock)
    history(db, clock, citizen, ["red"])
    prompt_now(db, clock, citizen)
    clock.advance(timedelta(hours=3))
    check_in(db, citizen, clock.now(), "yellow")
    clock.advance(NUDGE_AFTER - timedelta(hours=3))
    nudge = claim(db, clock, CHECKIN_NUDGE)
    decision = db.call(handlers.prepare, nudge, clock.now(), SETTINGS)
    assert (decision.action, decision.note) == ("skip", "citizen checked in")
    assert alerts(db, citizen) == []


def test_an_answer_while_the_nudge_is_being_sent_means_no_alert(db, clock):
    citizen = make_citizen(db, clock)
    history(db, clock, citizen, ["red"])
    prompt_now(db, clock, citizen)
    clock.advance(NUDGE_AFTER)
    nudge = claim(db, clock, CHECKIN_NUDGE)
    assert db.call(handlers.prepare, nudge, clock.now(), SETTINGS).action == "send"
    check_in(db, citizen, clock.now(), "red")  # arrives before the runner marks the nudge done
    clock.advance(timedelta(seconds=5))
    deliver(db, clock, nudge)
    assert alerts(db, citizen, SILENT) == []


def test_after_the_alert_is_resolved_the_next_silence_alerts_again(db, clock):
    citizen = make_citizen(db, clock)
    history(db, clock, citizen, ["red"])
    unanswered_prompt_and_nudge(db, clock, citizen)
    [first] = alerts(db, citizen)
    db.call(lambda s: resolve_alert(s, s.get(Alert, first.id), None, "Ringet op", clock.now()))
    clock.advance(WEEK - NUDGE_AFTER)
    unanswered_prompt_and_nudge(db, clock, citizen)
    assert [(a.rule, a.status) for a in alerts(db, citizen)] == [(SILENT, "open"), (SILENT, "resolved")]


def test_after_a_green_check_in_two_unanswered_prompts_are_still_the_low_no_response(db, clock):
    citizen = make_citizen(db, clock)
    history(db, clock, citizen, ["green"])
    unanswered_prompt_and_nudge(db, clock, citizen)
    assert alerts(db, citizen) == []
    clock.advance(WEEK - NUDGE_AFTER)
    unanswered_prompt_and_nudge(db, clock, citizen)
    assert [(a.rule, a.severity) for a in alerts(db, citizen)] == [("no_response", "low")]
