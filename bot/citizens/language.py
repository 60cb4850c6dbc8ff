"""The citizen's language (issue 15, parts 2 and 3): the setting, the citizen's own switch, and what
happens to a message in a language the assistant does not understand.

- **The setting** (`citizens.language`, migration 0021): the language the assistant writes to the
  citizen in. Any language with a catalogue (bot/core/i18n.py: Danish, and a file per language in
  bot/i18n/), so a language is added by a file (docs/languages.md). Set at registration (dashboard
  and API, default Danish) and by the coordinator over the API; refused input is Invalid("language").
- **The switch**: a whole message that is one of a language's switch words (its catalogue's
  `switch_words`: DANSK, ENGLISH, ENGELSK, العربية ...) sets it, and the citizen gets the
  confirmation in the new language (LANGUAGE_SWITCHED). The citizen gate calls `switch` before
  anything reaches Rasa, so the word is never parsed as an answer.
- **Another language**: a message the gate finds written in a language the assistant does not
  understand (bot/core/language_detection.py) is never parsed as an answer. The citizen gets
  LANGUAGE_NOT_UNDERSTOOD in Danish and in every catalogue's language (`not_understood_replies`);
  the coordinator a high alert `other_language` ("Borgeren skrev på arabisk"), pointing to the stored
  message, at most one a day per citizen while one is unresolved (`other_language_alert`).
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from bot.core import i18n, texts
from bot.core.alert_catalogue import Rule
from bot.core.errors import Invalid
from bot.core.language_detection import OtherLanguage
from bot.core.vocabulary import AlertStatus
from bot.db import alerts as alert_db
from bot.db.models import Alert, Citizen
from bot.sms.gsm import is_gsm7, segments

DEFAULT_LANGUAGE = i18n.DANISH
# One other_language alert a day per citizen: the coordinator has been told and will call. Later
# messages are stored like every message; a resolved alert lets the next one through.
REPEAT_AFTER = timedelta(hours=24)
MAX_REPLY_SEGMENTS = 2  # per SMS of the other-language reply, like every text the citizen gets


def check_language(value: Any) -> str:
    """The language as stored; raises Invalid("language") for anything but a catalogue's code
    (Danish and every catalogue file's, i18n.languages())."""
    languages = i18n.languages()
    if not isinstance(value, str) or value not in languages:
        raise Invalid(f"'language' must be one of: {', '.join(languages)}", "language")
    return value


def switch(session: Session, citizen: Citizen, language: str) -> str:
    """Set the citizen's language (a catalogue's code) and return the confirmation in it."""
    citizen.language = check_language(language)
    session.flush()
    return texts.for_language("LANGUAGE_SWITCHED", citizen.language)


def not_understood_replies() -> list[str]:
    """LANGUAGE_NOT_UNDERSTOOD in Danish and every catalogue's language, as few SMS as the texts
    allow: Danish first, then the GSM-7 texts, then the others (in catalogue order); each text joins
    the previous SMS when both are GSM-7 or both are not, and the two stay within MAX_REPLY_SEGMENTS.
    Today: Danish and English in one GSM-7 SMS (two segments) and Arabic in a UCS-2 one (two
    segments), instead of one UCS-2 SMS of five."""
    lines: list[str] = []
    for code in i18n.languages():
        text = texts.for_language("LANGUAGE_NOT_UNDERSTOOD", code)
        if text not in lines:  # a catalogue without it falls back to the Danish
            lines.append(text)
    lines.sort(key=lambda line: not is_gsm7(line))  # GSM-7 first (stable), so they can share an SMS
    messages: list[str] = []
    for line in lines:
        joined = f"{messages[-1]}\n{line}" if messages else None
        if joined is not None and is_gsm7(messages[-1]) == is_gsm7(line) and segments(joined) <= MAX_REPLY_SEGMENTS:
            messages[-1] = joined
        else:
            messages.append(line)
    return messages


def other_language_alert(session: Session, citizen_id: int, language: OtherLanguage, inbound_id: int | None,
                         now: datetime) -> Alert | None:
    """A high alert that the citizen wrote in `language`, pointing to the stored message; None when an
    unresolved one from the last REPEAT_AFTER exists (Dedupe.QUIET_WINDOW). The reason names the
    language, never the words (docs/privacy.md): the alerts page shows the message from
    inbound_messages, which keeps its own retention."""
    rule = Rule.OTHER_LANGUAGE
    if alert_db.has_alert(session, citizen_id, rule, statuses=(AlertStatus.OPEN, AlertStatus.ACKNOWLEDGED),
                          after=now - REPEAT_AFTER):
        return None
    reason = (f"Borgeren skrev på {language.name}. Assistenten forstår kun dansk og engelsk og har svaret "
              "borgeren, at du ringer. Overvej en tolk.")
    alert = alert_db.add_alert(session, citizen_id, rule=rule, severity=rule.severity, reason=reason, created_at=now)
    alert.inbound_message_id = inbound_id
    session.flush()
    return alert
