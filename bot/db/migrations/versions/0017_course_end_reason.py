"""Why a course ended

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("citizens") as batch:
        batch.add_column(sa.Column("course_end_reason", sa.String(20), nullable=True))
    # Courses ended before this migration: the reason was never asked.
    op.execute("UPDATE citizens SET course_end_reason = 'other' WHERE course_ended_at IS NOT NULL")


def downgrade() -> None:
    with op.batch_alter_table("citizens") as batch:
        batch.drop_column("course_end_reason")
