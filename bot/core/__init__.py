"""The shared kernel every layer may use: clock, settings, phone numbers, Danish text helpers and
texts, the alert catalogue, the error types of use cases. Imports nothing else from bot/."""
