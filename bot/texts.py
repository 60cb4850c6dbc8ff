"""Citizen-facing texts sent outside Rasa's NLG (by channels and the service). Linted with the domain."""

UNKNOWN_SENDER = (
    "Hej. Her kan kun de skrive, som kommunen har meldt til. "
    "Har du spørgsmål, så ring til din kommune."
)
