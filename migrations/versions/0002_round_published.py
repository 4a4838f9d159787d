"""round: published_dt, when the public summary page was published

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24 04:45:00

"""

import sqlalchemy as sa
from alembic import op

import survey.db

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("published_dt", survey.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("published_dt")
