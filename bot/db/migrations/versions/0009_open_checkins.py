"""Check-ins stored as they are answered: open, complete or partial

A check-in is stored at the citizen's first answer (status 'open') and completed by the later ones;
one left open is closed as 'partial' (docs/decisions.md, "An answer counts the moment it is given").
`status` replaces the boolean `complete` (true -> 'complete', false -> 'partial'); `last_answer_at`
times the nudge and the close of an open one (filled with created_at for the rows there are).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(10), nullable=False, server_default="complete"))
        batch_op.add_column(sa.Column("last_answer_at", UTCDateTime(), nullable=True))
    op.execute("UPDATE checkins SET status = CASE WHEN complete THEN 'complete' ELSE 'partial' END, "
               "last_answer_at = created_at")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        # The model sets the status on every insert; no server default that could hide a forgotten one.
        batch_op.alter_column("status", server_default=None)
        batch_op.drop_column("complete")
        batch_op.create_index(batch_op.f("ix_checkins_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.add_column(sa.Column("complete", sa.Boolean(), nullable=False, server_default=sa.true()))
    # An open check-in was never finished: before 0009 it would have been a partial one.
    op.execute("UPDATE checkins SET complete = CASE WHEN status = 'complete' THEN 1 = 1 ELSE 1 = 0 END")
    with op.batch_alter_table("checkins", schema=None) as batch_op:
        batch_op.alter_column("complete", server_default=None)
        batch_op.drop_index(batch_op.f("ix_checkins_status"))
        batch_op.drop_column("last_answer_at")
        batch_op.drop_column("status")
