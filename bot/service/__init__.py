"""The coordination service: JSON API and (later) dashboard, scheduler and SMS outbox."""
