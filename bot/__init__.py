"""Coordination backend: database, coordination service, channels and the lyskurve logic."""
