"""Rasa input channels. Every channel lets only registered citizens through (gate.py)."""
