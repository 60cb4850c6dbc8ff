"""Citizen-facing texts sent outside Rasa's NLG (by channels and the service). Linted with the domain."""

UNKNOWN_SENDER = (
    "Hej. Denne service er kun for borgere, som kommunen har meldt til. "
    "Kontakt din kommune, hvis du har spørgsmål."
)
