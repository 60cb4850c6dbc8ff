"""Outcome measures: rounds of WHO-5, Brief INSPIRE-O and the experience items, their answers, and
the threshold behind an alert

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

from bot.db.models import UTCDateTime

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "questionnaires",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("citizen_id", sa.Integer, sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("reason", sa.String(20), nullable=False),
        sa.Column("round_no", sa.Integer),
        sa.Column("instruments", sa.JSON, nullable=False),
        sa.Column("requested_by", sa.Integer, sa.ForeignKey("coordinators.id")),
        sa.Column("status", sa.String(10), nullable=False),
        sa.Column("due_at", UTCDateTime(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("asked_at", UTCDateTime()),
        sa.Column("last_answer_at", UTCDateTime()),
        sa.Column("finished_at", UTCDateTime()),
        sa.UniqueConstraint("citizen_id", "round_no", name="uq_questionnaires_round"),
    )
    op.create_index("ix_questionnaires_citizen_status", "questionnaires", ["citizen_id", "status"])
    op.create_table(
        "outcome_measures",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("questionnaire_id", sa.Integer, sa.ForeignKey("questionnaires.id"), nullable=False),
        sa.Column("citizen_id", sa.Integer, sa.ForeignKey("citizens.id"), nullable=False),
        sa.Column("instrument", sa.String(20), nullable=False),
        sa.Column("items", sa.JSON, nullable=False),
        sa.Column("score", sa.Integer),
        sa.Column("answered_at", UTCDateTime()),
        sa.UniqueConstraint("questionnaire_id", "instrument", name="uq_outcome_measures_instrument"),
    )
    op.create_index("ix_outcome_measures_citizen", "outcome_measures", ["citizen_id", "instrument", "answered_at"])
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("questionnaire_id", sa.Integer, nullable=True))
        batch.add_column(sa.Column("threshold", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_alerts_questionnaire_id", "questionnaires", ["questionnaire_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("fk_alerts_questionnaire_id", type_="foreignkey")
        batch.drop_column("threshold")
        batch.drop_column("questionnaire_id")
    op.drop_index("ix_outcome_measures_citizen", "outcome_measures")
    op.drop_table("outcome_measures")
    op.drop_index("ix_questionnaires_citizen_status", "questionnaires")
    op.drop_table("questionnaires")
