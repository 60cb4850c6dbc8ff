"""Goals and the plan: the citizen's goals in their own words and the steps toward them

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "goals",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer, sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("text", sa.String(300), nullable=False),
        sa.Column("source", sa.String(20), nullable=False),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("created_by", sa.Integer, sa.ForeignKey("coordinators.id")),
        sa.Column("reached_at", UTCDateTime()),
        sa.Column("last_progress", sa.String(10)),
        sa.Column("last_progress_at", UTCDateTime()),
    )
    op.create_index("ix_goals_citizen_status", "goals", ["citizen_id", "status"])
    op.create_table(
        "goal_steps",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("goal_id", sa.Integer, sa.ForeignKey("goals.id"), nullable=False),
        sa.Column("citizen_id", sa.Integer, sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("text", sa.String(300), nullable=False),
        sa.Column("owner", sa.String(100), nullable=False),
        sa.Column("due_date", sa.Date),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("done_at", UTCDateTime()),
        sa.Column("done_by", sa.String(20)),
    )
    op.create_index("ix_goal_steps_goal_id", "goal_steps", ["goal_id"])
    op.create_index("ix_goal_steps_citizen_id", "goal_steps", ["citizen_id"])


def downgrade() -> None:
    op.drop_index("ix_goal_steps_citizen_id", "goal_steps")
    op.drop_index("ix_goal_steps_goal_id", "goal_steps")
    op.drop_table("goal_steps")
    op.drop_index("ix_goals_citizen_status", "goals")
    op.drop_table("goals")
