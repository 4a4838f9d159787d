"""round.report_text, the coordinator's text in the round's yearly report

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-09 09:00:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        # Existing rounds: no text yet.
        batch_op.add_column(sa.Column("report_text", sa.Text(), nullable=False, server_default=""))


def downgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("report_text")
