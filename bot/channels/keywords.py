"""SMS keywords, matched before NLU on every channel: the whole message is the keyword.
They become intent messages ("/opt_out") so the dialogue also ends any open question."""
from __future__ import annotations

from bot.core.text import fold

KEYWORD_INTENTS = {
    "stop": "opt_out",
    "afmeld": "opt_out",
    "start": "opt_in",
    "hjaelp": "ask_help",
    "hjelp": "ask_help",
    "help": "ask_help",
}


def keyword_intent(text: str) -> str | None:
    word = fold(text).strip(" .!?")
    return KEYWORD_INTENTS.get(word)


def as_rasa_text(text: str) -> str:
    """What Rasa receives: '/opt_out' for a keyword (parsed without NLU), the text otherwise."""
    intent = keyword_intent(text)
    return f"/{intent}" if intent else text
