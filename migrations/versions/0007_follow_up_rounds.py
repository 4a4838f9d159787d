"""follow-up rounds: round.previous_round_id, assignment.start_choice, answer.origin, development_area_follow_up

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 01:10:00

"""

import sqlalchemy as sa
from alembic import op

import survey.db

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.add_column(sa.Column("previous_round_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f("fk_round_previous_round_id_round"), "round", ["previous_round_id"], ["id"])
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.add_column(sa.Column("start_choice", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint("start_choice", "start_choice IN ('previous', 'blank')")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.add_column(sa.Column("origin", sa.String(length=20), nullable=True))
        batch_op.create_check_constraint("origin", "origin IN ('previous', 'confirmed', 'changed')")
    op.create_table(
        "development_area_follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("source_assignment_id", sa.Integer(), nullable=False),
        sa.Column("group_key", sa.String(length=64), nullable=False),
        sa.Column("entry_index", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("updated_dt", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('atgardat', 'pagar', 'ej_paborjat', 'inaktuellt')",
            name=op.f("ck_development_area_follow_up_status"),
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_development_area_follow_up_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_assignment_id"],
            ["assignment.id"],
            name=op.f("fk_development_area_follow_up_source_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_development_area_follow_up")),
        sa.UniqueConstraint(
            "assignment_id",
            "source_assignment_id",
            "entry_index",
            name=op.f("uq_development_area_follow_up_assignment_id_source_assignment_id_entry_index"),
        ),
    )
    with op.batch_alter_table("development_area_follow_up", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_development_area_follow_up_assignment_id"), ["assignment_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("development_area_follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_development_area_follow_up_assignment_id"))
    op.drop_table("development_area_follow_up")
    with op.batch_alter_table("answer", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_answer_origin"), type_="check")
        batch_op.drop_column("origin")
    with op.batch_alter_table("assignment", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_assignment_start_choice"), type_="check")
        batch_op.drop_column("start_choice")
    with op.batch_alter_table("round", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_round_previous_round_id_round"), type_="foreignkey")
        batch_op.drop_column("previous_round_id")
