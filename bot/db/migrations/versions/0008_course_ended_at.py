"""When the coordinator ended a citizen's course, kept through the citizen's STOP and START

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-08
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.add_column(sa.Column("course_ended_at", UTCDateTime(), nullable=True))
    # Courses ended before this migration have no recorded time: at the latest, now. A citizen who
    # sent STOP before it cannot be told apart (their status no longer says whether the course had
    # ended), so their START resumes the course, as it did until now.
    op.execute("UPDATE citizens SET course_ended_at = CURRENT_TIMESTAMP WHERE status = 'inactive'")


def downgrade() -> None:
    with op.batch_alter_table("citizens", schema=None) as batch_op:
        batch_op.drop_column("course_ended_at")
