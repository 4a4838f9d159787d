"""user_account: password_link_nonce, so only the newest set-password link works, and once

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 19:30:00

"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(sa.Column("password_link_nonce", sa.String(length=32), nullable=True))


def downgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("password_link_nonce")
