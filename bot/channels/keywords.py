"""SMS keywords, matched before NLU on every channel: the whole message is the keyword.
They become intent messages ("/opt_out") so the dialogue also ends any open question."""
from __future__ import annotations

import re

from bot.core.text import fold

_COMMAND_PREFIX = re.compile(r"^[\s/]*/\s*")  # every leading slash, with the spaces around them

KEYWORD_INTENTS = {
    "stop": "opt_out",
    "afmeld": "opt_out",
    "start": "opt_in",
    "hjaelp": "ask_help",
    "hjelp": "ask_help",
    "help": "ask_help",
    # Offered in the goodbye of an ended course and good for resuming a round (docs/outcomes.md).
    "skema": "start_questionnaire",
}


def keyword_intent(text: str) -> str | None:
    word = fold(text).strip(" .!?")
    return KEYWORD_INTENTS.get(word)


def as_rasa_text(text: str) -> str:
    """What Rasa receives: '/opt_out' for a keyword (parsed without NLU), the text otherwise.
    Citizen text is never a command: Rasa reads a message that starts with "/" as an intent with
    entities, so leading slashes are taken off and the words go through NLU like any other text
    (docs/decisions.md, "Citizen text is text")."""
    text = _COMMAND_PREFIX.sub("", text)
    intent = keyword_intent(text)
    return f"/{intent}" if intent else text
