"""Rasa custom actions, split by concern. They read and write the coordination database via bot.db."""
