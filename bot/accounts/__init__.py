"""Coordinators' accounts: access that can be taken back (deactivation, API token rotation)."""
