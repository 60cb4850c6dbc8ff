"""Citizen-facing texts sent outside Rasa's NLG (by channels and the service). Linted with the domain."""

UNKNOWN_SENDER = (
    "Hej. Denne service er kun for borgere, som kommunen har meldt til. "
    "Kontakt din kommune, hvis du har spørgsmål."
)

WEBCHAT_LINK_EXPIRED = "Dit link til at skrive med os er udløbet. Skriv til os på SMS, så sender vi et nyt link."
