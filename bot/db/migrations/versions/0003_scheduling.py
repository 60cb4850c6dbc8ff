"""scheduling: jobs table, the citizen's answer to reminders on appointments

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("citizen_reply", sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column("citizen_replied_at", UTCDateTime(), nullable=True))
        batch_op.add_column(
            sa.Column("notify_if_unanswered", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("attendance_recorded_at", UTCDateTime(), nullable=True))

    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("target", sa.String(length=60), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("note", sa.String(length=200), nullable=True),
        sa.Column("claim_token", sa.String(length=32), nullable=True),
        sa.Column("locked_until", UTCDateTime(), nullable=True),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("citizen_id", "purpose", "target", "due_at", name="uq_jobs_natural_key"),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_citizen_id"), ["citizen_id"], unique=False)
        batch_op.create_index("ix_jobs_status_next_attempt_at", ["status", "next_attempt_at"], unique=False)
        batch_op.create_index("ix_jobs_target", ["target"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_target")
        batch_op.drop_index("ix_jobs_status_next_attempt_at")
        batch_op.drop_index(batch_op.f("ix_jobs_citizen_id"))
    op.drop_table("jobs")
    with op.batch_alter_table("appointments", schema=None) as batch_op:
        batch_op.drop_column("attendance_recorded_at")
        batch_op.drop_column("notify_if_unanswered")
        batch_op.drop_column("citizen_replied_at")
        batch_op.drop_column("citizen_reply")
