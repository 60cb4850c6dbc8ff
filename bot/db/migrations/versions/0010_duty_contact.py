"""Urgent alerts nobody acknowledged go to the duty contact

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # When the duty contact (DUTY_PHONE / DUTY_EMAIL) was told about this urgent alert: the second
    # escalation step, recorded in the transaction that queues the message, so it goes out once
    # (docs/architecture.md, "Check-ins and alerts"). Urgent alerts that are still open when this
    # runs are sent on the first scheduler tick: nobody has acknowledged them, which is the point.
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("duty_notified_at", UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("duty_notified_at")
