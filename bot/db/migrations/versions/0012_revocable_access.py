"""Revocable web-chat links, coordinator deactivation, token rotation

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-02

Citizens get the random id their web-chat links carry (`chat_link_id`, unique) and when and why their
links were last revoked; coordinators get `deactivated_at` and `token_rotated_at`; failed logins get
an index by address alone (one address guessing across accounts). Links minted before this
migration carry no id and stop working: coordinators send new ones (docs/privacy.md, "Access that
can be taken back").
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("chat_link_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("chat_links_revoked_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("chat_links_revoked_because", sa.String(length=20), nullable=True))
        batch_op.create_unique_constraint("uq_citizens_chat_link_id", ["chat_link_id"])
    with op.batch_alter_table("coordinators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("deactivated_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("token_rotated_at", UTCDateTime(), nullable=True))
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index("ix_login_failures_ip", ["ip"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_ip")
    with op.batch_alter_table("coordinators", schema=None) as batch_op:
        batch_op.drop_column("token_rotated_at")
        batch_op.drop_column("deactivated_at")
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.drop_constraint("uq_citizens_chat_link_id", type_="unique")
        batch_op.drop_column("chat_links_revoked_because")
        batch_op.drop_column("chat_links_revoked_at")
        batch_op.drop_column("chat_link_id")
