"""round.reminder_days, the days before the last day on which reminders go out by themselves, and
scheduled_reminder, one row per round and reminder day once its reminders are queued

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-08 09:00:00

"""

import sqlalchemy as sa
from alembic import op

import survey.db

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        # Existing rounds: none (off), as before.
        batch_op.add_column(sa.Column("reminder_days", sa.JSON(), nullable=False, server_default="[]"))
    op.create_table(
        "scheduled_reminder",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("days_before", sa.Integer(), nullable=False),
        sa.Column("queued_dt", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("units", sa.Integer(), nullable=False),
        sa.Column("messages", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"], ["round.id"], name=op.f("fk_scheduled_reminder_round_id_round"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_reminder")),
        sa.UniqueConstraint("round_id", "due_on", name=op.f("uq_scheduled_reminder_round_id_due_on")),
    )


def downgrade():
    op.drop_table("scheduled_reminder")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_column("reminder_days")
