"""The citizen's language, an interpreter at a meeting, and the message an alert is about

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0020"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Every citizen so far was written to in Danish.
    with op.batch_alter_table("citizens") as batch:
        batch.add_column(sa.Column("language", sa.String(8), nullable=False, server_default="da"))
    with op.batch_alter_table("appointments") as batch:
        batch.add_column(sa.Column("interpreter", sa.Boolean, nullable=False, server_default=sa.false()))
    # The citizen's words stay in inbound_messages (and go with its retention); the alert points there.
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("inbound_message_id", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_alerts_inbound_message_id", "inbound_messages", ["inbound_message_id"], ["id"],
                                 ondelete="SET NULL")


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("fk_alerts_inbound_message_id", type_="foreignkey")
        batch.drop_column("inbound_message_id")
    with op.batch_alter_table("appointments") as batch:
        batch.drop_column("interpreter")
    with op.batch_alter_table("citizens") as batch:
        batch.drop_column("language")
