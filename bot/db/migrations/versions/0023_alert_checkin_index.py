"""Alerts: an index on checkin_id

Every stored check-in answer asks which rules its check-in has raised already
(bot/db/checkins.py, rules_raised). Without this index that read scanned the whole alerts table,
once per answer: 2,511 scans reading 642,679 rows in one topology bench run of 2,700 turns
(docs/performance.md, round 4), and it grows with every alert a municipality keeps.

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""
from alembic import op

revision = "0023"
down_revision = "0022"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_alerts_checkin_id", "alerts", ["checkin_id"])


def downgrade() -> None:
    op.drop_index("ix_alerts_checkin_id", table_name="alerts")
