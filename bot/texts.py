"""Citizen-facing texts sent outside Rasa's NLG (by channels and the service). Linted with the domain."""

UNKNOWN_SENDER = (
    "Hej. Her kan kun de skrive, som kommunen har meldt til. "
    "Har du spørgsmål, så ring til din kommune."
)

WEBCHAT_LINK_EXPIRED = "Dit link til at skrive med os er udløbet. Skriv til os på SMS, så sender vi et nyt link."
