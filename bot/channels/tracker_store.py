"""Rasa's SQL tracker store with a pool that survives a database restart or outage.

Rasa's own SQLTrackerStore creates its engine without `pool_pre_ping`, so after PostgreSQL was
unreachable (a restart, a failover, a network cut) every pooled connection is dead and the next
read fails. Rasa then falls back to an empty in-memory tracker for that turn: the citizen's
conversation forks between servers and a check-in answer is taken for the wrong question (found by
tests/e2e/test_production_topology.py, "PostgreSQL unreachable for 20 s"). Same store, same tables,
one difference: each connection is checked out with a ping, as bot/db/database.py does.
deploy/endpoints.yml names it: `type: bot.channels.tracker_store.PingingSQLTrackerStore`."""
from __future__ import annotations

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs


class PingingSQLTrackerStore(SQLTrackerStore):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        url = self.engine.url
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **create_engine_kwargs(url))
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
