"""unit: the kinds a county needs (kommunförbund, län, länsdel, kommun, region, polis, länsstyrelse);
scope_voice: a part of the tree's own sender name, reply-to, manual and start-page contact details

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-09 09:00:00

"""

import sqlalchemy as sa
from alembic import op

import survey.db

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

BEFORE = ("namnd", "forvaltning", "verksamhet", "bolag")
AFTER = BEFORE + ("kommunforbund", "lan", "lansdel", "kommun", "region", "polis", "lansstyrelse")


def allowed(kinds):
    return "kind IN (" + ", ".join(f"'{kind}'" for kind in kinds) + ")"


def replace_check(kinds):
    # batch mode: SQLite cannot alter a constraint in place, so the table is rebuilt (migrations/env.py: with the
    # foreign keys that refer to it checked afterwards).
    with op.batch_alter_table("unit", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_unit_kind"), type_="check")
        batch_op.create_check_constraint("kind", allowed(kinds))


def upgrade():
    replace_check(AFTER)
    op.create_table(
        "scope_voice",
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("sender_name", sa.String(length=200), nullable=False),
        sa.Column("reply_to", sa.String(length=254), nullable=False),
        sa.Column("manual", sa.Text(), nullable=False),
        sa.Column("contact_details", sa.Text(), nullable=False),
        sa.Column("updated_dt", survey.db.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["unit_id"], ["unit.id"], name=op.f("fk_scope_voice_unit_id_unit"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("unit_id", name=op.f("pk_scope_voice")),
    )


def downgrade():
    op.drop_table("scope_voice")
    # Units of the county's kinds have no kind before this revision: they become verksamheter.
    op.execute("UPDATE unit SET kind = 'verksamhet' WHERE kind NOT IN (" + ", ".join(f"'{k}'" for k in BEFORE) + ")")
    replace_check(BEFORE)
