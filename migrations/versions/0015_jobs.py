"""job: bulk work run outside the request (invitations to a whole round, the links file, a big workbook), with its
progress and result; outbox_message.job_id, the job that queued a message

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-09 09:00:00

"""

import sqlalchemy as sa
from alembic import op

import survey.db

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "job",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("params", sa.JSON(), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("result", sa.JSON(), nullable=False),
        sa.Column("result_path", sa.String(length=300), nullable=True),
        sa.Column("download_name", sa.String(length=300), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=100), nullable=False),
        sa.Column("created_dt", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("started_dt", survey.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("heartbeat_dt", survey.db.UTCDateTime(timezone=True), nullable=True),
        sa.Column("finished_dt", survey.db.UTCDateTime(timezone=True), nullable=True),
        sa.CheckConstraint("kind IN ('invitations', 'links', 'workbook')", name=op.f("ck_job_kind")),
        sa.CheckConstraint("state IN ('queued', 'running', 'done', 'failed')", name=op.f("ck_job_state")),
        sa.ForeignKeyConstraint(["round_id"], ["round.id"], name=op.f("fk_job_round_id_round"), ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["user_id"], ["user_account.id"], name=op.f("fk_job_user_id_user_account"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job")),
    )
    op.create_index(op.f("ix_job_round_id"), "job", ["round_id"])
    op.create_index(op.f("ix_job_user_id"), "job", ["user_id"])
    op.create_index("ix_job_state_heartbeat_dt", "job", ["state", "heartbeat_dt"])
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.add_column(sa.Column("job_id", sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_message_job_id"), ["job_id"])
        batch_op.create_foreign_key(
            batch_op.f("fk_outbox_message_job_id_job"), "job", ["job_id"], ["id"], ondelete="SET NULL"
        )


def downgrade():
    with op.batch_alter_table("outbox_message", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_outbox_message_job_id_job"), type_="foreignkey")
        batch_op.drop_index(batch_op.f("ix_outbox_message_job_id"))
        batch_op.drop_column("job_id")
    op.drop_index("ix_job_state_heartbeat_dt", table_name="job")
    op.drop_index(op.f("ix_job_user_id"), table_name="job")
    op.drop_index(op.f("ix_job_round_id"), table_name="job")
    op.drop_table("job")
