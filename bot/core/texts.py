"""Citizen-facing texts sent outside Rasa's NLG (by channels and the service), and the words our code
puts into responses' placeholders (PARTS). Linted with the domain."""
import logging as _logging

from bot.core import i18n as _i18n

_log = _logging.getLogger(__name__)

UNKNOWN_SENDER = (
    "Hej. Her kan kun de skrive, som kommunen har meldt til. "
    "Har du spørgsmål, så ring til din kommune."
)

WEBCHAT_LINK_EXPIRED = "Dit link til at skrive med os er udløbet. Skriv til os på SMS, så sender vi et nyt link."
# The link was closed while the chat was open: erasure, STOP, a new number, or the coordinator closed it.
WEBCHAT_LINK_CLOSED = "Dit link til at skrive med os virker ikke længere. Skriv til os på SMS, så sender vi et nyt link."

# Sent at once, before anything else, when a message contains crisis language (bot/safety/).
CRISIS_REPLY = (
    "Hvis du er i fare, så ring 112. Du kan også ringe til Livslinien på 70 201 201. "
    "Jeg giver din koordinator besked. Her bliver ikke læst hele døgnet."
)

# Sent the same way when a message sounds like giving up or not being able to go on (docs/nlu.md,
# "Hopelessness"): kind, short, and it names people, not a form.
HOPELESSNESS_REPLY = (
    "Det lyder hårdt. Jeg giver din koordinator besked, så I kan tale sammen. "
    "Her bliver ikke læst hele døgnet. Er du i fare, så ring 112 eller Livslinien på 70 201 201."
)

# When the coordination database is briefly down during a turn (actions/base.py, bot/channels/gate.py):
# nothing was saved, so the citizen is asked to send it again; a person is the way for what cannot wait.
DATABASE_DOWN = (
    "Beklager, der er en fejl hos os lige nu. Prøv igen om lidt. "
    "Haster det, så ring til din koordinator."
)

# A citizen's SMS whose turn was lost with its Rasa server (bot/sms/unanswered.py): the message is
# stored, but nothing was answered; the citizen's repeat is a new turn where the lost one left off.
TURN_LOST = (
    "Undskyld, jeg fik ikke svaret på din sidste besked. Skriv den gerne igen. "
    "Haster det, så ring til din koordinator."
)

# The personal web chat link (POST /api/citizens/{id}/chat-link with send_sms).
CHAT_LINK_SMS = "Her er dit link, hvis du vil skrive med os på nettet: {url}"

# A change of coordinator (bot/citizens/reassign.py): who the new one is, and that nothing else changes.
REASSIGNED = "Din nye koordinator hedder {new}. {old} har givet din sag videre. Du kan skrive her som før."
# The same, with a meeting for the three of them (booked as an appointment, so it is reminded).
REASSIGNED_WITH_HANDOVER = (
    "Din nye koordinator hedder {new}. {old} har givet din sag videre. "
    "I mødes alle tre {when}. Du kan skrive her som før."
)

# The goodbye when the coordinator ends the course (bot/citizens/course.py): thanks, the door left
# open, and a last WHO-5 offered (answered as replies after SKEMA).
COURSE_ENDED = (
    "Dit forløb med {coordinator} er slut nu. Tak for samarbejdet. "
    "Vil du svare på 5 korte spørgsmål en sidste gang? Så skriv SKEMA. Du kan altid skrive her."
)

# The citizen's network (bot/network/): SMS to a person the citizen chose, never through Rasa. Time
# and place only: no kind, no title, nothing about health; the citizen by first name only.
NETWORK_INVITATION = (
    "Hej {member}. {citizen} vil gerne have dig med til et møde med kommunen {when}, {location}. "
    "Du får en påmindelse dagen før."
)
NETWORK_INVITATION_NO_PLACE = (
    "Hej {member}. {citizen} vil gerne have dig med til et møde med kommunen {when}. "
    "Du får en påmindelse dagen før."
)
NETWORK_REMINDER = "Hej {member}. Husk mødet med kommunen {when}, {location}. {citizen} vil gerne have dig med."
NETWORK_REMINDER_NO_PLACE = "Hej {member}. Husk mødet med kommunen {when}. {citizen} vil gerne have dig med."
NETWORK_CANCELLED = "Mødet {when} er aflyst."

