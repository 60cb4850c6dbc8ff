"""Delivery of proactive messages (docs/architecture.md, "Proactive messages"): each tick claims the
due jobs that bot/jobs planned, asks each job's feature whether it still applies (handlers.py),
delivers it through Rasa's trigger_intent (rasa_client.py), retries with backoff, and then runs the
alert notifications."""
