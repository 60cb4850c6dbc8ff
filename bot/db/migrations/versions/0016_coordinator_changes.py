"""A citizen's change of coordinator, kept

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "coordinator_changes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer, sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("from_coordinator_id", sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False),
        sa.Column("to_coordinator_id", sa.Integer, sa.ForeignKey("coordinators.id"), nullable=False),
        sa.Column("changed_at", UTCDateTime(), nullable=False),
        sa.Column("changed_by", sa.Integer, sa.ForeignKey("coordinators.id")),
        sa.Column("actor", sa.String(20), nullable=False),
        sa.Column("handover_appointment_id", sa.Integer, sa.ForeignKey("appointments.id")),
    )
    op.create_index("ix_coordinator_changes_citizen_id", "coordinator_changes", ["citizen_id"])


def downgrade() -> None:
    op.drop_index("ix_coordinator_changes_citizen_id", "coordinator_changes")
    op.drop_table("coordinator_changes")
