"""Check-in actions with tracker fixtures and CollectingDispatcher, against a real database."""
import pytest
from rasa_sdk.executor import CollectingDispatcher

from actions import context
from actions.checkin import (
    ActionAskCheckinAreaAnswer,
    ActionSetAsideCheckin,
    ActionStartCheckin,
    ActionSubmitCheckin,
    ValidateCheckinForm,
)
from actions.contact import ActionRequestContact
from bot.db import alerts as alert_db
from bot.db import checkins as checkin_db
from bot.db.citizens import create_citizen
from bot.db.coordinators import create_coordinator
from tests.trackers import DOMAIN, PHONE, slot_values, tracker


@pytest.fixture(autouse=True)
def citizen(db, clock):
    """Every test here has the sender registered: the validation stores each accepted answer."""
    def make(session, programme="standard"):
        coordinator, _ = create_coordinator(session, "Mette")
        return create_citizen(session, name="Bente", phone=PHONE, coordinator_id=coordinator.id,
                              programme=programme)

    context.use(db, clock)
    yield db.call(make)


async def validate(text, requested, slots=None, intent=None, programme="standard"):
    dispatcher = CollectingDispatcher()
    slots = {"checkin_programme": programme, **(slots or {})}
    events = await ValidateCheckinForm().run(
        dispatcher, tracker(text, intent=intent, slots=slots, requested_slot=requested,
                            active_loop="checkin_form"), DOMAIN)
    return slot_values(events), dispatcher


@pytest.mark.parametrize("text, colour", [("rød", "red"), ("GROEN", "green"), ("🟡", "yellow"), ("3", "red")])
async def test_overall_colour_is_understood(text, colour):
    slots, _ = await validate(text, "checkin_overall")
    assert slots["checkin_overall"] == colour and slots["clarify"] is False


async def test_free_text_falls_back_to_nlu_intent():
    slots, _ = await validate("det går ad h til", "checkin_overall", intent="mood_bad")
    assert slots["checkin_overall"] == "red"


async def test_unclear_overall_is_asked_again_with_options_not_guessed():
    slots, _ = await validate("tja hvem ved", "checkin_overall", intent="out_of_scope")
    assert slots["checkin_overall"] is None and slots["clarify"] is True


async def test_low_confidence_intent_is_not_trusted():
    dispatcher = CollectingDispatcher()
    t = tracker("mjah", intent="mood_bad", confidence=0.4, requested_slot="checkin_overall",
                active_loop="checkin_form", slots={"checkin_programme": "standard"})
    slots = slot_values(await ValidateCheckinForm().run(dispatcher, t, DOMAIN))
    assert slots["checkin_overall"] is None


async def test_short_shape_asks_focus_then_note_then_contact_on_red():
    slots, _ = await validate("rød", "checkin_overall")
    assert slots["requested_slot"] == "checkin_focus"
    slots, _ = await validate("2 og 5", "checkin_focus", {"checkin_overall": "red"})
    assert slots["checkin_focus"] == ["humoer", "oekonomi"] and slots["requested_slot"] == "checkin_note"
    slots, _ = await validate("nej", "checkin_note", {"checkin_overall": "red", "checkin_focus": ["humoer"]})
    assert slots["checkin_note"] is False and slots["requested_slot"] == "checkin_wants_contact"
    slots, _ = await validate("ja tak", "checkin_wants_contact",
                              {"checkin_overall": "red", "checkin_focus": ["humoer"], "checkin_note": False})
    assert slots["checkin_wants_contact"] is True and slots["requested_slot"] is None


async def test_green_skips_focus_and_contact_questions():
    slots, _ = await validate("grøn", "checkin_overall")
    assert slots["requested_slot"] == "checkin_note"
    slots, _ = await validate("Jeg har haft en god uge", "checkin_note", {"checkin_overall": "green"})
    assert slots["checkin_note"] == "Jeg har haft en god uge" and slots["requested_slot"] is None


async def test_one_message_can_answer_several_questions():
    slots, _ = await validate("rød, det er pengene. ring til mig", "checkin_overall")
    assert slots["checkin_overall"] == "red" and slots["checkin_focus"] == ["oekonomi"]
    assert slots["checkin_wants_contact"] is True and slots["requested_slot"] == "checkin_note"


async def test_stop_ends_the_form_and_keeps_answers():
    slots, _ = await validate("det er nok for i dag", "checkin_focus", {"checkin_overall": "yellow"})
    assert slots["checkin_stopped"] is True and slots["checkin_focus"] is None
    assert slots["requested_slot"] is None


async def test_unclear_focus_and_contact_are_asked_again():
    slots, _ = await validate("hmm", "checkin_focus", {"checkin_overall": "yellow"})
    assert slots["checkin_focus"] is None and slots["clarify"] is True
    slots, _ = await validate("spring over", "checkin_focus", {"checkin_overall": "yellow"})
    assert slots["checkin_focus"] == []
    slots, _ = await validate("måske", "checkin_wants_contact", {"checkin_overall": "yellow", "checkin_focus": [],
                                                                 "checkin_note": False})
    assert slots["checkin_wants_contact"] is None and slots["clarify"] is True


