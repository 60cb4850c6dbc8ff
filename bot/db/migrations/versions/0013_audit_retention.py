"""Audit and retention: the access log names its actor and outlives an erasure

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-02

`access_log` gets the actor's kind (`coordinator` or `admin`: the admin token has no coordinator
id, so `coordinator_id` becomes nullable), the request's HTTP status, and `erasure_id`: an erasure
keeps the rows of who read or changed the citizen, with `citizen_id` set to NULL and the erasure
named instead (pseudonymised; docs/privacy.md, "The access log"). `citizen_id` becomes nullable for
that and for reads of a list. An index on `at` serves the retention pass. `erasures` get the
actor's kind and when Rasa's HTTP API confirmed the conversation gone (`tracker_verified_at`).
Existing erasures without `erased_by` were made with the admin token.
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor", sa.String(length=12), nullable=False, server_default="coordinator"))
        batch_op.add_column(sa.Column("tracker_verified_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE erasures SET actor = 'admin' WHERE erased_by IS NULL")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("actor", sa.String(length=12), nullable=False, server_default="coordinator"))
        batch_op.add_column(sa.Column("erasure_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("status", sa.Integer(), nullable=True))
        batch_op.alter_column("coordinator_id", existing_type=sa.Integer(), nullable=True)
        batch_op.alter_column("citizen_id", existing_type=sa.Integer(), nullable=True)
        batch_op.create_foreign_key("fk_access_log_erasure_id", "erasures", ["erasure_id"], ["id"])
        batch_op.create_index("ix_access_log_erasure_id", ["erasure_id"], unique=False)
        batch_op.create_index("ix_access_log_at", ["at"], unique=False)


def downgrade() -> None:
    # Rows that cannot be put back under the old NOT NULL columns (the admin's, lists, erased
    # citizens') go: the old schema had no way to hold them.
    op.execute("DELETE FROM access_log WHERE coordinator_id IS NULL OR citizen_id IS NULL")
    with op.batch_alter_table("access_log", schema=None) as batch_op:
        batch_op.drop_index("ix_access_log_at")
        batch_op.drop_index("ix_access_log_erasure_id")
        batch_op.drop_constraint("fk_access_log_erasure_id", type_="foreignkey")
        batch_op.alter_column("citizen_id", existing_type=sa.Integer(), nullable=False)
        batch_op.alter_column("coordinator_id", existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column("status")
        batch_op.drop_column("erasure_id")
        batch_op.drop_column("actor")
    with op.batch_alter_table("erasures", schema=None) as batch_op:
        batch_op.drop_column("tracker_verified_at")
        batch_op.drop_column("actor")
