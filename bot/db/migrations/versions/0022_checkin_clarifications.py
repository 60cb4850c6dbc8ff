"""Check-ins: how many times a question was asked again (issue 15 §4)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0021"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # NULL for the check-ins before this migration (and those stored whole, by demo data or an
    # import): nobody counted their clarifications, so they are not in the share (bot/checkins/record.py).
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("clarifications", sa.Integer, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.drop_column("clarifications")
