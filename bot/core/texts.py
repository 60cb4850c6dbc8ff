"""Citizen-facing texts sent outside Rasa's NLG (by channels and the service). Linted with the domain."""

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
