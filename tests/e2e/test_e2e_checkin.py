"""The whole system, for real: Rasa server, action server and coordination service."""
import pytest
import requests

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def registered(stack):
    resp = stack.api("POST", "/api/coordinators", json={"name": "Mette"})
    coordinator = resp.json()
    resp = stack.api("POST", "/api/citizens", json={"name": "Bente", "phone": "+4522334455",
                                                    "coordinator_id": coordinator["id"]})
    assert resp.status_code == 201, resp.text
    return coordinator, resp.json()


def test_red_checkin_with_call_request_reaches_the_api(stack, registered):
    coordinator, citizen = registered
    sender = citizen["phone"]
    [question] = stack.say(sender, "tjek ind")
    assert "GRØN" in question and "GUL" in question and "RØD" in question
    [focus] = stack.say(sender, "rød")
    assert "1 Krop og helbred" in focus
    [more] = stack.say(sender, "5")
    assert "NEJ" in more
    [call] = stack.say(sender, "nej")
    assert "ringe" in call
    [done] = stack.say(sender, "ja")
    assert "Mette" in done and "ringer" in done

    token = coordinator["token"]
    [checkin] = stack.api("GET", f"/api/citizens/{citizen['id']}/checkins", token).json()
    assert checkin["overall"] == "red" and checkin["focus_areas"] == ["oekonomi"]
    assert checkin["wants_contact"] is True and checkin["complete"] is True and checkin["channel"] == "rest"
    alerts = stack.api("GET", f"/api/alerts?status=open&citizen_id={citizen['id']}", token).json()
    assert {a["rule"] for a in alerts} == {"overall_red", "contact_request"}


def test_unclear_colour_is_asked_again_with_options(stack, registered):
    sender = registered[1]["phone"]
    stack.say(sender, "tjek ind")
    [again] = stack.say(sender, "tja")
    # REST gets the buttons apart from the text (a trusted frontend shows them); the text has the words.
    assert again.startswith("Det forstod jeg ikke helt.") and "GRØN" in again and "RØD" in again
    [note] = stack.say(sender, "grøn")
    assert "NEJ" in note
    [done] = stack.say(sender, "Det går fint med det hele")
    assert "Tak" in done


def test_stopping_keeps_a_partial_checkin(stack, registered):
    coordinator, citizen = registered
    stack.say(citizen["phone"], "tjek ind")
    stack.say(citizen["phone"], "gul")
    [bye] = stack.say(citizen["phone"], "det er nok for i dag")
    assert "gemt" in bye
    newest = stack.api("GET", f"/api/citizens/{citizen['id']}/checkins", coordinator["token"]).json()[0]
    assert newest["overall"] == "yellow" and newest["complete"] is False


def test_asking_for_a_person_names_the_coordinator(stack, registered):
    coordinator, citizen = registered
    [reply] = stack.say(citizen["phone"], "kan min koordinator ringe til mig?")
    assert "Mette" in reply


def test_unknown_sender_gets_a_polite_answer_and_nothing_is_stored(stack, registered):
    [reply] = stack.say("+4587654321", "hej, tjek ind")
    assert "kommune" in reply
    tracker = requests.get(f"{stack.rasa_url}/conversations/+4587654321/tracker?token={stack.rasa_token}",
                           timeout=10).json()
    assert [e for e in tracker["events"] if e["event"] == "user"] == []
    import sqlalchemy as sa

    engine = sa.create_engine(stack.database_url)
    with engine.connect() as conn:
        texts = [r[0] for r in conn.execute(sa.text("SELECT text FROM inbound_messages"))]
    engine.dispose()
    assert "hej, tjek ind" not in texts and "tjek ind" in texts


def test_export_and_erasure_include_the_conversation_in_rasa(stack):
    citizen = stack.new_citizen()
    phone, token = citizen["phone"], citizen["token"]
    for text in ("tjek ind", "grøn", "nej"):
        stack.say(phone, text)
    export = stack.api("GET", f"/api/citizens/{citizen['id']}/export", token=token).json()
    assert export["checkins"][0]["overall"] == "green"
    assert "tjek ind" in [e.get("text") for e in export["conversation_events"] if e["event"] == "user"]

    resp = stack.api("POST", f"/api/citizens/{citizen['id']}/erase", token=token, json={"confirm_phone": phone})
    assert resp.status_code == 200, resp.text
    assert resp.json()["rows"]["conversation_events"] > 0
    assert [e for e in stack.tracker_events(phone) if e["event"] == "user"] == []
    # From now on the number is a stranger's.
    [reply] = stack.say(phone, "tjek ind")
    assert "kommune" in reply


def test_questions_and_new_flows_inside_a_check_in(stack):
    citizen = stack.new_citizen()
    phone, token = citizen["phone"], citizen["token"]
    stack.say(phone, "tjek ind")
    answer, again = stack.say(phone, "hvem er min koordinator?")
    assert "Mette" in answer and "GRØN" in again  # answered, then the colour is asked again
    [focus] = stack.say(phone, "gul")
    assert "Hvad fylder mest?" in focus
    # FORBERED mid-way: the check-in so far is kept as partial, and the preparation starts.
    replies = stack.say(phone, "forbered mit møde")
    assert replies and "Hvad fylder mest?" not in replies[-1]
    [checkin] = stack.api("GET", f"/api/citizens/{citizen['id']}/checkins", token=token).json()
    assert (checkin["overall"], checkin["complete"]) == ("yellow", False)


def test_a_mood_message_is_the_answer_to_the_check_in_it_starts(stack):
    citizen = stack.new_citizen()
    [focus] = stack.say(citizen["phone"], "det går ad h til")
    assert "Hvad fylder mest?" in focus
