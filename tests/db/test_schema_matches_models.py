"""The migrations build exactly the schema the models declare (bot/db/models.py): tables, columns,
types, indexes and constraints, on SQLite and PostgreSQL. A column or index added to a model without
a migration (or the other way round) fails here, not in a municipality's database: migration 0023's
index on alerts.checkin_id was found missing by a bench, not by a test (docs/performance.md, round 4)."""
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from bot.db.models import Base


def test_the_migrated_schema_is_the_models(db_url):
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as connection:
            differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_rules_raised_reads_alerts_by_index(db_url):
    engine = sa.create_engine(db_url)
    try:
        indexes = sa.inspect(engine).get_indexes("alerts")
    finally:
        engine.dispose()
    assert any(index["column_names"] == ["checkin_id"] for index in indexes)
