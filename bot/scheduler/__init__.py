"""Proactive messages (DESIGN §5): planning jobs from appointments and check-in intervals, claiming
due jobs, delivering them through Rasa's trigger_intent, and retrying with backoff."""
