"""SMS: when a citizen's message got its answer

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL while an SMS turn has not finished; a turn lost with its Rasa server stays NULL and gets
    # an apology from the scheduler (bot/sms/unanswered.py). Messages from before this migration
    # were answered or not long ago: they count as answered.
    with op.batch_alter_table("inbound_messages") as batch:
        batch.add_column(sa.Column("answered_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_inbound_messages_unanswered", ["channel", "answered_at", "received_at"])
    op.execute("UPDATE inbound_messages SET answered_at = received_at")


def downgrade() -> None:
    with op.batch_alter_table("inbound_messages") as batch:
        batch.drop_index("ix_inbound_messages_unanswered")
        batch.drop_column("answered_at")
