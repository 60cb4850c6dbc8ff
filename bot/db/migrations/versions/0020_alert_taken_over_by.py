"""Alerts: who took an urgent alert over by break-glass

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-02
"""
import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.add_column(sa.Column("taken_over_by", sa.Integer, nullable=True))
        batch.create_foreign_key("fk_alerts_taken_over_by", "coordinators", ["taken_over_by"], ["id"])
    # Before this column a take-over was an urgent alert acknowledged by someone other than the
    # citizen's coordinator (changes of coordinator are new with migration 0016).
    op.execute("UPDATE alerts SET taken_over_by = acknowledged_by WHERE severity = 'urgent' "
               "AND acknowledged_by IS NOT NULL AND acknowledged_by <> "
               "(SELECT coordinator_id FROM citizens WHERE citizens.id = alerts.citizen_id)")


def downgrade() -> None:
    with op.batch_alter_table("alerts") as batch:
        batch.drop_constraint("fk_alerts_taken_over_by", type_="foreignkey")
        batch.drop_column("taken_over_by")
