"""the action plan: plan_activity, plan_indicator, and per assignment activity_report and indicator_value

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05 09:00:00

"""

import sqlalchemy as sa
from alembic import op

import survey.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "plan_activity",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("goal", sa.Text(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("start_year", sa.Integer(), nullable=True),
        sa.Column("end_year", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_dt", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "start_year IS NULL OR end_year IS NULL OR start_year <= end_year", name=op.f("ck_plan_activity_period")
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_plan_activity_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_activity")),
    )
    with op.batch_alter_table("plan_activity", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_activity_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "plan_indicator",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("measure", sa.String(length=40), nullable=False),
        sa.Column("target", sa.Float(), nullable=True),
        sa.Column("direction", sa.String(length=10), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=True),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("created_dt", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint("direction IN ('higher', 'lower')", name=op.f("ck_plan_indicator_direction")),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["plan_activity.id"],
            name=op.f("fk_plan_indicator_activity_id_plan_activity"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_plan_indicator_unit_id_unit")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_indicator")),
    )
    with op.batch_alter_table("plan_indicator", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_plan_indicator_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_plan_indicator_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "activity_report",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("updated_dt", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('ej_paborjad', 'pagar', 'genomford', 'installd')", name=op.f("ck_activity_report_status")
        ),
        sa.ForeignKeyConstraint(
            ["activity_id"],
            ["plan_activity.id"],
            name=op.f("fk_activity_report_activity_id_plan_activity"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_activity_report_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_activity_report")),
        sa.UniqueConstraint("assignment_id", "activity_id", name=op.f("uq_activity_report_assignment_id_activity_id")),
    )
    with op.batch_alter_table("activity_report", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_activity_report_activity_id"), ["activity_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_activity_report_assignment_id"), ["assignment_id"], unique=False)

    op.create_table(
        "indicator_value",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("assignment_id", sa.Integer(), nullable=False),
        sa.Column("indicator_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("comment", sa.Text(), nullable=False),
        sa.Column("updated_dt", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignment_id"],
            ["assignment.id"],
            name=op.f("fk_indicator_value_assignment_id_assignment"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["indicator_id"],
            ["plan_indicator.id"],
            name=op.f("fk_indicator_value_indicator_id_plan_indicator"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_indicator_value")),
        sa.UniqueConstraint(
            "assignment_id", "indicator_id", name=op.f("uq_indicator_value_assignment_id_indicator_id")
        ),
    )
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_indicator_value_assignment_id"), ["assignment_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_indicator_value_indicator_id"), ["indicator_id"], unique=False)


def downgrade():
    with op.batch_alter_table("indicator_value", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_indicator_value_indicator_id"))
        batch_op.drop_index(batch_op.f("ix_indicator_value_assignment_id"))

    op.drop_table("indicator_value")
    with op.batch_alter_table("activity_report", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_activity_report_assignment_id"))
        batch_op.drop_index(batch_op.f("ix_activity_report_activity_id"))

    op.drop_table("activity_report")
    with op.batch_alter_table("plan_indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_indicator_unit_id"))
        batch_op.drop_index(batch_op.f("ix_plan_indicator_activity_id"))

    op.drop_table("plan_indicator")
    with op.batch_alter_table("plan_activity", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_plan_activity_unit_id"))

    op.drop_table("plan_activity")
