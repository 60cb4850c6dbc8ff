"""Meeting preparation, meeting summaries and agreements

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "preparations",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("appointment_id", sa.Integer(), sa.ForeignKey("appointments.id"), nullable=False, unique=True),
        sa.Column("citizen_id", sa.Integer(), sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.Column("correction", sa.Text(), nullable=True),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.Column("completed_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_preparations_citizen_id", "preparations", ["citizen_id"])
    op.create_table(
        "meeting_summaries",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("appointment_id", sa.Integer(), sa.ForeignKey("appointments.id"), nullable=False, unique=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.Column("approval", sa.String(20), nullable=False),
        sa.Column("approval_at", UTCDateTime(), nullable=True),
        sa.Column("rejection_note", sa.Text(), nullable=True),
        sa.Column("citizen_next_step", sa.Text(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_table(
        "agreements",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("appointment_id", sa.Integer(), sa.ForeignKey("appointments.id"), nullable=False),
        sa.Column("citizen_id", sa.Integer(), sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("what", sa.String(300), nullable=False),
        sa.Column("who", sa.String(100), nullable=False),
        sa.Column("owner_is_citizen", sa.Boolean(), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("approved_at", UTCDateTime(), nullable=True),
        sa.Column("follow_up_answer", sa.String(10), nullable=True),
        sa.Column("followed_up_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_agreements_appointment_id", "agreements", ["appointment_id"])
    op.create_index("ix_agreements_citizen_id", "agreements", ["citizen_id"])


def downgrade() -> None:
    op.drop_table("agreements")
    op.drop_table("meeting_summaries")
    op.drop_table("preparations")
