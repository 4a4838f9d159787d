"""example_approval: the coordinator's approval of a good example for the public page

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-09 09:00:00

"""

import sqlalchemy as sa
from alembic import op

import survey.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "example_approval",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("entry_index", sa.Integer(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("approved_dt", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("approved_by_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["approved_by_id"],
            ["user_account.id"],
            name=op.f("fk_example_approval_approved_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_example_approval_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_example_approval")),
        sa.UniqueConstraint("assignment_id", "entry_index", name=op.f("uq_example_approval_assignment_id_entry_index")),
    )
    with op.batch_alter_table("example_approval", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_example_approval_assignment_id"), ["assignment_id"], unique=False)


def downgrade():
    with op.batch_alter_table("example_approval", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_example_approval_assignment_id"))
    op.drop_table("example_approval")
