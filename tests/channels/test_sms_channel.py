from bot.channels.keywords import as_rasa_text, keyword_intent
from bot.channels.sms import render_buttons
from bot.sms.gsm import is_gsm7


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