async def test_full_shape_asks_every_area_one_at_a_time_or_all_at_once():
    slots, _ = await validate("gul", "checkin_overall", programme="fuld")
    assert slots["requested_slot"] == "checkin_area_answer"
    slots, _ = await validate("rød", "checkin_area_answer", {"checkin_overall": "yellow"}, programme="fuld")
    assert slots["checkin_areas"] == {"krop": "red"} and slots["requested_slot"] == "checkin_area_answer"
    slots, _ = await validate("grøn gul rød grøn grøn", "checkin_area_answer", {"checkin_overall": "yellow"},
                              programme="fuld")
    assert slots["checkin_areas"] == {"krop": "green", "humoer": "yellow", "hverdag": "red",
                                      "netvaerk": "green", "oekonomi": "green"}
    assert slots["requested_slot"] == "checkin_note"


async def test_the_area_question_names_the_next_area():
    dispatcher = CollectingDispatcher()
    await ActionAskCheckinAreaAnswer().run(
        dispatcher, tracker(slots={"checkin_programme": "fuld", "checkin_areas": {"krop": "red"}}), DOMAIN)
    assert dispatcher.messages[0]["area"] == "Humør og trivsel"


async def test_start_reads_the_citizens_programme(citizen, db):
    events = await ActionStartCheckin().run(CollectingDispatcher(), tracker("tjek ind"), DOMAIN)
    assert slot_values(events)["checkin_programme"] == "standard"


async def test_submit_stores_checkin_and_alerts(citizen, db):
    dispatcher = CollectingDispatcher()
    slots = {"checkin_overall": "red", "checkin_focus": ["krop"], "checkin_note": "ondt i ryggen",
             "checkin_wants_contact": True, "checkin_programme": "standard"}
    events = await ActionSubmitCheckin().run(dispatcher, tracker(slots=slots, channel="sms"), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_checkin_done_call"
    assert dispatcher.messages[0]["coordinator"] == "Mette"
    assert slot_values(events)["checkin_overall"] is None  # ready for the next check-in
    with db.session() as s:
        [row] = checkin_db.list_checkins(s, citizen.id)
        assert (row.overall, row.focus_areas, row.note, row.channel, row.status) == (
            "red", ["krop"], "ondt i ryggen", "sms", "complete")
        rules = {a.rule for a in alert_db.list_alerts(s, citizen_id=citizen.id)}
    assert rules == {"overall_red", "contact_request"}


async def test_submit_partial_checkin(citizen, db):
    dispatcher = CollectingDispatcher()
    slots = {"checkin_overall": "yellow", "checkin_stopped": True, "checkin_programme": "standard"}
    await ActionSubmitCheckin().run(dispatcher, tracker(slots=slots), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_checkin_done_partial"
    with db.session() as s:
        [row] = checkin_db.list_checkins(s, citizen.id)
        assert row.status == "partial" and row.note is None


async def test_submit_without_any_answer_stores_nothing(citizen, db):
    dispatcher = CollectingDispatcher()
    await ActionSubmitCheckin().run(dispatcher, tracker(slots={"checkin_stopped": True}), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_checkin_cancelled"
    with db.session() as s:
        assert checkin_db.list_checkins(s, citizen.id) == []


async def test_request_contact_alerts_and_names_coordinator(citizen, db):
    dispatcher = CollectingDispatcher()
    await ActionRequestContact().run(dispatcher, tracker("ring til mig", intent="request_contact"), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_contact_confirmed"
    assert dispatcher.messages[0]["coordinator"] == "Mette"
    with db.session() as s:
        [alert] = alert_db.list_alerts(s, citizen_id=citizen.id)
    assert (alert.rule, alert.severity, alert.status) == ("contact_request", "medium", "open")


async def test_actions_for_an_unknown_sender_store_nothing(citizen, db):
    dispatcher = CollectingDispatcher()
    await ActionRequestContact().run(dispatcher, tracker("ring", sender="+4599999999"), DOMAIN)
    assert dispatcher.messages[0]["response"] == "utter_unknown_sender"
    with db.session() as s:
        assert alert_db.list_alerts(s) == []


async def test_a_mood_message_that_starts_the_check_in_is_its_answer(citizen):
    events = await ActionStartCheckin().run(CollectingDispatcher(), tracker(
        "det går ad h til med pengene, ring til mig", intent="mood_bad", confidence=0.93), DOMAIN)
    slots = slot_values(events)
    assert slots["checkin_overall"] == "red" and slots["checkin_focus"] == ["oekonomi"]
    assert slots["checkin_wants_contact"] is True


@pytest.mark.parametrize("text, intent, confidence", [("tjek ind", "start_checkin", 0.99),
                                                      ("mjah", "mood_okay", 0.4)])
async def test_a_check_in_started_otherwise_asks_the_colour(citizen, text, intent, confidence):
    events = await ActionStartCheckin().run(CollectingDispatcher(), tracker(text, intent=intent,
                                                                           confidence=confidence), DOMAIN)
    assert slot_values(events)["checkin_overall"] is None


async def test_setting_a_check_in_aside_keeps_its_answers_as_partial(citizen, db):
    dispatcher = CollectingDispatcher()
    events = await ActionSetAsideCheckin().run(dispatcher, tracker(
        "forbered mit møde", intent="start_preparation",
        slots={"checkin_overall": "yellow", "checkin_programme": "standard"}), DOMAIN)
    assert dispatcher.messages == [] and slot_values(events)["checkin_overall"] is None
    [row] = db.call(checkin_db.list_checkins, citizen.id)
    assert (row.overall, row.status) == ("yellow", "partial")


async def test_setting_aside_a_check_in_without_a_colour_stores_nothing(citizen, db):
    await ActionSetAsideCheckin().run(CollectingDispatcher(), tracker("tjek ind", intent="start_checkin"), DOMAIN)
    assert db.call(checkin_db.list_checkins, citizen.id) == []

