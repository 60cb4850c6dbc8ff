"""SMS: MO de-duplication that survives pruning

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02
"""
import hashlib

import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _id_hash(channel: str, provider_id: str) -> str:
    # The same key as bot/db/messages.py (seen_key); copied, because a migration must not change
    # when the application code does.
    return hashlib.sha256(f"{channel}:{provider_id}".encode()).hexdigest()


def upgrade() -> None:
    # Operator message ids taken so far, kept apart from the messages so that erasing or pruning a
    # message does not let its replay in again (docs/decisions.md, "SMS integrity").
    op.create_table(
        "seen_inbound_ids",
        sa.Column("id_hash", sa.String(64), primary_key=True),
        sa.Column("seen_at", UTCDateTime(), nullable=False),
    )
    rows = op.get_bind().execute(sa.text(
        "SELECT channel, provider_id, received_at FROM inbound_messages WHERE provider_id IS NOT NULL"))
    # received_at is read as the driver returns it and written back unchanged (a raw copy).
    values = {_id_hash(channel, provider_id): received_at for channel, provider_id, received_at in rows}
    if values:
        op.get_bind().execute(
            sa.text("INSERT INTO seen_inbound_ids (id_hash, seen_at) VALUES (:id_hash, :seen_at)"),
            [{"id_hash": key, "seen_at": at} for key, at in values.items()])
    # Why a message was suppressed (opted_out, course_ended, no_citizen). Rows suppressed before
    # this migration were all proactive messages to a citizen who had sent STOP.
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.add_column(sa.Column("suppressed_reason", sa.String(20), nullable=True))
    op.execute("UPDATE outbox SET suppressed_reason = 'opted_out' WHERE status = 'suppressed'")


def downgrade() -> None:
    with op.batch_alter_table("outbox", schema=None) as batch_op:
        batch_op.drop_column("suppressed_reason")
    op.drop_table("seen_inbound_ids")
