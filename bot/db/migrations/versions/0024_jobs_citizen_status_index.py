"""Jobs: an index on (citizen_id, status) in place of the one on citizen_id

The scheduler's claim (bot/db/jobs.py, claim_due) asks, for every due job, whether its citizen has a
job running. With only the citizen_id index PostgreSQL combined it with the status index, whose
'running' entries include every job that ran since the last vacuum: 728 ms a claim with 3,712 jobs
due in a 10,000-prompt round, most of the machine's CPU in that round (docs/performance.md, round 8).
One index on both columns answers it with a lookup; it serves the citizen_id lookups as well.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-04
"""
from alembic import op

revision = "0024"
down_revision = "0023"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_jobs_citizen_status", "jobs", ["citizen_id", "status"])
    op.drop_index("ix_jobs_citizen_id", table_name="jobs")


def downgrade() -> None:
    op.create_index("ix_jobs_citizen_id", "jobs", ["citizen_id"])
    op.drop_index("ix_jobs_citizen_status", table_name="jobs")
