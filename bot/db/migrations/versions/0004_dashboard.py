"""dashboard: coordinator login and backup, alert notification/escalation, stratification,
access log, web sessions, login failures

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-23
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("coordinators", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_hash", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("backup_coordinator_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            "fk_coordinators_backup_coordinator_id", "coordinators", ["backup_coordinator_id"], ["id"]
        )

    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("notified_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("escalated_at", UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column("escalated_to", sa.Integer(), nullable=True))
        batch_op.create_foreign_key("fk_alerts_escalated_to", "coordinators", ["escalated_to"], ["id"])

    op.create_table(
        "stratifications",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.Column("complexity", sa.String(length=10), nullable=False),
        sa.Column("coping", sa.String(length=10), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("rationale", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"]),
        sa.ForeignKeyConstraint(["coordinator_id"], ["coordinators.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_stratifications_citizen_id", "stratifications", ["citizen_id"])

    op.create_table(
        "access_log",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.Column("citizen_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["citizen_id"], ["citizens.id"]),
        sa.ForeignKeyConstraint(["coordinator_id"], ["coordinators.id"]),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_access_log_citizen_id", "access_log", ["citizen_id"])

    op.create_table(
        "web_sessions",
        sa.Column("id_hash", sa.String(length=64), nullable=False),
        sa.Column("coordinator_id", sa.Integer(), nullable=False),
        sa.Column("csrf_token", sa.String(length=64), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["coordinator_id"], ["coordinators.id"]),
        sa.PrimaryKeyConstraint("id_hash"),
    )
    op.create_index("ix_web_sessions_coordinator_id", "web_sessions", ["coordinator_id"])

    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("ip", sa.String(length=64), nullable=False),
        sa.Column("failed_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_failures_email_ip", "login_failures", ["email", "ip"])


def downgrade() -> None:
    op.drop_index("ix_login_failures_email_ip", table_name="login_failures")
    op.drop_table("login_failures")
    op.drop_index("ix_web_sessions_coordinator_id", table_name="web_sessions")
    op.drop_table("web_sessions")
    op.drop_index("ix_access_log_citizen_id", table_name="access_log")
    op.drop_table("access_log")
    op.drop_index("ix_stratifications_citizen_id", table_name="stratifications")
    op.drop_table("stratifications")
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_constraint("fk_alerts_escalated_to", type_="foreignkey")
        batch_op.drop_column("escalated_to")
        batch_op.drop_column("escalated_at")
        batch_op.drop_column("notified_at")
    with op.batch_alter_table("coordinators", schema=None) as batch_op:
        batch_op.drop_constraint("fk_coordinators_backup_coordinator_id", type_="foreignkey")
        batch_op.drop_column("backup_coordinator_id")
        batch_op.drop_column("password_hash")
