"""SMS outbox and the fake gateway's store

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "outbox",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("citizen_id", sa.Integer(), sa.ForeignKey("citizens.id"), nullable=True),
        sa.Column("msisdn", sa.String(20), nullable=False),
        sa.Column("purpose", sa.String(20), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("segments", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("provider_id", sa.String(100), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("status_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_outbox_citizen_id", "outbox", ["citizen_id"])
    op.create_index("ix_outbox_msisdn", "outbox", ["msisdn"])
    op.create_index("ix_outbox_status", "outbox", ["status"])
    op.create_index("ix_outbox_provider_id", "outbox", ["provider_id"])
    op.create_table(
        "fake_sms",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("direction", sa.String(2), nullable=False),
        sa.Column("msisdn", sa.String(20), nullable=False),
        sa.Column("sender", sa.String(20), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("userref", sa.String(100), nullable=True),
        sa.Column("callback_url", sa.String(500), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_fake_sms_msisdn", "fake_sms", ["msisdn"])


def downgrade() -> None:
    op.drop_table("fake_sms")
    op.drop_table("outbox")
