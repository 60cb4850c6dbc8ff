"""Erasure log (GDPR erasure per citizen)

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "erasures",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("erased_by", sa.Integer(), sa.ForeignKey("coordinators.id"), nullable=True),
        sa.Column("erased_at", UTCDateTime(), nullable=False),
        sa.Column("rows", sa.JSON(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("erasures")
