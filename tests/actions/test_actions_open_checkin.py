"""Each accepted check-in answer is stored at once (docs/decisions.md, "An answer counts the moment it
is given"): the check-in form's validation opens the check-in at the colour and updates it with every
later answer; the end of the form finishes the same row; the nudge about a check-in left open carries
on where the citizen stopped. Hand-made trackers, a real database."""
from datetime import timedelta

import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.checkin import ActionResumeCheckin, ActionSetAsideCheckin, ActionSubmitCheckin, ValidateCheckinForm
from bot.checkins.record import record_answer
from bot.checkins.rules import CheckinAnswers
from bot.core.config import ProactiveSettings
from bot.db import alerts as alert_db
from bot.db import checkins as checkin_db
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from tests.conftest import T0
from tests.trackers import DOMAIN, PHONE, slot_values, tracker

OTHER_PHONE = "+4512345679"


@pytest.fixture
def people(db, clock):
    def make(session):
        coordinator, _ = create_coordinator(session, "Mette")
        return (create_citizen(session, name="Bente", phone=PHONE, coordinator_id=coordinator.id),
                create_citizen(session, name="Karen", phone=OTHER_PHONE, coordinator_id=coordinator.id))

    context.use(db, clock)
    return db.call(make)


async def validate(text, requested, slots=None, intent=None, channel="sms"):
    dispatcher = CollectingDispatcher()
    events = await ValidateCheckinForm().run(
        dispatcher, tracker(text, intent=intent, slots={"checkin_programme": "standard", **(slots or {})},
                            requested_slot=requested, active_loop="checkin_form", channel=channel), DOMAIN)
    return slot_values(events)


def stored(db, citizen):
    return db.call(checkin_db.list_checkins, citizen.id)


def rules(db, citizen):
    return sorted(a.rule for a in db.call(lambda s: alert_db.list_alerts(s, citizen_id=citizen.id)))


async def test_red_is_stored_as_an_open_check_in_with_its_alert_before_the_next_question(db, people):
    bente, _ = people
    slots = await validate("rød", "checkin_overall")
    [row] = stored(db, bente)
    assert slots["checkin_id"] == row.id and slots["requested_slot"] == "checkin_focus"
    assert (row.overall, row.status, row.channel, row.last_answer_at) == ("red", "open", "sms", T0)
    assert rules(db, bente) == ["overall_red"]


async def test_each_later_answer_updates_the_same_check_in_without_a_second_alert(db, people, clock):
    bente, _ = people
    checkin_id = (await validate("rød", "checkin_overall"))["checkin_id"]
    clock.set(T0 + timedelta(minutes=3))
    slots = await validate("2 og 5", "checkin_focus", {"checkin_overall": "red", "checkin_id": checkin_id})
    assert slots["checkin_id"] == checkin_id
    clock.set(T0 + timedelta(minutes=4))
    await validate("nej", "checkin_note", {"checkin_overall": "red", "checkin_focus": ["humoer", "oekonomi"],
                                           "checkin_id": checkin_id})
    [row] = stored(db, bente)
    assert (row.id, row.focus_areas, row.note, row.status) == (checkin_id, ["humoer", "oekonomi"], None, "open")
    assert row.last_answer_at == T0 + timedelta(minutes=4)
    assert rules(db, bente) == ["overall_red"]


async def test_an_unclear_answer_stores_nothing_new(db, people, clock):
    bente, _ = people
    checkin_id = (await validate("gul", "checkin_overall"))["checkin_id"]
    clock.set(T0 + timedelta(minutes=5))
    slots = await validate("hmm", "checkin_focus", {"checkin_overall": "yellow", "checkin_id": checkin_id})
    assert slots["clarify"] is True and "checkin_id" not in slots
    assert stored(db, bente)[0].last_answer_at == T0


async def test_nothing_is_stored_before_the_colour_nor_for_a_stop(db, people):
    bente, _ = people
    await validate("tja", "checkin_overall", intent="out_of_scope")
    assert stored(db, bente) == [] and rules(db, bente) == []
    # RING instead of the colour: no check-in, but the call is asked for now and the check-in pauses
    # (docs/nlu.md, "Answers that are answers"); action_submit_checkin then confirms the call.
    slots = await validate("ring til mig", "checkin_overall", intent="request_contact")
    assert slots["checkin_stopped"] is True and slots["checkin_wants_contact"] is True
    assert stored(db, bente) == [] and rules(db, bente) == ["contact_request"]
    slots = await validate("det er nok for i dag", "checkin_focus", {"checkin_overall": "yellow"})
    assert slots["checkin_stopped"] is True and stored(db, bente) == []


async def test_a_mood_message_that_started_the_check_in_is_stored_when_the_form_starts(db, people):
    bente, _ = people
    # action_start_checkin took the colour from "det går ad h til"; the form now starts (no question asked yet).
    slots = await validate("det går ad h til", None, {"checkin_overall": "red"}, intent="mood_bad")
    [row] = stored(db, bente)
    assert slots["checkin_id"] == row.id and slots["requested_slot"] == "checkin_focus"
    assert rules(db, bente) == ["overall_red"]


