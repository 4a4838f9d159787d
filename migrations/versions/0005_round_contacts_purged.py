"""round: contacts_purged_dt, when the retention purge removed the round's contact details

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02 20:00:00

"""

import sqlalchemy as sa
from alembic import op

import survey.db

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contacts_purged_dt", survey.db.UTCDateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("contacts_purged_dt")
