"""The citizen's network: people the citizen chose, with consent, and their meeting invitations

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-05
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0019"
down_revision = "0018"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "network_members",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer, sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("name", sa.String(100)),
        sa.Column("relation", sa.String(50)),
        sa.Column("phone", sa.String(20)),
        sa.Column("consent_at", UTCDateTime(), nullable=False),
        sa.Column("added_by", sa.Integer, sa.ForeignKey("coordinators.id")),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("removed_at", UTCDateTime()),
    )
    op.create_index("ix_network_members_citizen_id", "network_members", ["citizen_id"])
    op.create_table(
        "meeting_invitations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("appointment_id", sa.Integer, sa.ForeignKey("appointments.id"), nullable=False),
        sa.Column("member_id", sa.Integer, sa.ForeignKey("network_members.id"), nullable=False),
        sa.Column("citizen_id", sa.Integer, sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("invited_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.UniqueConstraint("appointment_id", "member_id", name="uq_meeting_invitations"),
    )
    op.create_index("ix_meeting_invitations_appointment_id", "meeting_invitations", ["appointment_id"])
    op.create_index("ix_meeting_invitations_member_id", "meeting_invitations", ["member_id"])
    op.create_index("ix_meeting_invitations_citizen_id", "meeting_invitations", ["citizen_id"])


def downgrade() -> None:
    op.drop_index("ix_meeting_invitations_citizen_id", "meeting_invitations")
    op.drop_index("ix_meeting_invitations_member_id", "meeting_invitations")
    op.drop_index("ix_meeting_invitations_appointment_id", "meeting_invitations")
    op.drop_table("meeting_invitations")
    op.drop_index("ix_network_members_citizen_id", "network_members")
    op.drop_table("network_members")