# A message in a language the assistant does not understand (the citizen gate, bot/core/
# language_detection.py): the citizen gets this in Danish and in every catalogue's language at once
# (bot/citizens/language.py, `not_understood_replies`), and the coordinator a low alert.
LANGUAGE_NOT_UNDERSTOOD = "Jeg kan kun læse dansk og engelsk. Din koordinator ringer til dig. Er du i fare, så ring 112."
# The citizen wrote a language's name (DANSK, ENGLISH): the confirmation, in the new language.
LANGUAGE_SWITCHED = "OK. Jeg skriver på dansk fra nu af."
# Appended to a meeting's reminder when the coordinator booked an interpreter (appointments.interpreter).
INTERPRETER_COMING = "Der kommer en tolk."
# How to answer a question with fixed options (its buttons): the SMS lists them numbered and ends
# "Svar 1, 2 eller 3." (bot/channels/sms.py); the web chat shows the buttons and ends "Svar JA eller
# NEJ." (bot/channels/webchat.py). ANSWER_OR joins the last two options.
ANSWER_WITH = "Svar {options}."
ANSWER_OR = "eller"

# Words our code puts into a response's {placeholders}: in the citizen's language, as the response
# around them (docs/languages.md, "Placeholder values"). Life areas are named in programmes.yml.
# The preparation's summary, {summary} (bot/meetings/preparation.py): "Vigtigst: ryg; penge".
SUMMARY_TOPICS = "Vigtigst"
SUMMARY_AVOID = "Ikke tale om"
SUMMARY_ATTENDEES = "Med til mødet"
SUMMARY_PRACTICAL = "Brug for"
SUMMARY_ALL_SKIPPED = "Du har sprunget alle spørgsmål over."
# The agreements, {agreements} (bot/meetings/agreements.py): "1. Du: ringer til lægen, senest
# torsdag 24. december", and the line that ends a list cut to fit the message.
AGREEMENT_YOU = "Du"
AGREEMENT_DUE = "senest {day}"
AGREEMENTS_MORE = "+ {count} aftaler mere. Spørg din koordinator."
# The reminder's {recap}: the citizen's own most important topic from the preparation (actions/appointments.py).
TOPIC_RECAP = "Du vil gerne tale om: {topic}."
# When the outcome questions come again, {again} (actions/outcomes.py).
AGAIN_LATER_TODAY = "senere i dag"
AGAIN_TOMORROW = "i morgen"
AGAIN_IN_DAYS = "om {days} dage"
# Where an outcome question stands in its round, {question_text} (bot/outcomes/instruments.py). The
# instruments' own wording is theirs, validated per language: bot/outcomes/instruments.py.
QUESTION_NUMBER = "Spørgsmål {number} af {count}:"
# Those are parts of a message, not messages: the readability lint (LIX) reads them in the messages
# they go into (tests/unit/test_responses.py); every other rule holds for them as for a message.
PARTS = frozenset({"ANSWER_OR", "SUMMARY_TOPICS", "SUMMARY_AVOID", "SUMMARY_ATTENDEES", "SUMMARY_PRACTICAL",
                   "SUMMARY_ALL_SKIPPED", "AGREEMENT_YOU", "AGREEMENT_DUE", "AGREEMENTS_MORE", "TOPIC_RECAP",
                   "AGAIN_LATER_TODAY", "AGAIN_TOMORROW", "AGAIN_IN_DAYS", "QUESTION_NUMBER"})


def for_language(name: str, language: str | None) -> str:
    """The constant `name` of this module in the citizen's `language`: its catalogue's text
    (bot/i18n/<language>.yml, docs/languages.md), or the Danish constant when the language is
    Danish, unset, unknown, or its catalogue lacks this text (logged by name, never the text)."""
    return in_language(name, language)[0]


def in_language(name: str, language: str | None) -> tuple[str, str]:
    """`for_language`, and the language the text is in: what its values must be written in (a meeting's
    time in a Danish fallback is Danish too: `i18n.format_when(instant, that_language)`)."""
    if not name.isupper() or not isinstance(globals().get(name), str):
        raise KeyError(name)  # a typo in the caller, not a missing translation
    danish = globals()[name]
    if not language or language == _i18n.DANISH:
        return danish, _i18n.DANISH
    translated = _i18n.text(name, language)
    if translated is None:
        _log.warning("no %s text %s in the catalogue: sent in Danish", language, name)
        return danish, _i18n.DANISH
    return translated, language


def answer_with(options: list[str], language: str | None) -> str:
    """"Svar 1, 2 eller 3." ("Reply 1, 2 or 3.") for the options of a question, in `language`; the
    word "or" in the same language as the sentence, even when the catalogue lacks one of them."""
    template, used = in_language("ANSWER_WITH", language)
    if len(options) <= 1:
        listed = "".join(options)
    else:
        listed = f"{', '.join(options[:-1])} {for_language('ANSWER_OR', used)} {options[-1]}"
    return template.format(options=listed)
