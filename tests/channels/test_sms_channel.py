from bot.channels.gate import CitizenGate
from bot.channels.keywords import as_rasa_text, keyword_intent
from bot.channels.sms import SmsOutput, render_buttons
from bot.channels.webchat import CitizenSocketOutput, render_button_words
from bot.db.outbox import list_for_citizen
from bot.sms.gsm import is_gsm7
from tests.channels.conftest import PHONE


def test_buttons_become_numbered_text_options():
    text = render_buttons("Kommer du?", [{"title": "Ja", "payload": "/affirm"}, {"title": "Nej", "payload": "/deny"},
                                         {"title": "Ved ikke", "payload": "/unsure"}])
    assert text == "Kommer du?\n1 Ja\n2 Nej\n3 Ved ikke\nSvar 1, 2 eller 3."
    assert is_gsm7(text)


def test_keywords_are_whole_messages_in_any_case_and_spelling():
    assert [keyword_intent(t) for t in ("STOP", "stop.", "Afmeld", "START", "HJÆLP", "hjaelp", "Hjelp!")] == [
        "opt_out", "opt_out", "opt_out", "opt_in", "ask_help", "ask_help", "ask_help"]
    assert keyword_intent("stop med at skrive om det") is None
    assert keyword_intent("jeg har brug for hjælp") is None
    assert as_rasa_text("Stop") == "/opt_out" and as_rasa_text("tjek ind") == "tjek ind"


YES_NO_EN = [{"title": "YES", "payload": "JA"}, {"title": "NO", "payload": "NEJ"}]
COLOURS = [{"title": "GRØN", "payload": "GRØN"}, {"title": "GUL", "payload": "GUL"}, {"title": "RØD", "payload": "RØD"}]


def test_the_numbered_buttons_end_in_the_responses_language():
    """Issue 15 §4: "Svar 1, 2 eller 3." is Danish; an English response ends in English."""
    assert render_buttons("Hvordan går det?", COLOURS, "da") == "Hvordan går det?\n1 GRØN\n2 GUL\n3 RØD\nSvar 1, 2 eller 3."
    assert render_buttons("Should your coordinator call you?", YES_NO_EN, "en") == (
        "Should your coordinator call you?\n1 YES\n2 NO\nReply 1 or 2.")
    # No language named, or one whose catalogue lacks the words (Arabic): the Danish ending.
    assert render_buttons("Kommer du?", YES_NO_EN[:1]).endswith("\n1 YES\nSvar 1.")
    assert render_buttons("Kommer du?", YES_NO_EN, "ar").endswith("\nSvar 1 eller 2.")


def test_the_web_chat_says_the_buttons_in_words():
    assert render_button_words("Hvordan går det?", COLOURS, "da") == "Hvordan går det? Svar GRØN, GUL eller RØD."
    assert render_button_words("Should your coordinator call you?", YES_NO_EN, "en") == (
        "Should your coordinator call you? Reply YES or NO.")


async def test_the_channels_take_the_language_the_nlg_put_in_the_message(db, clock, citizen_id):
    """Rasa hands every key of the generated response to the output channel (the NLG adds
    `language`, bot/channels/nlg.py): the SMS numbers the buttons, the web chat sends them as quick
    replies under the text that states them."""
    sms = SmsOutput(CitizenGate(db, clock), purpose="reply")  # queues in the real outbox
    await sms.send_response(PHONE, {"text": "Should your coordinator call you?", "buttons": YES_NO_EN,
                                    "language": "en", "utter_action": "utter_ask_checkin_wants_contact"})
    assert [m.text for m in db.call(list_for_citizen, citizen_id)] == [
        "Should your coordinator call you?\n1 YES\n2 NO\nReply 1 or 2."]

    class Socket:
        emitted = []

        async def emit(self, event, data, room=None):
            self.emitted.append((event, data))

    web = CitizenSocketOutput(Socket(), "bot_uttered")
    await web.send_response("+4512345678", {"text": "Hvordan går det?", "buttons": COLOURS, "language": "da"})
    [(event, data)] = Socket.emitted
    assert event == "bot_uttered" and data["text"] == "Hvordan går det? Svar GRØN, GUL eller RØD."
    assert [(r["title"], r["payload"]) for r in data["quick_replies"]] == [("GRØN", "GRØN"), ("GUL", "GUL"),
                                                                          ("RØD", "RØD")]


async def test_a_turns_replies_are_queued_at_its_end_with_the_answered_mark(db, clock, citizen_id):
    """The answer to an SMS is kept until the turn ends, then queued in order in one transaction
    with the mark that the message was answered; a turn that failed queues what it said, unmarked,
    so the scheduler's apology still comes (bot/sms/unanswered.py)."""
    from bot.db.messages import log_inbound
    from bot.db.models import InboundMessage

    gate = CitizenGate(db, clock)
    for finished in (True, False):
        inbound = db.call(lambda s: log_inbound(s, citizen_id, channel="sms", text="rød", received_at=clock.now(),
                                                provider_id=None))
        before = len(db.call(list_for_citizen, citizen_id))
        sms = SmsOutput(gate, purpose="reply", collect=True)
        await sms.send_text_message(PHONE, "Tak.")
        await sms.send_response(PHONE, {"text": "Kommer du?", "buttons": YES_NO_EN, "language": "da"})
        assert len(db.call(list_for_citizen, citizen_id)) == before  # nothing yet: the turn runs
        await sms.finish(inbound.id if finished else None)
        queued = sorted(db.call(list_for_citizen, citizen_id), key=lambda m: m.id)[before:]
        assert [(m.text, m.purpose, m.status) for m in queued] == [
            ("Tak.", "reply", "queued"), ("Kommer du?\n1 YES\n2 NO\nSvar 1 eller 2.", "reply", "queued")]
        answered_at = db.call(lambda s, i=inbound.id: s.get(InboundMessage, i).answered_at)
        assert (answered_at is not None) is finished
        await sms.finish(None)  # a second end queues nothing again
        assert len(db.call(list_for_citizen, citizen_id)) == before + 2


async def test_a_turns_replies_the_database_refuses_are_logged_not_raised(clock, citizen_id, tmp_path, caplog):
    from bot.db.database import Database

    gone = Database(f"sqlite:///{tmp_path}/no-such-dir/coordination.db")  # cannot be opened
    sms = SmsOutput(CitizenGate(gone, clock), purpose="reply", collect=True)
    await sms.send_text_message(PHONE, "Tak.")
    await sms.finish(7)
    assert "a turn's 1 replies not queued" in caplog.text and PHONE not in caplog.text