async def test_submit_completes_the_stored_check_in(db, people):
    bente, _ = people
    checkin_id = (await validate("rød", "checkin_overall"))["checkin_id"]
    dispatcher = CollectingDispatcher()
    slots = {"checkin_overall": "red", "checkin_focus": ["krop"], "checkin_note": False, "checkin_wants_contact": True,
             "checkin_programme": "standard", "checkin_id": checkin_id}
    events = await ActionSubmitCheckin().run(dispatcher, tracker(slots=slots, channel="sms"), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_checkin_done_call"
    assert slot_values(events)["checkin_id"] is None  # the next check-in is a new one
    [row] = stored(db, bente)
    assert (row.id, row.status, row.wants_contact) == (checkin_id, "complete", True)
    assert rules(db, bente) == ["contact_request", "overall_red"]


async def test_setting_aside_keeps_the_same_check_in_as_partial(db, people):
    bente, _ = people
    checkin_id = (await validate("gul", "checkin_overall"))["checkin_id"]
    await ActionSetAsideCheckin().run(CollectingDispatcher(), tracker(
        "forbered mit møde", intent="start_preparation",
        slots={"checkin_overall": "yellow", "checkin_programme": "standard", "checkin_id": checkin_id}), DOMAIN)
    [row] = stored(db, bente)
    assert (row.id, row.status) == (checkin_id, "partial")


async def test_a_check_in_id_of_another_citizen_in_the_slot_is_never_touched(db, people):
    bente, karen = people
    karens, _ = db.call(lambda s: record_answer(s, karen, None, CheckinAnswers("green"), note=None, channel="sms",
                                                now=T0, settings=ProactiveSettings()))
    slots = await validate("rød", "checkin_overall", {"checkin_id": karens.id})
    [mine] = stored(db, bente)
    assert slots["checkin_id"] == mine.id != karens.id
    await ActionSubmitCheckin().run(CollectingDispatcher(), tracker(
        slots={"checkin_overall": "red", "checkin_stopped": True, "checkin_id": karens.id}), DOMAIN)
    [karen_row] = stored(db, karen)
    assert (karen_row.overall, karen_row.status) == ("green", "open") and rules(db, karen) == []


# --- the nudge about a check-in left open ------------------------------------------------------------

async def resume(slots=None, text="EXTERNAL: checkin_open_nudge"):
    dispatcher = CollectingDispatcher()
    events = await ActionResumeCheckin().run(dispatcher, tracker(text, intent="EXTERNAL_checkin_open_nudge",
                                                                 slots=slots), DOMAIN)
    return [m["response"] for m in dispatcher.messages], slot_values(events)


async def test_the_nudge_carries_on_from_the_conversation_and_drops_the_proactive_placeholder(db, people):
    checkin_id = (await validate("rød", "checkin_overall"))["checkin_id"]
    responses, slots = await resume({"checkin_overall": "red", "checkin_id": checkin_id, "checkin_note": False,
                                     "checkin_focus": "EXTERNAL: checkin_open_nudge", "checkin_programme": "standard"})
    assert responses == ["utter_checkin_open_nudge"]
    # The placeholder Rasa put in the asked slot is undone; the declined note stays declined.
    assert slots["checkin_focus"] is None and "checkin_note" not in slots and slots["checkin_stopped"] is None


async def test_the_nudge_reads_the_check_in_from_the_database_when_the_conversation_lost_it(db, people):
    bente, _ = people
    checkin_id = (await validate("rød", "checkin_overall"))["checkin_id"]
    await validate("1", "checkin_focus", {"checkin_overall": "red", "checkin_id": checkin_id})
    responses, slots = await resume()
    assert responses == ["utter_checkin_open_nudge"]
    assert (slots["checkin_id"], slots["checkin_overall"], slots["checkin_focus"]) == (checkin_id, "red", ["krop"])
    assert slots["checkin_programme"] == "standard" and slots["checkin_note"] is None


async def test_the_nudge_in_the_full_programme_asks_the_next_area_or_goes_on_after_the_last(db, people):
    bente, _ = people
    bente.programme = "fuld"
    settings = ProactiveSettings()
    some, _ = db.call(lambda s: record_answer(s, bente, None, CheckinAnswers("yellow", areas={"krop": "red"}),
                                              note=None, channel="sms", now=T0, settings=settings))
    _, slots = await resume({"checkin_programme": "fuld"})
    assert (slots["checkin_areas"], slots["checkin_area_answer"]) == ({"krop": "red"}, None)
    every = {"krop": "red", "humoer": "green", "hverdag": "green", "netvaerk": "green", "oekonomi": "yellow"}
    db.call(lambda s: record_answer(s, bente, some.id, CheckinAnswers("yellow", areas=every), note=None,
                                    channel="sms", now=T0, settings=settings))
    _, slots = await resume({"checkin_programme": "fuld"})
    assert slots["checkin_areas"] == every and slots["checkin_area_answer"] == "done"  # next: the note


async def test_the_nudge_for_a_check_in_finished_meanwhile_resumes_nothing(db, people):
    checkin_id = (await validate("gul", "checkin_overall"))["checkin_id"]
    await ActionSubmitCheckin().run(CollectingDispatcher(), tracker(
        slots={"checkin_overall": "yellow", "checkin_stopped": True, "checkin_id": checkin_id}), DOMAIN)
    responses, slots = await resume({"checkin_id": checkin_id})
    assert responses == [] and slots["checkin_stopped"] is True and slots["checkin_id"] is None
