"""The lyskurve check-in: colours, life areas, programme settings, answer parsing and the alert rules
(docs/architecture.md, "Check-ins and alerts")."""
