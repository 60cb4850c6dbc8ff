"""A new session carries the citizen's slots over, but not an answer the old session awaited."""
from rasa_sdk.executor import CollectingDispatcher

from actions.session import ActionSessionStart
from tests.trackers import DOMAIN, tracker


async def test_a_new_session_keeps_the_slots_but_not_an_awaited_answer():
    old = tracker("ja", slots={"awaiting_reply": "appointment_answer", "reminder_appointment_id": "7",
                               "checkin_programme": "standard"})
    events = await ActionSessionStart().run(CollectingDispatcher(), old, DOMAIN)
    assert events[0]["event"] == "session_started"
    assert (events[-1]["event"], events[-1]["name"]) == ("action", "action_listen")
    carried = {e["name"]: e["value"] for e in events if e["event"] == "slot"}
    assert carried["checkin_programme"] == "standard"
    assert "awaiting_reply" not in carried and "reminder_appointment_id" not in carried
